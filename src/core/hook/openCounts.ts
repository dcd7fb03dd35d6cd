/**
 * Dataset file opens the hook saw (all processes, workers included), counted per window of the
 * same grid as the stall windows. Worker events arrive up to ~100 ms late (or at worker exit), so a
 * window is emitted `graceS` after its end; an open that arrives for a window already emitted is
 * counted in the next one.
 */
import type { OpensRecord } from '../../shared/model';
import { OpenedBytes } from '../dataset/openedBytes';

export class OpenCounts {
  private readonly windowS: number;
  private readonly counts = new Map<number, { count: number; fresh: number; opened: OpenedBytes }>();
  private readonly seen = new Set<string>();
  private distinct = 0;
  /** windows below this index have been emitted */
  private emittedBelow = -Infinity;

  constructor(
    windowMs: number,
    private readonly graceS = 1,
  ) {
    this.windowS = windowMs / 1000;
  }

  /** An open of `path` at session second `s`. */
  add(s: number, path: string): void {
    const k = Math.max(Math.floor(s / this.windowS), this.emittedBelow);
    const c = this.counts.get(k) ?? { count: 0, fresh: 0, opened: new OpenedBytes() };
    c.count += 1;
    c.opened.add(path, s);
    if (!this.seen.has(path)) {
      this.seen.add(path);
      c.fresh += 1;
    }
    this.counts.set(k, c);
  }

  /** Windows that ended at least `graceS` before `nowS` (all of them with `all`). */
  drain(nowS: number, all = false): OpensRecord[] {
    const out: OpensRecord[] = [];
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    for (const k of keys) {
      const end = (k + 1) * this.windowS;
      if (!all && end + this.graceS > nowS) break;
      const c = this.counts.get(k);
      this.counts.delete(k);
      if (!c) continue;
      this.distinct += c.fresh;
      this.emittedBelow = k + 1;
      const { opens: _opens, ...window } = c.opened.take();
      out.push({
        type: 'opens',
        s: Math.round(end * 1e6) / 1e6,
        count: c.count,
        distinctFiles: this.distinct,
        ...window,
      });
    }
    return out;
  }

  get distinctFiles(): number {
    return this.seen.size;
  }
}
