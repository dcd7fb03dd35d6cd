/**
 * The stall estimate of one training process (the job's only process, or one rank of a multi-rank
 * job): samples its main thread, follows the DataLoader workers it forks, and turns it all into
 * estimated `StallRecord`s through its own StallEstimator. The StallSampler ticks every probe of the
 * job from one timer.
 */
import type { StallRecord } from '../../shared/model';
import { OpenFileProbe, isUnder } from '../proc/openFiles';
import { secondsSince } from '../source';
import { FirstDatasetOpen } from './firstDatasetOpen';
import { MainChildren } from './mainChildren';
import { StallEstimator, isDataWait, type StallSample } from './stallEstimator';
import { syscallTable } from './syscalls';
import { ThreadSampler, type ThreadSample } from './threadSampler';
import { WorkerProbe } from './workerStates';

export type StallTraceEvent = { sample: StallSample } | { spawnS: number };

export interface RankStallProbeOptions {
  pid: number;
  /** the thread to watch (default: the main thread, tid = pid) */
  tid?: number;
  startedAtMs: number;
  windowS: number;
  /** resolved dataset directories */
  datasets: string[];
  /** watch the first dataset open with inotify (num_workers = 0 loops) */
  inotify: boolean;
  syscalls: boolean;
  /** the rank the records are tagged with (absent: a single-process job) */
  rank?: number;
  trace?: (event: StallTraceEvent) => void;
}

export class RankStallProbe {
  readonly pid: number;
  readonly rank: number | undefined;
  private readonly thread: ThreadSampler;
  private readonly children: MainChildren;
  private readonly workerProbes = new Map<number, WorkerProbe>();
  private estimator: StallEstimator | null = null;
  private openFiles: OpenFileProbe | null = null;
  private firstOpen: FirstDatasetOpen | null = null;
  private datasetSeenValue = false;
  private closed = false;
  /** signals this target does not give, found at the first sample */
  missing: string[] = [];

  constructor(private readonly o: RankStallProbeOptions) {
    this.pid = o.pid;
    this.rank = o.rank;
    this.thread = new ThreadSampler(o.pid, o.tid ?? o.pid, { syscalls: o.syscalls });
    this.children = new MainChildren(o.pid);
  }

  /** Takes the first sample; false when the thread is already gone. */
  begin(): { ok: boolean; records: StallRecord[] } {
    const first = this.thread.sample();
    if (first === null) return { ok: false, records: [] };
    this.openFiles = new OpenFileProbe(this.o.pid, this.o.datasets);
    if (this.o.inotify && this.o.datasets.length > 0) {
      this.firstOpen = new FirstDatasetOpen(this.o.datasets);
      this.firstOpen.start();
    }
    this.missing = this.missingSignals(first);
    this.estimator = new StallEstimator({ windowS: this.o.windowS, missing: this.missing });
    return { ok: true, records: this.feed(first) };
  }

  /** live workers of this process */
  get workers(): number {
    return this.children.live().size;
  }

  /** the process loads data in its main thread (num_workers = 0): a dataset file was seen open */
  get datasetSeen(): boolean {
    return this.datasetSeenValue;
  }

  /** One sample; null once the thread is gone. */
  tick(): StallRecord[] | null {
    if (this.closed) return null;
    const sample = this.thread.sample();
    if (sample === null) return null;
    return this.feed(sample);
  }

  /** the windows still open, closed at the loop's last activity */
  finish(): StallRecord[] {
    return this.estimator?.finish().map((r) => this.tag(r)) ?? [];
  }

  close(): Promise<void> {
    this.closed = true;
    this.thread.close();
    this.children.close();
    for (const probe of this.workerProbes.values()) probe.close();
    this.workerProbes.clear();
    return this.stopFirstOpen();
  }

  private feed(t: ThreadSample): StallRecord[] {
    const estimator = this.estimator;
    if (estimator === null) return [];
    for (const w of this.children.update()) {
      const spawnS = secondsSince(this.o.startedAtMs, w.startMs);
      estimator.addSpawn(spawnS);
      this.o.trace?.({ spawnS });
    }
    const workers = this.children.live();
    if (workers.size > 0 && this.firstOpen !== null) void this.stopFirstOpen();
    const x: StallSample = {
      s: secondsSince(this.o.startedAtMs, t.atMs),
      activity: t.activity,
      state: t.state,
      role: t.role,
      fd: t.fd?.kind ?? null,
      fdInDataset: t.fd?.kind === 'file' && isUnder(t.fd.path, this.o.datasets),
      cpuNs: t.cpuNs,
      runqNs: t.runqNs,
      readCalls: t.readCalls,
      writeCalls: t.writeCalls,
      workers: workers.size,
    };
    if (workers.size === 0) x.datasetFileOpen = this.datasetFileOpen(t);
    else if (isDataWait(x)) this.probeWorkers(x, workers, t.atMs);
    this.o.trace?.({ sample: x });
    return estimator.addSample(x).map((r) => this.tag(r));
  }

  private tag(r: StallRecord): StallRecord {
    if (this.rank !== undefined) {
      r.rank = this.rank;
      r.pid = this.pid;
    }
    return r;
  }

  /**
   * With no workers: whether the process has been seen with a dataset file open, which starts a
   * loop that loads data in the main thread. Probed until it happens.
   */
  private datasetFileOpen(t: ThreadSample): boolean {
    if (this.datasetSeenValue) return true;
    if (this.firstOpen?.seenAtMs != null) this.datasetSeenValue = true;
    else if (this.openFiles !== null) this.datasetSeenValue = this.openFiles.check(t.atMs);
    if (this.datasetSeenValue) void this.stopFirstOpen();
    return this.datasetSeenValue;
  }

  private stopFirstOpen(): Promise<void> {
    const watch = this.firstOpen;
    this.firstOpen = null;
    return watch?.stop() ?? Promise.resolve();
  }

  private probeWorkers(x: StallSample, workers: ReadonlySet<number>, nowMs: number): void {
    for (const [pid, probe] of this.workerProbes) {
      if (!workers.has(pid)) {
        probe.close();
        this.workerProbes.delete(pid);
      }
    }
    let fetching = 0;
    let preparing = 0;
    for (const pid of workers) {
      let probe = this.workerProbes.get(pid);
      if (probe === undefined) {
        probe = new WorkerProbe(pid, syscallTable());
        this.workerProbes.set(pid, probe);
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
    if (!this.thread.syscallReadable) missing.push('syscall');
    if (first.cpuNs === null || first.runqNs === null) missing.push('schedstat');
    if (first.readCalls === null) missing.push('io');
    return missing;
  }
}
