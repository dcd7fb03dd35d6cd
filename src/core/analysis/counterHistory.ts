/**
 * The process tree's cumulative I/O counters over time, bounded: recent samples are kept at full
 * resolution, older ones are thinned (every other one dropped from the oldest half when full).
 * Values between samples are interpolated linearly; the counters are zero at the session start.
 */
import type { IoCounters } from '../../shared/model';

export const ZERO_IO: Readonly<IoCounters> = Object.freeze({
  rchar: 0,
  wchar: 0,
  readBytes: 0,
  writeBytes: 0,
  majorFaults: 0,
});

const KEYS = ['rchar', 'wchar', 'readBytes', 'writeBytes', 'majorFaults'] as const;

interface Point {
  s: number;
  io: IoCounters;
  /** DataLoader-like workers alive at this sample */
  workers: number;
  /** of the increase since the point before, what processes started at or after `born.s` did */
  born?: { s: number; io: IoCounters };
}

export class CounterHistory {
  private points: Point[] = [];
  private ended = false;

  constructor(private readonly maxPoints = 4096) {}

  get lastS(): number | undefined {
    return this.points.at(-1)?.s;
  }

  get last(): IoCounters {
    return this.points.at(-1)?.io ?? ZERO_IO;
  }

  add(s: number, io: IoCounters, workers = 0, born?: { s: number; io: IoCounters }): void {
    const prev = this.points.at(-1);
    if (prev && s <= prev.s) {
      if (s === prev.s) prev.io = { ...io };
      return;
    }
    const point: Point = { s, io: { ...io }, workers };
    if (born !== undefined) point.born = { s: born.s, io: { ...born.io } };
    this.points.push(point);
    if (this.points.length > this.maxPoints) this.thin();
  }

  /**
   * The counters at time `s`, interpolated; `undefined` when `s` lies after the last sample
   * (not known yet).
   */
  at(s: number): IoCounters | undefined {
    const pts = this.points;
    const lastPoint = pts.at(-1);
    if (!lastPoint || s > lastPoint.s) return undefined;
    let lo = 0;
    let hi = pts.length - 1;
    if (s <= pts[0].s) return interpolate({ s: 0, io: ZERO_IO, workers: 0 }, pts[0], s);
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (pts[mid].s <= s) lo = mid;
      else hi = mid;
    }
    return interpolate(pts[lo], pts[hi], s);
  }

  /**
   * The counters at an epoch boundary `s`, inside the sampling interval [a, b]. The previous epoch
   * reads until `s` at the rate it had just before (interval ending at a), the next one from `s` at
   * the rate it has just after (interval starting at b); the interval's bytes are split in that
   * proportion. Without DataLoader workers (the main process reads as it goes) both rates are the
   * same and this is plain interpolation. `undefined` until the interval after b is known.
   * What processes started after `s` did in the interval (a new worker generation's first reads,
   * often a burst the rates cannot see) is on the later side whatever the rates say; of what
   * processes started inside the interval but before `s` did, the share of their lifetime after `s`.
   * `readShare(a, b)`, where given, is the share of the interval's reads that came before `s` as
   * something else saw them (the dataset files opened, each at its moment): it splits the read
   * counters instead of the rates.
   */
  atBoundary(s: number, readShare?: (aS: number, bS: number) => number | undefined): IoCounters | undefined {
    const pts = this.points;
    const lastPoint = pts.at(-1);
    if (!lastPoint || s > lastPoint.s) return undefined;
    const i = this.firstAtOrAfter(s);
    const b = pts[i];
    if (b.s === s || i === 0) return this.at(s);
    const a = pts[i - 1];
    const { born, later } = bornSplit(a, b, s);
    const next = pts[i + 1];
    if (b.workers > 0 && !next && !this.ended) return undefined;
    const before = i >= 2 ? pts[i - 2] : { s: 0, io: ZERO_IO, workers: 0 };
    const linear = (s - a.s) / (b.s - a.s);
    const seen = readShare?.(a.s, b.s);
    const out: IoCounters = { ...ZERO_IO };
    for (const k of KEYS) {
      let share = linear;
      if (seen !== undefined && (k === 'rchar' || k === 'readBytes')) share = seen;
      else if (b.workers > 0 && next) {
        const oldPart = rate(before, a, k) * (s - a.s);
        const newPart = rate(b, next, k) * (b.s - s);
        if (oldPart + newPart > 0) share = oldPart / (oldPart + newPart);
      }
      // the rest of the tree by the rates; the new processes by their own lifetime
      out[k] = a.io[k] + (b.io[k] - a.io[k] - born[k]) * share + (born[k] - later[k]);
    }
    return out;
  }

  /** the session ended: no more samples will come (boundaries near the end settle as they are) */
  end(): void {
    this.ended = true;
  }

  /** like `at`, but the last value when `s` is in the future */
  atOrLast(s: number): IoCounters {
    return this.at(s) ?? this.last;
  }

  private firstAtOrAfter(s: number): number {
    let lo = 0;
    let hi = this.points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.points[mid].s < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private thin(): void {
    const half = Math.floor(this.points.length / 2);
    const kept: Point[] = [];
    for (let i = 0; i < half; i++) if (i % 2 === 0) kept.push(this.points[i]);
    this.points = kept.concat(this.points.slice(half));
  }
}

function interpolate(a: Point, b: Point, s: number): IoCounters {
  if (b.s <= a.s || s >= b.s) return { ...b.io };
  if (s <= a.s) return { ...a.io };
  const f = (s - a.s) / (b.s - a.s);
  const out: IoCounters = { ...ZERO_IO };
  for (const k of KEYS) out[k] = a.io[k] + (b.io[k] - a.io[k]) * f;
  return out;
}

/** of the increase a → b, what processes first seen at b did, and of that what came after `s` */
function bornSplit(a: Point, b: Point, s: number): { born: IoCounters; later: IoCounters } {
  const born: IoCounters = { ...ZERO_IO };
  const later: IoCounters = { ...ZERO_IO };
  if (b.born === undefined) return { born, later };
  const lived = b.s - b.born.s;
  const f = b.born.s >= s || lived <= 0 ? 1 : Math.max(0, Math.min(1, (b.s - s) / lived));
  for (const k of KEYS) {
    born[k] = Math.max(0, Math.min(b.born.io[k], b.io[k] - a.io[k]));
    later[k] = born[k] * f;
  }
  return { born, later };
}

function rate(a: Point, b: Point, k: (typeof KEYS)[number]): number {
  return b.s > a.s ? Math.max(0, b.io[k] - a.io[k]) / (b.s - a.s) : 0;
}

export function subtractIo(a: IoCounters, b: IoCounters): IoCounters {
  const out = { ...ZERO_IO };
  for (const k of KEYS) out[k] = Math.max(0, a[k] - b[k]);
  return out;
}
