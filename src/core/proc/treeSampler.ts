/**
 * The process-tree source: every `treeIntervalMs` it reads the whole tree of the training job and
 * emits a `TreeRecord` (cumulative counters since the session start), `ProcessRecord`s for processes
 * that joined or left, and an `EpochMarkRecord` when the DataLoader workers are replaced by a new
 * generation. Once the root process is gone it emits nothing more and resolves `rootExited`.
 */
import type { EpochMarkRecord, ProcessRecord, TreeRecord } from '../../shared/model';
import { secondsSince, type Source, type SourceContext } from '../source';
import { TICKS_PER_S } from './procClock';
import { ProcessTree, type TreeProcess, type TreeSample } from './processTree';
import { WorkerGenerations } from './workerGenerations';

export class TreeSampler implements Source {
  readonly name = 'tree';
  readonly rootExited: Promise<void>;
  private resolveRootExited: () => void = () => undefined;
  private tree: ProcessTree | null = null;
  private generations: WorkerGenerations | null = null;
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
    for (const p of sample.exited) ctx.sink.emit(processRecord('exit', p, s));
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
    const workers = sample.live.filter((p) => p.isWorker);
    const generationMs = this.generations?.update(workers) ?? null;
    if (generationMs !== null) {
      const mark: EpochMarkRecord = {
        type: 'epochMark',
        s: Math.max(0, secondsSince(ctx.startedAtMs, generationMs)),
        source: 'respawn',
      };
      ctx.sink.emit(mark);
    }
    ctx.sink.emit(treeRecord(sample, s, workers));
    for (const listener of this.listeners) {
      try {
        listener(sample, s);
      } catch (e) {
        ctx.note('warning', `a per-process probe failed: ${(e as Error).message}`);
      }
    }
  }

  private finish(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.tree?.close();
    this.tree = null;
    this.resolveRootExited();
  }
}

function spawnSeconds(ctx: SourceContext, p: TreeProcess, nowS: number): number {
  return Math.min(nowS, Math.max(0, secondsSince(ctx.startedAtMs, p.startMs)));
}

function processRecord(event: 'spawn' | 'exit', p: TreeProcess, s: number): ProcessRecord {
  return { type: 'proc', s, event, pid: p.pid, ppid: p.ppid, comm: p.comm };
}

function treeRecord(sample: TreeSample, s: number, workers: TreeProcess[]): TreeRecord {
  const t = sample.totals;
  return {
    type: 'tree',
    s,
    pids: sample.live.map((p) => p.pid),
    io: {
      rchar: t.rchar,
      wchar: t.wchar,
      readBytes: t.readBytes,
      writeBytes: t.writeBytes,
      majorFaults: t.majorFaults,
    },
    cpuS: Math.round((t.cpuTicks / TICKS_PER_S) * 100) / 100,
    rssBytes: sample.rssBytes,
    workers: workers.length,
    workersRunning: workers.filter((w) => w.state === 'R').length,
    workersIoWait: workers.filter((w) => w.state === 'D').length,
  };
}
