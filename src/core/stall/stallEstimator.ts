/**
 * Estimates the data stall of a training loop from outside the process (attach mode): how much of
 * each window the main thread spent waiting for the next batch. Pure: it is fed samples of the main
 * thread (see stallSampler.ts) and the start times of data-loading workers, and returns
 * `StallRecord`s with `method: 'estimated'`.
 *
 * What a wait looks like from /proc (measured on PyTorch's DataLoader, see the design notes):
 * - blocked in poll/select on the workers' queue, or reading/receiving from a pipe or socket;
 * - *running* for a few ms per batch inside `next()`: unpickling the batch and receiving its
 *   shared-memory fds from the workers. Counting only blocked samples misses this (−6.6 points on
 *   average); it is modelled from the main thread's read calls (stallInterval.ts);
 * - creating the iterator forks the workers (non-persistent workers: every epoch): the main thread
 *   runs for tens of ms. The workers' start times mark these stretches, counted from the last wait
 *   before the first fork to the first wait after the last one.
 * Blocked time between two samples is measured exactly from schedstat; only which wait it was comes
 * from the sampled system calls. Sleeping on a timer (a stand-in for a device synchronize),
 * futexes and device ioctls are not data waits.
 *
 * The loop (the denominator) starts with the first wait, worker start-up or dataset read and is
 * active while the main thread keeps reading, writing or waiting. A window after which nothing
 * happened yet is held back (up to `MAX_HOLD_S`), so that the interpreter's shutdown after the loop
 * — seconds of running with no I/O — is not counted as training.
 *
 * With num_workers = 0 the main thread loads the data itself: intervals in which it read count as
 * loading, a run of m such intervals as m − 1 (the run's ends are partial). Decoding in the main
 * thread is invisible without the Python stack, so these windows have confidence 'low'.
 */
import type { Confidence, StallRecord } from '../../shared/model';
import {
  RECEIVE_CPU_PER_READ_S,
  isDataWait,
  measureInterval,
  type Interval,
  type StallSample,
} from './stallInterval';

export { isDataWait, type StallSample } from './stallInterval';

export interface StallEstimatorOptions {
  windowS: number;
  /** signals that cannot be read for this target: 'syscall', 'schedstat', 'io' */
  missing?: string[];
  /** CPU seconds the receive path costs per read call of the main thread (calibrated) */
  receiveCpuPerReadS?: number;
}

/** Worker start-up: how far before the first fork / after the last one a lone spawn counts. */
const SPAWN_LEAD_S = 0.02;
const SPAWN_TRAIL_S = 0.03;
/** How far a start-up stretch reaches to join the waits around it (shutdown before, first batch after). */
const SPAWN_LOOKBACK_S = 0.15;
const SPAWN_LOOKAHEAD_S = 0.3;
/** Spawns closer than this belong to one iterator creation. */
const SPAWN_GROUP_S = 0.5;
/** Windows are closed this long after their end, so start-up stretches can look ahead. */
const FINALIZE_LAG_S = SPAWN_LOOKAHEAD_S + 0.1;
/** A window with no loop activity after it is held at most this long, then counted as loop. */
export const MAX_HOLD_S = 10;

export class StallEstimator {
  private readonly windowS: number;
  private readonly missing: string[];
  private readonly cpuPerRead: number;
  private prev: StallSample | null = null;
  private intervals: Interval[] = [];
  private readonly dataWaits: number[] = [];
  private readonly spawns: number[] = [];
  private loopStartS: number | null = null;
  private lastActiveS = -Infinity;
  private windowStart = 0;
  private lastS = 0;

  constructor(opts: StallEstimatorOptions) {
    this.windowS = opts.windowS;
    this.missing = [...(opts.missing ?? [])];
    this.cpuPerRead = opts.receiveCpuPerReadS ?? RECEIVE_CPU_PER_READ_S;
  }

  /** A data-loading worker started at this session time. */
  addSpawn(startS: number): void {
    this.spawns.push(startS);
    this.spawns.sort((a, b) => a - b);
    this.startLoop(Math.max(0, startS - SPAWN_LEAD_S));
    this.lastActiveS = Math.max(this.lastActiveS, startS);
  }

  /** Feeds one sample; returns the windows it completed. */
  addSample(x: StallSample): StallRecord[] {
    const a = this.prev;
    this.prev = x;
    this.lastS = x.s;
    if (isDataWait(x)) {
      this.dataWaits.push(x.s);
      this.startLoop(x.s);
    }
    if (x.workers === 0 && (x.datasetFileOpen === true || x.fdInDataset)) this.startLoop(x.s);
    if (a !== null && x.s > a.s) {
      const iv = measureInterval(a, x, this.cpuPerRead);
      this.intervals.push(iv);
      if (iv.active && (a.workers > 0 || (this.loopStartS !== null && iv.t0 >= this.loopStartS))) {
        this.startLoop(iv.t0);
        this.lastActiveS = Math.max(this.lastActiveS, iv.t1);
      }
    }
    const out: StallRecord[] = [];
    while (this.canClose(this.windowStart + this.windowS)) {
      out.push(this.closeWindow(this.windowStart + this.windowS, Infinity));
    }
    return out;
  }

  /** Closes what is left (the job ended or sampling stopped); the loop ended with its last activity. */
  finish(): StallRecord[] {
    const out: StallRecord[] = [];
    const loopEnd = Math.max(this.lastActiveS, this.windowStart);
    while (this.windowStart + this.windowS <= this.lastS) {
      out.push(this.closeWindow(this.windowStart + this.windowS, loopEnd));
    }
    if (this.lastS > this.windowStart + 1e-6) out.push(this.closeWindow(this.lastS, loopEnd));
    return out;
  }

  private startLoop(s: number): void {
    if (this.loopStartS === null || s < this.loopStartS) this.loopStartS = s;
  }

  private canClose(end: number): boolean {
    if (this.lastS < end + FINALIZE_LAG_S) return false;
    if (this.loopStartS === null || this.loopStartS >= end) return true;
    return this.lastActiveS >= end || this.lastS - Math.max(this.lastActiveS, this.windowStart) >= MAX_HOLD_S;
  }

  private closeWindow(end: number, loopEnd: number): StallRecord {
    const start = this.windowStart;
    const stretches = this.spawnStretches(start, end);
    const loopFrom = this.loopStartS === null ? end : Math.max(start, this.loopStartS);
    const loopTo = Math.max(loopFrom, Math.min(end, loopEnd));
    const inlineWait = this.inlineWaits();
    let waitS = 0;
    let fetchS = 0;
    let prepS = 0;
    let inlineS = 0;
    let split = false;
    for (let i = 0; i < this.intervals.length; i++) {
      const iv = this.intervals[i];
      const from = Math.max(iv.t0, loopFrom);
      const to = Math.min(iv.t1, loopTo);
      if (to <= from) continue;
      const part = (to - from) / (iv.t1 - iv.t0);
      const measured = (iv.inline ? inlineWait[i] : iv.wait) * part;
      const startUp = stretches.reduce(
        (sum, [s0, s1]) => sum + Math.max(0, Math.min(to, s1) - Math.max(from, s0)),
        0,
      );
      const wait = Math.min(to - from, Math.max(measured, startUp));
      waitS += wait;
      if (iv.inline) inlineS += to - from;
      if (iv.fetchShare + iv.prepShare > 0) {
        split = true;
        fetchS += wait * iv.fetchShare;
        prepS += wait * iv.prepShare;
      }
    }
    // Intervals of the last second stay: the next window needs their neighbours (inline runs).
    this.intervals = this.intervals.filter((iv) => iv.t1 > end - 1);
    this.windowStart = end;
    this.forgetBefore(start - SPAWN_GROUP_S - SPAWN_LOOKAHEAD_S);
    const loopS = loopTo - loopFrom;
    const inline = inlineS > loopS / 2 && inlineS > 0;
    const record: StallRecord = {
      type: 'stall',
      s: round(end),
      windowS: round(end - start),
      method: 'estimated',
      waitS: round(Math.min(waitS, loopS)),
      loopS: round(loopS),
      confidence: this.confidence(inline),
    };
    if (split) {
      record.fetchS = round(Math.min(fetchS, record.waitS));
      record.prepS = round(Math.min(prepS, record.waitS - record.fetchS));
    }
    const missing = inline ? [...this.missing, 'pythonStack'] : this.missing;
    if (missing.length > 0) record.missing = [...missing];
    return record;
  }

  /** Inline loading (num_workers = 0): each end of a run of loading intervals counts half. */
  private inlineWaits(): number[] {
    const ivs = this.intervals;
    const loading = (i: number): boolean => i >= 0 && i < ivs.length && ivs[i].inline && ivs[i].wait > 0;
    return ivs.map((iv, i) => {
      if (!loading(i)) return 0;
      const dt = iv.t1 - iv.t0;
      return dt * ((loading(i - 1) ? 0.5 : 0) + (loading(i + 1) ? 0.5 : 0));
    });
  }

  /** Time ranges around worker start-ups that count as waiting (iterator creation). */
  private spawnStretches(from: number, to: number): [number, number][] {
    const out: [number, number][] = [];
    let i = 0;
    while (i < this.spawns.length) {
      let j = i;
      while (j + 1 < this.spawns.length && this.spawns[j + 1] - this.spawns[j] <= SPAWN_GROUP_S) j++;
      const first = this.spawns[i];
      const last = this.spawns[j];
      const before = this.dataWaits.filter((t) => t <= first && t >= first - SPAWN_LOOKBACK_S);
      const after = this.dataWaits.find((t) => t >= last && t <= last + SPAWN_LOOKAHEAD_S);
      const s0 = before.length > 0 ? before[before.length - 1] : first - SPAWN_LEAD_S;
      const s1 = after ?? last + SPAWN_TRAIL_S;
      if (s1 > from && s0 < to) out.push([s0, s1]);
      i = j + 1;
    }
    return out;
  }

  private forgetBefore(t: number): void {
    while (this.dataWaits.length > 0 && this.dataWaits[0] < t) this.dataWaits.shift();
    while (this.spawns.length > 0 && this.spawns[0] < t) this.spawns.shift();
  }

  private confidence(inline: boolean): Confidence {
    if (inline) return 'low';
    if (this.missing.some((m) => m === 'syscall' || m === 'schedstat' || m === 'io')) return 'low';
    return 'medium';
  }
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
