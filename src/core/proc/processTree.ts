/**
 * The whole process tree of a training job, discovered again on every sample through
 * `/proc/PID/task/TID/children` (children are listed per thread) and read with kept-open files.
 * Processes are read parents first, so a child reaped between two reads is folded into its parent
 * exactly once (see treeTotals.ts).
 */
import * as fs from 'node:fs';
import type { StartMethod } from '../../shared/model';
import { pageSize, startTimeMs } from './procClock';
import { ProcFile, readProcOnce } from './procFile';
import { parseChildren, parseCmdline, parseIo, parseStat, type ProcIo, type ProcStat } from './procParsers';
import { TreeTotals, zeroCounters, type CounterObservation, type Counters } from './treeTotals';
import { parseRankEnv, RankFinder, type KnownRank, type RootRole } from './rankFinder';
import { isWorkerCommand, workerStartMethod } from './workerCommand';

export interface TreeProcess {
  pid: number;
  ppid: number;
  comm: string;
  /** state of the process's main thread (R, S, D, …) */
  state: string;
  /** wall-clock ms the process started */
  startMs: number;
  cmdline: string[];
  /** looks like a DataLoader worker (a fork of the main process, or a spawned multiprocessing child) */
  isWorker: boolean;
  /** a worker's start method (fork, spawn, forkserver), from its command line */
  startMethod?: StartMethod;
  rssBytes: number;
  /** CPU ticks of the process itself (its reaped children not included) */
  cpuTicks: number;
}

/** One rank's process with its own workers (multi-rank jobs). */
export interface RankSample {
  rank: KnownRank;
  /** cumulative since the session start (or since the rank appeared), never decreasing */
  totals: Counters;
  /** the rank's live DataLoader workers */
  workers: TreeProcess[];
}

export interface TreeSample {
  atMs: number;
  rootGone: boolean;
  /** live processes, root first, parents before children */
  live: TreeProcess[];
  spawned: TreeProcess[];
  exited: TreeProcess[];
  /** cumulative since the session start, never decreasing */
  totals: Counters;
  /**
   * what the processes that appeared in this sample did since they started (part of the totals'
   * increase), and the earliest of their starts (wall-clock ms); null when none appeared
   */
  born: { startMs: number; counters: Counters } | null;
  rssBytes: number;
  /** true when some process's /proc/PID/io could not be read (another user's process) */
  ioDenied: boolean;
  /** the ranks of a multi-rank job (empty for a single-process job) */
  ranks: RankSample[];
  /** ranks recognised in this sample */
  newRanks: KnownRank[];
  rootRole: RootRole;
  /** live DataLoader workers (ranks and launchers excluded) */
  workers: TreeProcess[];
}

/** Threads other than the main one are asked for their children every this many samples. */
const OTHER_THREADS_EVERY = 4;

/** How long after its start a process's command line is read again (a fork may still exec). */
const YOUNG_MS = 2000;

class TrackedProcess {
  readonly stat: ProcFile;
  readonly io: ProcFile;
  readonly childrenFiles = new Map<number, ProcFile>();
  threadCount = -1;
  private samples = 0;
  private readonly lastChildren = new Map<number, number[]>();
  info: TreeProcess | null = null;
  lastIo: ProcIo | null = null;
  ioDenied = false;

  constructor(readonly pid: number) {
    this.stat = new ProcFile(`/proc/${pid}/stat`, 512);
    this.io = new ProcFile(`/proc/${pid}/io`, 512);
  }

  /**
   * The children of the process's threads; re-lists the threads when their number changes. The main
   * thread is read every time; the others (compute pools rarely fork) every `OTHER_THREADS_EVERY`
   * samples, their last answer standing in between — a child they fork is found that much later,
   * and its counters are not lost (it started at zero).
   */
  readChildren(numThreads: number): number[] {
    if (numThreads !== this.threadCount) this.listThreads(numThreads);
    const others = this.samples++ % OTHER_THREADS_EVERY === 0;
    const out: number[] = [];
    for (const [tid, file] of this.childrenFiles) {
      if (tid === this.pid || others || !this.lastChildren.has(tid)) {
        const r = file.read();
        this.lastChildren.set(tid, r.ok ? parseChildren(r.text) : []);
      }
      for (const pid of this.lastChildren.get(tid) ?? []) out.push(pid);
    }
    return out;
  }

  close(): void {
    this.stat.close();
    this.io.close();
    for (const f of this.childrenFiles.values()) f.close();
    this.childrenFiles.clear();
  }

  private listThreads(numThreads: number): void {
    this.threadCount = numThreads;
    let tids: number[];
    try {
      tids = fs.readdirSync(`/proc/${this.pid}/task`).map(Number);
    } catch {
      return;
    }
    const keep = new Set(tids);
    for (const [tid, file] of this.childrenFiles) {
      if (!keep.has(tid)) {
        file.close();
        this.childrenFiles.delete(tid);
        this.lastChildren.delete(tid);
      }
    }
    for (const tid of tids) {
      if (!this.childrenFiles.has(tid)) {
        this.childrenFiles.set(tid, new ProcFile(`/proc/${this.pid}/task/${tid}/children`, 256));
      }
    }
  }
}

function readRankEnv(pid: number) {
  const r = readProcOnce(`/proc/${pid}/environ`);
  return r.ok ? parseRankEnv(r.text) : null;
}

function countersOf(stat: ProcStat, io: ProcIo | null): Counters {
  const c = zeroCounters();
  c.majorFaults = stat.majorFaults + stat.childMajorFaults;
  c.cpuTicks = stat.utime + stat.stime + stat.childUtime + stat.childStime;
  if (io !== null) {
    c.rchar = io.rchar;
    c.wchar = io.wchar;
    c.readBytes = io.readBytes;
    c.writeBytes = io.writeBytes - io.cancelledWriteBytes;
  }
  return c;
}

export class ProcessTree {
  private readonly tracked = new Map<number, TrackedProcess>();
  private readonly totals = new TreeTotals();
  private readonly childrenByPpid: boolean;
  private rootCmdline: string[] | null = null;
  private first = true;
  private rootGone = false;
  readonly ranks: RankFinder;
  private readonly rankTotals = new Map<number, TreeTotals>();
  /** the rank (its pid) each process of a multi-rank tree belongs to */
  private readonly owner = new Map<number, number>();

  constructor(
    readonly rootPid: number,
    private readonly sessionStartMs: number,
  ) {
    this.childrenByPpid = !fs.existsSync(`/proc/self/task/${process.pid}/children`);
    this.ranks = new RankFinder(rootPid, readRankEnv);
  }

  sample(): TreeSample {
    const atMs = Date.now();
    const nowS = (atMs - this.sessionStartMs) / 1000;
    const live: TreeProcess[] = [];
    const spawned: TreeProcess[] = [];
    const observations: CounterObservation[] = [];
    let ioDenied = false;
    const visited = new Set<number>();
    const queue: [number, number][] = this.rootGone ? [] : [[this.rootPid, 0]];
    const byPpid = this.childrenByPpid ? this.scanPpids() : null;
    while (queue.length > 0) {
      const [pid, ppidHint] = queue.shift() as [number, number];
      if (visited.has(pid)) continue;
      let proc = this.tracked.get(pid);
      const isNew = proc === undefined;
      if (proc === undefined) {
        proc = new TrackedProcess(pid);
        this.tracked.set(pid, proc);
      }
      const s = proc.stat.read();
      const stat = s.ok ? parseStat(s.text) : null;
      if (stat === null) continue;
      visited.add(pid);
      const ioRead = proc.io.read();
      const io = ioRead.ok ? parseIo(ioRead.text) : null;
      proc.ioDenied = !ioRead.ok && ioRead.reason === 'denied';
      ioDenied ||= proc.ioDenied;
      if (io !== null) proc.lastIo = io;
      const info = this.describe(proc, stat, ppidHint || stat.ppid, atMs);
      live.push(info);
      if (isNew && !this.first) spawned.push(info);
      observations.push({
        pid,
        values: countersOf(stat, io ?? proc.lastIo),
        startedBeforeSession: this.first || info.startMs < this.sessionStartMs - 20,
      });
      const children = byPpid ? (byPpid.get(pid) ?? []) : proc.readChildren(stat.numThreads);
      for (const child of children) queue.push([child, pid]);
    }
    if (!visited.has(this.rootPid)) this.rootGone = true;
    const exited = this.sweep(visited);
    const bornCounters = this.totals.update(nowS, observations, exited);
    const newRanks = this.rootGone ? [] : this.ranks.update(live, atMs);
    this.ranks.prune(visited);
    const ranks = this.rankSamples(nowS, live, observations, exited);
    this.first = false;
    return {
      atMs,
      rootGone: this.rootGone,
      live,
      spawned,
      exited,
      totals: this.totals.totals(),
      born:
        spawned.length > 0
          ? { startMs: Math.min(...spawned.map((p) => p.startMs)), counters: bornCounters }
          : null,
      rssBytes: live.reduce((sum, p) => sum + p.rssBytes, 0),
      ioDenied,
      ranks,
      newRanks,
      rootRole: this.ranks.rootRole,
      workers: live.filter((p) => p.isWorker && !this.ranks.rankOf(p.pid) && !this.ranks.isLauncher(p.pid)),
    };
  }

  /** Per-rank totals: every process counts for the nearest rank among itself and its ancestors. */
  private rankSamples(
    nowS: number,
    live: TreeProcess[],
    observations: CounterObservation[],
    exited: TreeProcess[],
  ): RankSample[] {
    if (!this.ranks.multiRank) return [];
    for (const p of live) {
      const own = this.ranks.rankOf(p.pid) ? p.pid : this.owner.get(p.ppid);
      if (own !== undefined) this.owner.set(p.pid, own);
    }
    const byRank = new Map<number, { obs: CounterObservation[]; exited: TreeProcess[] }>();
    const slot = (rankPid: number) => {
      let v = byRank.get(rankPid);
      if (v === undefined) byRank.set(rankPid, (v = { obs: [], exited: [] }));
      return v;
    };
    for (const o of observations) {
      const own = this.owner.get(o.pid);
      if (own !== undefined) slot(own).obs.push(o);
    }
    for (const p of exited) {
      const own = this.owner.get(p.pid);
      this.owner.delete(p.pid);
      if (own !== undefined) slot(own).exited.push(p);
    }
    const out: RankSample[] = [];
    for (const rank of this.ranks.list()) {
      let totals = this.rankTotals.get(rank.pid);
      if (totals === undefined) this.rankTotals.set(rank.pid, (totals = new TreeTotals()));
      const mine = byRank.get(rank.pid) ?? { obs: [], exited: [] };
      totals.update(nowS, mine.obs, mine.exited);
      const workers = live.filter((p) => p.isWorker && p.ppid === rank.pid);
      out.push({ rank, totals: totals.totals(), workers });
    }
    return out;
  }

  close(): void {
    for (const proc of this.tracked.values()) proc.close();
    this.tracked.clear();
  }

  private describe(proc: TrackedProcess, stat: ProcStat, ppid: number, atMs: number): TreeProcess {
    const startMs = startTimeMs(stat.startTime);
    let cmdline = proc.info?.cmdline;
    if (cmdline === undefined || atMs - startMs < YOUNG_MS || proc.info?.comm !== stat.comm) {
      const r = readProcOnce(`/proc/${proc.pid}/cmdline`);
      cmdline = r.ok ? parseCmdline(r.text) : (cmdline ?? []);
    }
    if (proc.pid === this.rootPid) this.rootCmdline = cmdline;
    const parent = this.tracked.get(ppid)?.info ?? null;
    // a worker of the root, or of a process of its own (a rank exec'd by torchrun forks its workers)
    const grandparent = parent ? (this.tracked.get(parent.ppid)?.info ?? null) : null;
    const isWorker =
      proc.pid !== this.rootPid &&
      this.rootCmdline !== null &&
      (isWorkerCommand(cmdline, this.rootCmdline, parent?.cmdline ?? null) ||
        (parent !== null && isWorkerCommand(cmdline, parent.cmdline, grandparent?.cmdline ?? null)));
    proc.info = {
      pid: proc.pid,
      ppid,
      comm: stat.comm,
      state: stat.state,
      startMs,
      cmdline,
      isWorker,
      rssBytes: stat.rssPages * pageSize(),
      cpuTicks: stat.utime + stat.stime,
    };
    const method = isWorker
      ? workerStartMethod(cmdline, this.rootCmdline ?? [], parent?.cmdline ?? null)
      : null;
    if (method !== null) proc.info.startMethod = method;
    return proc.info;
  }

  /** Processes not reached this time: exited (a debt of the parent) or re-parented (forgotten). */
  private sweep(visited: Set<number>): TreeProcess[] {
    const exited: TreeProcess[] = [];
    for (const [pid, proc] of this.tracked) {
      if (visited.has(pid)) continue;
      const stillThere = proc.stat.read().ok;
      proc.close();
      this.tracked.delete(pid);
      if (proc.info === null) continue;
      if (stillThere && pid !== this.rootPid) this.totals.forget(pid);
      else exited.push(proc.info);
    }
    return exited;
  }

  /** Fallback for kernels without …/children: one pass over /proc mapping parent → children. */
  private scanPpids(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const name of fs.readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid)) continue;
      const r = readProcOnce(`/proc/${pid}/stat`);
      const stat = r.ok ? parseStat(r.text) : null;
      if (stat === null) continue;
      const list = out.get(stat.ppid) ?? [];
      list.push(pid);
      out.set(stat.ppid, list);
    }
    return out;
  }
}
