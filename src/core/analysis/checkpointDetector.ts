/**
 * Checkpoints from three signals, best first:
 * 1. the hook's `torch.save` records (path, bytes, exact start/end, call site) — they take
 *    precedence: any other signal overlapping one is the same save;
 * 2. files written under the checkpoint directories (watcher: path, final size, mtime = the
 *    precise end), each matched to the tree's write burst around it for the start;
 * 3. write bursts of the tree alone (no file seen: the save went somewhere unwatched).
 * Only saves of at least `minCheckpointBytes` count.
 *
 * Lost progress: a hook save ran inside the training loop, which is blocked for the whole call,
 * so lostS = its duration. Otherwise see writeBursts.ts (read-rate comparison).
 */
import type { CheckpointSummary, FsRecord, SaveRecord, TreeRecord } from '../../shared/model';
import type { CounterHistory } from './counterHistory';
import { CheckpointFiles, type FileWrite } from './checkpointFiles';
import { WriteBurstDetector, type WriteBurst } from './writeBursts';

export const UNKNOWN_PATH = '(unknown)';

const MAX_SAVES = 20_000;
/** how far apart two signals of the same save may be */
const MATCH_S = 1.0;
/** a file's end may lie this far outside its burst (start and end are refined inside a tree interval) */
const BURST_SLACK_S = 0.3;
/**
 * a file this much smaller than the burst it sits in was seen before its write ended (the burst's
 * excess over the baseline is the file plus pipe traffic, page rounding and whatever else the job
 * wrote meanwhile — a log, a metrics file: tens of KB). The watcher looks at every file once more
 * after its last report, so a size it gives is final unless its events were lost altogether.
 */
const SIZE_SLACK = 0.05;
const SIZE_SLACK_BYTES = 16 * 1024;

export class CheckpointDetector {
  private readonly hookSaves: SaveRecord[] = [];
  private readonly fileWrites = new CheckpointFiles();
  private readonly burstDetector: WriteBurstDetector;

  constructor(
    history: CounterHistory,
    private readonly minBytes: number,
  ) {
    this.burstDetector = new WriteBurstDetector(history, minBytes);
  }

  private maxHookS = 0;

  addSave(r: SaveRecord): void {
    if (r.source !== 'hook') return;
    push(this.hookSaves, r);
    this.maxHookS = Math.max(this.maxHookS, r.endS - r.startS);
    const n = this.hookSaves.length;
    if (n > 1 && this.hookSaves[n - 2].startS > r.startS) this.hookSaves.sort((a, b) => a.startS - b.startS);
  }

  addTree(r: TreeRecord): void {
    this.burstDetector.add(r);
  }

  addFs(r: FsRecord): void {
    this.fileWrites.add(r);
  }

  checkpoints(): CheckpointSummary[] {
    const bursts = this.burstDetector.bursts().filter((b) => !this.overlapsHook(b.startS, b.endS));
    const used = new Set<WriteBurst>();
    const out = [...this.hookCheckpoints(), ...this.fileCheckpoints(bursts, used)];
    for (const b of bursts) {
      if (used.has(b) || b.bytes < this.minBytes) continue;
      out.push({
        path: UNKNOWN_PATH,
        bytes: b.bytes,
        startS: round3(b.startS),
        durationS: round3(b.endS - b.startS),
        lostS: b.lostS,
        source: 'burst',
      });
    }
    return out.sort((a, b) => a.startS - b.startS);
  }

  private hookCheckpoints(): CheckpointSummary[] {
    const out: CheckpointSummary[] = [];
    for (const h of this.hookSaves) {
      if (h.bytes < this.minBytes) continue;
      const durationS = Math.max(0, h.endS - h.startS);
      const c: CheckpointSummary = {
        path: h.path,
        bytes: Math.round(h.bytes),
        startS: round3(h.startS),
        durationS: round3(durationS),
        lostS: round3(durationS),
        source: 'hook',
      };
      if (h.site) c.site = h.site;
      out.push(c);
    }
    return out;
  }

  /** files seen by the watcher (not the hook's), each with the burst it was written in; marks those bursts used */
  private fileCheckpoints(bursts: readonly WriteBurst[], used: Set<WriteBurst>): CheckpointSummary[] {
    const matched = this.fileWrites.files
      .map((f) => ({ f, endS: f.mtimeS ?? f.lastS }))
      .filter(({ f, endS }) => !this.isHookFile(f, endS))
      .map((m) => ({ ...m, burst: burstHolding(bursts, m.endS) }));
    const filesPerBurst = new Map<WriteBurst, number>();
    for (const m of matched) if (m.burst) filesPerBurst.set(m.burst, (filesPerBurst.get(m.burst) ?? 0) + 1);
    // the watcher may miss a file's last growth: its own burst then tells the size and the end
    const sized = matched.map((m) => {
      const b = m.burst;
      const alone = b !== undefined && filesPerBurst.get(b) === 1;
      return { ...m, short: alone && m.f.bytes < b.bytes - SIZE_SLACK_BYTES - SIZE_SLACK * b.bytes };
    });
    const rate = typicalWriteRate(sized.filter((m) => !m.short).map((m) => m.f));
    const out: CheckpointSummary[] = [];
    let prevEndS = -Infinity;
    for (const { f, burst, endS: seenEndS, short } of sized) {
      const bytes = short && burst ? burst.bytes : f.bytes;
      if (bytes < this.minBytes) continue;
      const begin = fileStart(f, burst, prevEndS);
      const endS = short && burst ? shortFileEnd(begin, bytes, seenEndS, burst.endS, rate) : seenEndS;
      if (burst) used.add(burst);
      const startS = Math.min(endS, begin);
      prevEndS = endS;
      const burstDur = burst ? burst.endS - burst.startS : 0;
      const lostS =
        burst && burstDur > 0 ? burst.lostS * Math.min(1, (endS - startS) / burstDur) : endS - startS;
      out.push({
        path: f.path,
        bytes: Math.round(bytes),
        startS: round3(startS),
        durationS: round3(endS - startS),
        lostS: round3(Math.max(0, lostS)),
        source: 'burst',
      });
    }
    return out;
  }

  /** hook saves that may lie within MATCH_S of [t0, t1] (the list is sorted by start) */
  private hooksNear(t0: number, t1: number): SaveRecord[] {
    const list = this.hookSaves;
    let i = lowerBound(list, t0 - this.maxHookS - 2 * MATCH_S);
    const out: SaveRecord[] = [];
    for (; i < list.length && list[i].startS <= t1 + 2 * MATCH_S; i++) out.push(list[i]);
    return out;
  }

  private overlapsHook(startS: number, endS: number): boolean {
    return this.hooksNear(startS, endS).some((h) => startS <= h.endS + MATCH_S && endS >= h.startS - MATCH_S);
  }

  private isHookFile(f: FileWrite, endS: number): boolean {
    return this.hooksNear(Math.min(f.firstS, endS), endS).some(
      (h) =>
        (samePath(h.path, f.path) && Math.abs(h.endS - endS) <= 2 * MATCH_S) ||
        (f.firstS <= h.endS + MATCH_S && endS >= h.startS - MATCH_S && h.bytes === f.bytes),
    );
  }
}

/**
 * The end of a write the watcher lost track of: from its start at the session's typical write
 * rate (files seen from start to end), kept between its last sighting and its burst's end.
 */
function shortFileEnd(
  startS: number,
  bytes: number,
  seenEndS: number,
  burstEndS: number,
  rate: number | null,
): number {
  if (rate === null) return Math.max(seenEndS, burstEndS);
  return Math.min(Math.max(seenEndS, burstEndS), Math.max(seenEndS, startS + bytes / rate));
}

/** median bytes/s of the files seen both starting and ending (null when none) */
function typicalWriteRate(files: readonly FileWrite[]): number | null {
  const rates: number[] = [];
  for (const f of files) {
    if (f.startMtimeS === undefined || f.mtimeS === undefined || f.bytes <= 0) continue;
    const dur = f.mtimeS - f.startMtimeS;
    if (dur > 0) rates.push(f.bytes / dur);
  }
  if (rates.length === 0) return null;
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1];
}

/** where a file's write started: its first mtime when caught mid-write, else its burst's start */
function fileStart(f: FileWrite, burst: WriteBurst | undefined, prevEndS: number): number {
  if (f.startMtimeS !== undefined) return f.startMtimeS;
  if (burst) return Math.max(burst.startS, prevEndS);
  return f.firstS;
}

/** the burst nearest time `t` among those whose span, widened by the sampling slack, holds it */
function burstHolding(bursts: readonly WriteBurst[], t: number): WriteBurst | undefined {
  let lo = 0;
  let hi = bursts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bursts[mid].endS + BURST_SLACK_S < t) lo = mid + 1;
    else hi = mid;
  }
  let best: WriteBurst | undefined;
  let bestGap = Infinity;
  for (let i = lo; i < bursts.length && bursts[i].startS - BURST_SLACK_S <= t; i++) {
    const b = bursts[i];
    const gap = t < b.startS ? b.startS - t : t > b.endS ? t - b.endS : 0;
    if (gap < bestGap) {
      best = b;
      bestGap = gap;
    }
  }
  return best;
}

function lowerBound(list: readonly SaveRecord[], s: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].startS < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function samePath(a: string, b: string): boolean {
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

function push<T>(list: T[], item: T): void {
  if (list.length >= MAX_SAVES) list.shift();
  list.push(item);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
