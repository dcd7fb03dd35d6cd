/**
 * The attach-mode stall source: one timer samples the main thread of every training process of the
 * job — the root of a single-process job, or each rank of a multi-rank one (one tick reads every
 * rank of an 8-GPU node, not eight timers) — each through its own RankStallProbe, and emits their
 * estimated `StallRecord`s (tagged with the rank in a multi-rank job).
 *
 * Ranks come from the process tree (TreeSampler, see rankFinder.ts). Until the tree has told whether
 * the root is the job's training process or only a launcher waiting for its ranks (it looks like a
 * DataLoader waiting on its workers: blocked in poll on pipes), the root's windows are held back;
 * they are dropped when it turns out to be a launcher.
 *
 * Rate: every `threadIntervalMs` (50 Hz by default) while no probe has workers (loading in the main
 * thread needs intervals shorter than its compute stretches), half that rate once workers are seen:
 * blocked time is measured exactly from schedstat there, the estimate is as good at 25 Hz
 * (bench/stall.md), and each wake-up of a Node timer costs about as much CPU as the sample itself
 * (bench/sampling.md).
 */
import * as path from 'node:path';
import type { StallRecord } from '../../shared/model';
import type { RankSample, TreeSample } from '../proc/processTree';
import type { RootRole } from '../proc/rankFinder';
import type { Source, SourceContext } from '../source';
import { RankStallProbe, type StallTraceEvent } from './rankStallProbe';

export type { StallTraceEvent } from './rankStallProbe';

/** What the stall sampler needs of the process tree: its samples, and a way to settle the root. */
export interface TreeRoles {
  onSample(listener: (sample: TreeSample, s: number) => void): () => void;
  confirmRootRank(): void;
}

export interface StallSamplerOptions {
  /** dataset directories: reads of files under them are data loading */
  datasets?: string[];
  /** the thread to watch (default: the main thread, tid = pid) */
  tid?: number;
  /** false: do not read system calls, use the wchan fallback (what Yama ptrace_scope=1 leaves) */
  syscalls?: boolean;
  /** receives every sample and worker start fed to the root's estimator (benchmarks replay them) */
  trace?: (event: StallTraceEvent) => void;
  /** the job's process tree: ranks and the root's role (without it the root is the only process) */
  tree?: TreeRoles;
}

/** With workers, the main thread is sampled this many times less often than `threadIntervalMs`. */
export const WORKERS_RATE_DIVISOR = 2;

/** The root's windows are held at most this long while its role is undecided. */
export const ROOT_HOLD_MAX_S = 30;

export class StallSampler implements Source {
  readonly name = 'stall';
  private readonly datasets: string[];
  private ctx: SourceContext | null = null;
  private timer: NodeJS.Timeout | null = null;
  private root: RankStallProbe | null = null;
  private readonly ranks = new Map<number, RankStallProbe>();
  private held: StallRecord[] = [];
  private heldSinceS: number | null = null;
  private rootRole: RootRole;
  private unsubscribe: () => void = () => undefined;
  private finished = false;

  constructor(
    readonly rootPid: number,
    private readonly opts: StallSamplerOptions = {},
  ) {
    this.datasets = (opts.datasets ?? []).map((d) => path.resolve(d));
    this.rootRole = opts.tree ? 'undecided' : 'rank';
  }

  start(ctx: SourceContext): void {
    this.ctx = ctx;
    const root = this.probe(this.rootPid, undefined, this.opts.tid, this.opts.trace);
    const first = root.begin();
    if (!first.ok) {
      this.finished = true;
      return;
    }
    this.root = root;
    if (root.missing.length > 0) {
      ctx.note('info', `data-stall estimate without ${root.missing.join(', ')}: confidence is low`);
    }
    if (this.opts.tree) this.unsubscribe = this.opts.tree.onSample((sample) => this.onTree(sample));
    this.emitRoot(first.records);
    this.schedule();
  }

  stop(): Promise<void> {
    return this.end();
  }

  private probe(pid: number, rank: number | undefined, tid?: number, trace?: StallSamplerOptions['trace']) {
    const ctx = this.ctx!;
    return new RankStallProbe({
      pid,
      tid,
      rank,
      trace,
      startedAtMs: ctx.startedAtMs,
      windowS: ctx.settings.stallWindowMs / 1000,
      datasets: this.datasets,
      inotify: ctx.settings.inotify,
      syscalls: this.opts.syscalls ?? true,
    });
  }

  /** the tree's view of the job: ranks to follow, and whether the root is one */
  private onTree(sample: TreeSample): void {
    if (this.finished) return;
    this.rootRole = sample.rootRole;
    for (const r of sample.ranks) if (r.rank.pid !== this.rootPid) this.followRank(r);
    if (this.rootRole === 'launcher' && this.root !== null) this.dropRoot();
    if (this.rootRole === 'rank') this.releaseHeld();
  }

  private followRank(r: RankSample): void {
    if (this.ranks.has(r.rank.pid)) return;
    const probe = this.probe(r.rank.pid, r.rank.rank);
    const first = probe.begin();
    if (!first.ok) return;
    this.ranks.set(r.rank.pid, probe);
    this.emit(first.records);
  }

  private dropRoot(): void {
    const root = this.root;
    this.root = null;
    this.held = [];
    this.heldSinceS = null;
    void root?.close();
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = [];
    this.heldSinceS = null;
    this.emit(held);
  }

  private emitRoot(records: StallRecord[]): void {
    const root = this.root;
    if (root === null) return;
    if (this.rootRole === 'undecided' && root.datasetSeen) this.opts.tree?.confirmRootRank();
    if (this.rootRole === 'rank' || (root.datasetSeen && this.rootRole === 'undecided')) {
      this.releaseHeld();
      this.emit(records);
      return;
    }
    if (records.length === 0) return;
    this.held.push(...records);
    this.heldSinceS ??= records[0].s;
    if (records.at(-1)!.s - this.heldSinceS >= ROOT_HOLD_MAX_S) {
      this.rootRole = 'rank';
      this.opts.tree?.confirmRootRank();
      this.releaseHeld();
    }
  }

  private emit(records: StallRecord[]): void {
    for (const r of records) this.ctx?.sink.emit(r);
  }

  private schedule(): void {
    if (this.finished || this.ctx === null) return;
    const base = this.ctx.settings.threadIntervalMs;
    let workers = this.root?.workers ?? 0;
    for (const p of this.ranks.values()) workers += p.workers;
    this.timer = setTimeout(() => this.tick(), workers > 0 ? base * WORKERS_RATE_DIVISOR : base);
  }

  private tick(): void {
    this.timer = null;
    if (this.root !== null) {
      const records = this.root.tick();
      if (records === null) {
        void this.end();
        return;
      }
      this.emitRoot(records);
    }
    for (const [pid, probe] of this.ranks) {
      const records = probe.tick();
      if (records !== null) {
        this.emit(records);
        continue;
      }
      this.emit(probe.finish());
      void probe.close();
      this.ranks.delete(pid);
    }
    if (this.root === null && this.ranks.size === 0 && this.rootRole === 'launcher') {
      // every rank is gone: the job is over
      void this.end();
      return;
    }
    this.schedule();
  }

  private async end(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.unsubscribe();
    if (!this.finished) {
      if (this.root !== null) this.emitRoot(this.root.finish());
      if (this.rootRole !== 'launcher') this.releaseHeld();
      for (const probe of this.ranks.values()) this.emit(probe.finish());
    }
    this.finished = true;
    const probes = [this.root, ...this.ranks.values()].filter((p): p is RankStallProbe => p !== null);
    this.root = null;
    this.ranks.clear();
    await Promise.all(probes.map((p) => p.close()));
  }
}
