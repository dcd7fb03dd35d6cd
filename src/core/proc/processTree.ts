/**
 * The whole process tree of a training job, discovered again on every sample through
 * `/proc/PID/task/TID/children` (children are listed per thread) and read with kept-open files.
 * Processes are read parents first, so a child reaped between two reads is folded into its parent
 * exactly once (see treeTotals.ts).
 */
import * as fs from 'node:fs';
import { pageSize, startTimeMs } from './procClock';
import { ProcFile, readProcOnce } from './procFile';
import { parseChildren, parseCmdline, parseIo, parseStat, type ProcIo, type ProcStat } from './procParsers';
import { TreeTotals, zeroCounters, type CounterObservation, type Counters } from './treeTotals';
import { isWorkerCommand } from './workerCommand';

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
  rssBytes: number;
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
  rssBytes: number;
  /** true when some process's /proc/PID/io could not be read (another user's process) */
  ioDenied: boolean;
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

  constructor(
    readonly rootPid: number,
    private readonly sessionStartMs: number,
  ) {
    this.childrenByPpid = !fs.existsSync(`/proc/self/task/${process.pid}/children`);
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
    this.totals.update(nowS, observations, exited);
    this.first = false;
    return {
      atMs,
      rootGone: this.rootGone,
      live,
      spawned,
      exited,
      totals: this.totals.totals(),
      rssBytes: live.reduce((sum, p) => sum + p.rssBytes, 0),
      ioDenied,
    };
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
    const isWorker =
      proc.pid !== this.rootPid &&
      this.rootCmdline !== null &&
      isWorkerCommand(cmdline, this.rootCmdline, parent?.cmdline ?? null);
    proc.info = {
      pid: proc.pid,
      ppid,
      comm: stat.comm,
      state: stat.state,
      startMs,
      cmdline,
      isWorker,
      rssBytes: stat.rssPages * pageSize(),
    };
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
