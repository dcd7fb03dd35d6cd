/**
 * A bounded time grid: named channels of amounts accumulated into fixed-width buckets from the
 * session start. When a time falls beyond the last bucket, the grid halves its resolution (merges
 * neighbouring buckets and doubles the width), so a 24-hour session stays as small as a minute-long one.
 */
export interface TimeGridOptions {
  /** most buckets kept; an even number */
  maxPoints: number;
  /** initial bucket width, seconds */
  bucketS: number;
}

export class TimeGrid<C extends string> {
  private width: number;
  private used = 0;
  private readonly cols = new Map<C, Float64Array>();
  private readonly max: number;

  constructor(channels: readonly C[], options: TimeGridOptions) {
    this.max = Math.max(2, options.maxPoints - (options.maxPoints % 2));
    this.width = options.bucketS > 0 ? options.bucketS : 0.5;
    for (const c of channels) this.cols.set(c, new Float64Array(this.max));
  }

  /** current bucket width, seconds */
  get bucketS(): number {
    return this.width;
  }

  /** number of buckets touched so far */
  get length(): number {
    return this.used;
  }

  /** start time of bucket i */
  startOf(i: number): number {
    return i * this.width;
  }

  value(channel: C, i: number): number {
    return this.col(channel)[i] ?? 0;
  }

  /** Adds `amount` to the bucket holding time `t`. */
  add(channel: C, t: number, amount: number): void {
    if (!Number.isFinite(amount) || !Number.isFinite(t) || amount === 0) return;
    const i = this.indexFor(Math.max(0, t));
    this.col(channel)[i] += amount;
  }

  /** Adds `amount` spread uniformly over [t0, t1] (a point when t1 ≤ t0). */
  spread(channel: C, t0: number, t1: number, amount: number): void {
    if (!Number.isFinite(amount) || amount === 0) return;
    const a = Math.max(0, t0);
    const b = Math.max(0, t1);
    if (!(b > a)) {
      this.add(channel, b, amount);
      return;
    }
    const last = this.indexFor(b);
    const first = Math.floor(a / this.width);
    const col = this.col(channel);
    const perS = amount / (b - a);
    for (let i = first; i <= last; i++) {
      const lo = Math.max(a, i * this.width);
      const hi = Math.min(b, (i + 1) * this.width);
      if (hi > lo) col[i] += perS * (hi - lo);
    }
  }

  /** Σ of a channel over [t0, t1]; buckets partly inside are prorated. */
  sum(channel: C, t0: number, t1: number): number {
    if (!(t1 > t0)) return 0;
    const col = this.col(channel);
    const first = Math.max(0, Math.floor(t0 / this.width));
    const last = Math.min(this.used - 1, Math.floor(t1 / this.width));
    let total = 0;
    for (let i = first; i <= last; i++) {
      const lo = Math.max(t0, i * this.width);
      const hi = Math.min(t1, (i + 1) * this.width);
      if (hi > lo) total += col[i] * ((hi - lo) / this.width);
    }
    return total;
  }

  private col(channel: C): Float64Array {
    const c = this.cols.get(channel);
    if (!c) throw new Error(`unknown grid channel ${channel}`);
    return c;
  }

  private indexFor(t: number): number {
    let i = Math.floor(t / this.width);
    while (i >= this.max) {
      this.halve();
      i = Math.floor(t / this.width);
    }
    if (i + 1 > this.used) this.used = i + 1;
    return i;
  }

  private halve(): void {
    const half = this.max / 2;
    for (const col of this.cols.values()) {
      for (let i = 0; i < half; i++) col[i] = col[2 * i] + col[2 * i + 1];
      col.fill(0, half);
    }
    this.width *= 2;
    this.used = Math.ceil(this.used / 2);
  }
}
