/**
 * The process-tree source: every `treeIntervalMs` it reads the whole tree of the training job and
 * emits a `TreeRecord` (cumulative counters since the session start), `ProcessRecord`s for processes
 * that joined or left, and an `EpochMarkRecord` when the DataLoader workers are replaced by a new
 * generation. Once the root process is gone it emits nothing more and resolves `rootExited`.
 */
import type {
  EpochMarkRecord,
  IoCounters,
  ProcessRecord,
  RankRecord,
  RankTree,
  TreeRecord,
} from '../../shared/model';
import { secondsSince, type Source, type SourceContext } from '../source';
import { TICKS_PER_S } from './procClock';
import { ProcessTree, type RankSample, type TreeProcess, type TreeSample } from './processTree';
import type { Counters } from './treeTotals';
import type { KnownRank } from './rankFinder';
import { WorkerGenerations } from './workerGenerations';

export class TreeSampler implements Source {
  readonly name = 'tree';
  readonly rootExited: Promise<void>;
  private resolveRootExited: () => void = () => undefined;
  private tree: ProcessTree | null = null;
  private generations: WorkerGenerations | null = null;
  /** per rank (by pid) of a multi-rank job: its own workers' generations */
  private readonly rankGenerations = new Map<number, WorkerGenerations>();
  /** respawn marks of the root's workers while the root's role (rank or launcher) is undecided */
  private heldMarks: EpochMarkRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private ctx: SourceContext | null = null;
  private last: TreeSample | null = null;
  private warned = false;
  private ioDeniedNoted = false;
  private readonly listeners = new Set<(sample: TreeSample, s: number) => void>();

  constructor(readonly rootPid: number) {
    this.rootExited = new Promise((resolve) => (this.resolveRootExited = resolve));
  }

  start(ctx: SourceContext): void {
    this.ctx = ctx;
    this.tree = new ProcessTree(this.rootPid, ctx.startedAtMs);
    this.generations = new WorkerGenerations(ctx.startedAtMs);
    this.tick();
    if (this.tree !== null) this.timer = setInterval(() => this.tick(), ctx.settings.treeIntervalMs);
  }

  onRootExit(cb: () => void): void {
    void this.rootExited.then(cb);
  }

  /**
   * Calls `listener` after every tree sample, on the tree's own tick: sources that read per-process
   * files (mappings, descriptors, memory) ride on it instead of adding timers of their own.
   * Returns the unsubscribe. A listener that throws is dropped from that tick only.
   */
  onSample(listener: (sample: TreeSample, s: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The root loads data itself (seen by the stall sampler): it is the job's only rank. */
  confirmRootRank(): void {
    this.tree?.ranks.confirmRootRank();
  }

  /** The last sample of the tree (live PIDs, which are workers, their states), for other samplers. */
  latest(): TreeSample | null {
    return this.last;
  }

  stop(): Promise<void> {
    this.finish();
    return Promise.resolve();
  }

  private tick(): void {
    const ctx = this.ctx;
    if (ctx === null || this.tree === null) return;
    let sample: TreeSample;
    try {
      sample = this.tree.sample();
    } catch (e) {
      if (!this.warned) ctx.note('warning', `process tree sampling failed: ${(e as Error).message}`);
      this.warned = true;
      return;
    }
    this.last = sample;
    const s = secondsSince(ctx.startedAtMs, sample.atMs);
    for (const p of sample.spawned) ctx.sink.emit(processRecord('spawn', p, spawnSeconds(ctx, p, s)));
    for (const p of sample.exited) {
      ctx.sink.emit(processRecord('exit', p, s));
      // a rank that exited has no more worker generations (a restarted rank is a new PID)
      this.rankGenerations.delete(p.pid);
    }
    if (sample.rootGone) {
      this.finish();
      return;
    }
    if (sample.ioDenied && !this.ioDeniedNoted) {
      this.ioDeniedNoted = true;
      ctx.note(
        'warning',
        'some processes of the tree belong to another user: their I/O counters are not readable',
      );
    }
    for (const rank of sample.newRanks) ctx.sink.emit(rankRecord(rank, s));
    const workers = sample.workers;
    if (sample.ranks.length === 0) {
      const generationMs = this.generations?.update(workers) ?? null;
      if (generationMs !== null) this.heldMarks.push(respawnMark(ctx, generationMs));
      // the root's "workers" may be the ranks of a launcher: its marks wait until that is settled
      if (sample.rootRole === 'launcher') this.heldMarks = [];
      if (sample.rootRole === 'rank') for (const m of this.heldMarks.splice(0)) ctx.sink.emit(m);
    } else {
      this.heldMarks = [];
      for (const r of sample.ranks) {
        let gens = this.rankGenerations.get(r.rank.pid);
        if (gens === undefined)
          this.rankGenerations.set(r.rank.pid, (gens = new WorkerGenerations(ctx.startedAtMs)));
        const generationMs = gens.update(r.workers);
        if (generationMs !== null) ctx.sink.emit(respawnMark(ctx, generationMs, r.rank));
      }
    }
    const bornS = sample.born === null ? 0 : spawnSeconds(ctx, sample.born, s);
    ctx.sink.emit(treeRecord(sample, s, workers, bornS));
    for (const listener of this.listeners) {
      try {
        listener(sample, s);
      } catch (e) {
        ctx.note('warning', `a per-process probe failed: ${(e as Error).message}`);
      }
    }
  }

  private finish(): void {
    // the job ended before the root's role was settled: it was the only process
    for (const m of this.heldMarks.splice(0)) this.ctx?.sink.emit(m);
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.tree?.close();
    this.tree = null;
    this.resolveRootExited();
  }
}

function respawnMark(ctx: SourceContext, atMs: number, rank?: KnownRank): EpochMarkRecord {
  const mark: EpochMarkRecord = {
    type: 'epochMark',
    s: Math.max(0, secondsSince(ctx.startedAtMs, atMs)),
    source: 'respawn',
  };
  if (rank !== undefined) {
    mark.rank = rank.rank;
    mark.pid = rank.pid;
  }
  return mark;
}

function rankRecord(rank: KnownRank, s: number): RankRecord {
  const r: RankRecord = { type: 'rank', s, rank: rank.rank, pid: rank.pid, source: rank.source };
  if (rank.localRank !== undefined) r.localRank = rank.localRank;
  if (rank.worldSize !== undefined) r.worldSize = rank.worldSize;
  if (rank.launcher !== undefined) r.launcher = rank.launcher;
  return r;
}

/** the cumulative counters as records carry them: I/O bytes and CPU seconds */
function countersOf(t: Counters): { io: IoCounters; cpuS: number } {
  return {
    io: {
      rchar: t.rchar,
      wchar: t.wchar,
      readBytes: t.readBytes,
      writeBytes: t.writeBytes,
      majorFaults: t.majorFaults,
    },
    cpuS: Math.round((t.cpuTicks / TICKS_PER_S) * 100) / 100,
  };
}

function rankTree(r: RankSample): RankTree {
  const t = r.totals;
  return {
    rank: r.rank.rank,
    pid: r.rank.pid,
    ...countersOf(t),
    workers: r.workers.length,
  };
}

function spawnSeconds(ctx: SourceContext, p: Pick<TreeProcess, 'startMs'>, nowS: number): number {
  return Math.min(nowS, Math.max(0, secondsSince(ctx.startedAtMs, p.startMs)));
}

function processRecord(event: 'spawn' | 'exit', p: TreeProcess, s: number): ProcessRecord {
  const r: ProcessRecord = { type: 'proc', s, event, pid: p.pid, ppid: p.ppid, comm: p.comm };
  if (p.isWorker) r.worker = true;
  if (p.startMethod) r.startMethod = p.startMethod;
  return r;
}

/** `bornS`: the earliest start of the processes that appeared in this sample, if any */
function treeRecord(sample: TreeSample, s: number, workers: TreeProcess[], bornS: number): TreeRecord {
  const t = sample.totals;
  const out: TreeRecord = {
    type: 'tree',
    s,
    pids: sample.live.map((p) => p.pid),
    ...countersOf(t),
    rssBytes: sample.rssBytes,
    workers: workers.length,
    workersRunning: workers.filter((w) => w.state === 'R').length,
    workersIoWait: workers.filter((w) => w.state === 'D').length,
  };
  if (sample.ranks.length > 0) out.ranks = sample.ranks.map(rankTree);
  if (sample.born !== null) {
    const io = countersOf(sample.born.counters).io;
    if (Object.values(io).some((v) => v > 0)) out.born = { s: bornS, io };
  }
  return out;
}
