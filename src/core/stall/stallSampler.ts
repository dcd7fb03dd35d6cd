/**
 * The attach-mode stall source: samples the main thread of the training process, follows the
 * DataLoader workers it forks, and turns it all into estimated `StallRecord`s every `stallWindowMs`
 * through the StallEstimator.
 *
 * Rate: every `threadIntervalMs` (50 Hz by default) while the main thread has no workers (loading
 * in the main thread needs intervals shorter than its compute stretches), half that rate once
 * workers are seen: blocked time is measured exactly from schedstat there, the estimate is as good
 * at 25 Hz (bench/stall.md), and each wake-up of a Node timer costs about as much CPU as the
 * sample itself (bench/sampling.md).
 */
import * as path from 'node:path';
import { OpenFileProbe, isUnder } from '../proc/openFiles';
import { secondsSince, type Source, type SourceContext } from '../source';
import { FirstDatasetOpen } from './firstDatasetOpen';
import { MainChildren } from './mainChildren';
import { StallEstimator, isDataWait, type StallSample } from './stallEstimator';
import { syscallTable } from './syscalls';
import { ThreadSampler, type ThreadSample } from './threadSampler';
import { WorkerProbe } from './workerStates';

export interface StallSamplerOptions {
  /** dataset directories: reads of files under them are data loading */
  datasets?: string[];
  /** the thread to watch (default: the main thread, tid = pid) */
  tid?: number;
  /** false: do not read system calls, use the wchan fallback (what Yama ptrace_scope=1 leaves) */
  syscalls?: boolean;
  /** receives every sample and worker start fed to the estimator (benchmarks replay them offline) */
  trace?: (event: StallTraceEvent) => void;
}

export type StallTraceEvent = { sample: StallSample } | { spawnS: number };

/** With workers, the main thread is sampled this many times less often than `threadIntervalMs`. */
export const WORKERS_RATE_DIVISOR = 2;

export class StallSampler implements Source {
  readonly name = 'stall';
  private readonly datasets: string[];
  private thread: ThreadSampler | null = null;
  private children: MainChildren | null = null;
  private readonly probes = new Map<number, WorkerProbe>();
  private estimator: StallEstimator | null = null;
  private ctx: SourceContext | null = null;
  private timer: NodeJS.Timeout | null = null;
  private openFiles: OpenFileProbe | null = null;
  private firstOpen: FirstDatasetOpen | null = null;
  private datasetSeen = false;
  private finished = false;

  constructor(
    readonly rootPid: number,
    opts: StallSamplerOptions = {},
  ) {
    this.datasets = (opts.datasets ?? []).map((d) => path.resolve(d));
    this.tid = opts.tid ?? rootPid;
    this.trace = opts.trace;
    this.syscalls = opts.syscalls ?? true;
  }

  private readonly syscalls: boolean;

  private readonly tid: number;
  private readonly trace: StallSamplerOptions['trace'];

  start(ctx: SourceContext): void {
    this.ctx = ctx;
    this.thread = new ThreadSampler(this.rootPid, this.tid, { syscalls: this.syscalls });
    this.children = new MainChildren(this.rootPid);
    const first = this.thread.sample();
    if (first === null) {
      this.finished = true;
      return;
    }
    this.openFiles = new OpenFileProbe(this.rootPid, this.datasets);
    if (ctx.settings.inotify && this.datasets.length > 0) {
      this.firstOpen = new FirstDatasetOpen(this.datasets);
      this.firstOpen.start();
    }
    const missing = this.missingSignals(first);
    if (missing.length > 0) {
      ctx.note('info', `data-stall estimate without ${missing.join(', ')}: confidence is low`);
    }
    this.estimator = new StallEstimator({ windowS: ctx.settings.stallWindowMs / 1000, missing });
    this.feed(first);
    this.schedule();
  }

  stop(): Promise<void> {
    return this.end();
  }

  private schedule(): void {
    if (this.finished || this.ctx === null) return;
    const base = this.ctx.settings.threadIntervalMs;
    const workers = this.children?.live().size ?? 0;
    this.timer = setTimeout(() => this.tick(), workers > 0 ? base * WORKERS_RATE_DIVISOR : base);
  }

  private tick(): void {
    this.timer = null;
    const sample = this.thread?.sample() ?? null;
    if (sample === null) {
      void this.end();
      return;
    }
    this.feed(sample);
    this.schedule();
  }

  private feed(t: ThreadSample): void {
    const ctx = this.ctx;
    const estimator = this.estimator;
    if (ctx === null || estimator === null || this.children === null) return;
    for (const w of this.children.update()) {
      const spawnS = secondsSince(ctx.startedAtMs, w.startMs);
      estimator.addSpawn(spawnS);
      this.trace?.({ spawnS });
    }
    const workers = this.children.live();
    if (workers.size > 0 && this.firstOpen !== null) void this.stopFirstOpen();
    const x: StallSample = {
      s: secondsSince(ctx.startedAtMs, t.atMs),
      activity: t.activity,
      state: t.state,
      role: t.role,
      fd: t.fd?.kind ?? null,
      fdInDataset: t.fd?.kind === 'file' && isUnder(t.fd.path, this.datasets),
      cpuNs: t.cpuNs,
      runqNs: t.runqNs,
      readCalls: t.readCalls,
      writeCalls: t.writeCalls,
      workers: workers.size,
    };
    if (workers.size === 0) x.datasetFileOpen = this.datasetFileOpen(t);
    else if (isDataWait(x)) this.probeWorkers(x, workers, t.atMs);
    this.trace?.({ sample: x });
    for (const record of estimator.addSample(x)) ctx.sink.emit(record);
  }

  /**
   * With no workers: whether the main process has been seen with a dataset file open, which starts a
   * loop that loads data in the main thread. Probed until it happens.
   */
  private datasetFileOpen(t: ThreadSample): boolean {
    if (this.datasetSeen) return true;
    if (this.firstOpen?.seenAtMs != null) this.datasetSeen = true;
    else if (this.openFiles !== null) this.datasetSeen = this.openFiles.check(t.atMs);
    if (this.datasetSeen) void this.stopFirstOpen();
    return this.datasetSeen;
  }

  private stopFirstOpen(): Promise<void> {
    const watch = this.firstOpen;
    this.firstOpen = null;
    return watch?.stop() ?? Promise.resolve();
  }

  private probeWorkers(x: StallSample, workers: ReadonlySet<number>, nowMs: number): void {
    for (const [pid, probe] of this.probes) {
      if (!workers.has(pid)) {
        probe.close();
        this.probes.delete(pid);
      }
    }
    let fetching = 0;
    let preparing = 0;
    for (const pid of workers) {
      let probe = this.probes.get(pid);
      if (probe === undefined) {
        probe = new WorkerProbe(pid, syscallTable());
        this.probes.set(pid, probe);
      }
      const activity = probe.activity(nowMs);
      if (activity === 'fetching') fetching++;
      else if (activity === 'preparing') preparing++;
    }
    x.workersFetching = fetching;
    x.workersPreparing = preparing;
  }

  private missingSignals(first: ThreadSample): string[] {
    const missing: string[] = [];
    if (this.thread !== null && !this.thread.syscallReadable) missing.push('syscall');
    if (first.cpuNs === null || first.runqNs === null) missing.push('schedstat');
    if (first.readCalls === null) missing.push('io');
    return missing;
  }

  private end(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.finished && this.estimator !== null && this.ctx !== null) {
      for (const record of this.estimator.finish()) this.ctx.sink.emit(record);
    }
    this.finished = true;
    this.thread?.close();
    this.children?.close();
    for (const probe of this.probes.values()) probe.close();
    this.probes.clear();
    return this.stopFirstOpen();
  }
}
