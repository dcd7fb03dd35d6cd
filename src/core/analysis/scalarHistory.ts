/**
 * One cumulative, never-decreasing value over time (bytes mapped in, bytes of files opened),
 * bounded like CounterHistory: when full, every other point of the oldest half is dropped. Values
 * between points are interpolated linearly; before the first point the value is 0.
 */
export class ScalarHistory {
  private s: number[] = [];
  private v: number[] = [];

  constructor(private readonly maxPoints = 4096) {}

  get empty(): boolean {
    return this.s.length === 0;
  }

  get last(): number {
    return this.v.at(-1) ?? 0;
  }

  add(s: number, value: number): void {
    const n = this.s.length;
    if (n > 0 && s < this.s[n - 1]) return;
    const v = Math.max(value, this.last);
    if (n > 0 && s === this.s[n - 1]) {
      this.v[n - 1] = v;
      return;
    }
    this.s.push(s);
    this.v.push(v);
    if (this.s.length > this.maxPoints) this.thin();
  }

  at(t: number): number {
    const s = this.s;
    const n = s.length;
    if (n === 0 || t <= s[0]) return n === 0 || t < s[0] ? 0 : this.v[0];
    if (t >= s[n - 1]) return this.v[n - 1];
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (s[mid] <= t) lo = mid;
      else hi = mid;
    }
    const f = (t - s[lo]) / (s[hi] - s[lo]);
    return this.v[lo] + (this.v[hi] - this.v[lo]) * f;
  }

  /** the increase over [a, b] */
  between(a: number, b: number): number {
    return Math.max(0, this.at(b) - this.at(a));
  }

  private thin(): void {
    const half = Math.floor(this.s.length / 2);
    const ks: number[] = [];
    const kv: number[] = [];
    for (let i = 0; i < half; i += 2) {
      ks.push(this.s[i]);
      kv.push(this.v[i]);
    }
    this.s = ks.concat(this.s.slice(half));
    this.v = kv.concat(this.v.slice(half));
  }
}
