/**
 * Live report delivery, at most every 250 ms (4 Hz) and only while someone listens: records mark
 * the report as changed, the report is built once per tick, off the path that receives records.
 */
import type { SessionReport } from '../../shared/model';

export const REPORT_INTERVAL_MS = 250;

export class ReportThrottle {
  private readonly listeners = new Set<(r: SessionReport) => void>();
  private timer: NodeJS.Timeout | undefined;
  private lastMs = 0;
  private closed = false;

  constructor(private readonly build: () => SessionReport) {}

  subscribe(listener: (r: SessionReport) => void): () => void {
    if (this.closed) return () => undefined;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    if (this.closed || this.timer || this.listeners.size === 0) return;
    const wait = Math.max(0, REPORT_INTERVAL_MS - (Date.now() - this.lastMs));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.listeners.size > 0) this.deliver(this.build());
      // counted from the delivery, so listeners see reports at least 250 ms apart
      this.lastMs = Date.now();
    }, wait);
  }

  /** delivers the final report once and stops */
  close(finalReport: SessionReport): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.deliver(finalReport);
    this.closed = true;
    this.listeners.clear();
  }

  private deliver(report: SessionReport): void {
    for (const l of [...this.listeners]) {
      try {
        l(report);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}
