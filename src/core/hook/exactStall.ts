/**
 * Exact data-stall per window, from the intervals the hook timed in the main process (iterator
 * creation and every next(), StopIteration included). Windows sit on a fixed grid of session
 * seconds [k·W, (k+1)·W]; the loop starts at the first timed interval.
 *
 * A window is emitted only once the main process's timeline is known past its end (an event that
 * ended later has arrived): a next() still in progress is not reported until it returns, so an
 * earlier emission could miss its wait. `finish()` closes the last, partial window at the loop's
 * end (the end of the last timed interval).
 */
import type { StallRecord } from '../../shared/model';

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export class ExactStallWindows {
  private readonly windowS: number;
  private loopStart: number | null = null;
  private knownUntil = -Infinity;
  /** index of the next window to emit */
  private next = 0;
  /** intervals that may still overlap windows not yet emitted */
  private intervals: [number, number][] = [];
  /** the subset of `intervals` that are batch hand-offs (the previous batch's release) */
  private handoffs: [number, number][] = [];
  private batchEnds: number[] = [];

  constructor(windowMs: number) {
    if (!(windowMs > 0)) throw new RangeError('stall window must be > 0 ms');
    this.windowS = windowMs / 1000;
  }

  /** The main process spent [t0, t1] (session seconds) in iter()/next(); `batch` if it returned one. */
  addWait(t0: number, t1: number, batch: boolean): void {
    if (this.loopStart === null) {
      this.loopStart = t0;
      this.next = Math.floor(t0 / this.windowS);
    }
    this.intervals.push([t0, t1]);
    if (batch) this.batchEnds.push(t1);
    if (t1 > this.knownUntil) this.knownUntil = t1;
  }

  /**
   * The loop released its previous batch in [t0, t1] while rebinding its variables to the new one
   * (python/trainio_hook/handoff.py): part of what a clock around `x, y = next(it)` counts.
   */
  addHandoff(t0: number, t1: number): void {
    if (this.loopStart === null || !(t1 >= t0)) return;
    this.intervals.push([t0, t1]);
    this.handoffs.push([t0, t1]);
  }

  get started(): boolean {
    return this.loopStart !== null;
  }

  /** Windows that are complete and fully known. */
  drain(): StallRecord[] {
    const out: StallRecord[] = [];
    while (this.loopStart !== null && (this.next + 1) * this.windowS <= this.knownUntil) {
      out.push(this.emit((this.next + 1) * this.windowS));
    }
    return out;
  }

  /** Every remaining window up to the loop's end (the last one clipped there). */
  finish(): StallRecord[] {
    const out = this.drain();
    while (this.loopStart !== null && this.next * this.windowS < this.knownUntil) {
      out.push(this.emit(Math.min((this.next + 1) * this.windowS, this.knownUntil)));
    }
    return out;
  }

  private emit(end: number): StallRecord {
    const start = this.next * this.windowS;
    const from = Math.max(start, this.loopStart ?? start);
    let waitS = 0;
    for (const [a, b] of this.intervals) {
      const overlap = Math.min(b, end) - Math.max(a, from);
      if (overlap > 0) waitS += overlap;
    }
    const batches = this.batchEnds.filter((t) => t > start && t <= end).length;
    let handoffS = 0;
    for (const [a, b] of this.handoffs) {
      const overlap = Math.min(b, end) - Math.max(a, from);
      if (overlap > 0) handoffS += overlap;
    }
    this.handoffs = this.handoffs.filter(([, b]) => b > end);
    this.intervals = this.intervals.filter(([, b]) => b > end);
    this.batchEnds = this.batchEnds.filter((t) => t > end);
    this.next += 1;
    const loopS = Math.max(0, end - from);
    return {
      type: 'stall',
      s: round6(end),
      windowS: round6(end - start),
      method: 'exact',
      waitS: round6(Math.min(waitS, loopS)),
      loopS: round6(loopS),
      batches,
      confidence: 'high',
      ...(handoffS > 0 ? { handoffS: round6(handoffS) } : {}),
    };
  }
}
