/**
 * Watches a running job for a short moment and writes down the files its processes (the main
 * process, its workers, ranks) have open or mapped: a full descriptor scan of every process every
 * `scanMs` (≈ 100 µs a process), and in between a look at the two lowest free descriptor numbers
 * of each (the kernel hands out the lowest free number, so a worker opening file after file keeps
 * reusing them: a few µs a look), the mappings at the start and at the end, and each process's
 * read/write counters. Only what may be data is kept (see dataFiles.ts).
 */
import * as fs from 'node:fs';
import { ProcessTree } from '../proc/processTree';
import { ProcFile, readProcLink, readProcOnce } from '../proc/procFile';
import { parseCmdline, parseIo } from '../proc/procParsers';
import { mayBeData, openedForWriting } from './dataFiles';

export interface SeenFile {
  path: string;
  pids: Set<number>;
  workerPids: Set<number>;
  /** looks (scans and probes) that found it open */
  looks: number;
  mapped: boolean;
  /** open for writing in some process */
  written: boolean;
  /** when it was last seen open or mapped (Date.now()) */
  lastAtMs: number;
}

export interface WatchedProcess {
  pid: number;
  isWorker: boolean;
  /** bytes read / written during the watch (read() counters) */
  readBytes: number;
  writtenBytes: number;
}

export interface JobObservation {
  files: Map<string, SeenFile>;
  processes: WatchedProcess[];
  /** the job's working directory and command line */
  cwd?: string;
  cmdline: string[];
  watchedMs: number;
  /** CPU the watch itself cost this process */
  cpuMs: number;
}

export interface WatchOptions {
  durationMs?: number;
  /** full descriptor scans every this many ms (the tree is re-read with them) */
  scanMs?: number;
  /** looks at the lowest free descriptors every this many ms */
  probeMs?: number;
  /** files that are never data (the session's own) */
  exclude?: ReadonlySet<string>;
  signal?: AbortSignal;
}

const FREE_LOOKED_AT = 2;

class WatchedPid {
  readonly io: ProcFile;
  free: number[] = [];
  first: { rchar: number; wchar: number } | undefined;
  last: { rchar: number; wchar: number } | undefined;
  /** descriptors already classified: link text → written */
  readonly kinds = new Map<string, boolean>();

  constructor(
    readonly pid: number,
    readonly isWorker: boolean,
  ) {
    this.io = new ProcFile(`/proc/${pid}/io`, 512);
    this.readCounters();
  }

  readCounters(): void {
    const r = this.io.read();
    const io = r.ok ? parseIo(r.text) : null;
    if (io === null) return;
    this.last = { rchar: io.rchar, wchar: io.wchar };
    this.first ??= this.last;
  }
}

export class JobWatch {
  readonly files = new Map<string, SeenFile>();
  private readonly tree: ProcessTree;
  private readonly pids = new Map<number, WatchedPid>();
  private readonly gone: WatchedPid[] = [];
  private readonly exclude: ReadonlySet<string>;

  constructor(
    readonly rootPid: number,
    exclude: ReadonlySet<string> = new Set(),
  ) {
    this.tree = new ProcessTree(rootPid, Date.now());
    this.exclude = exclude;
  }

  /** Re-reads the tree and every process's descriptors (workers' too unless `mainOnly`); false once the root is gone. */
  scan(mainOnly = false): boolean {
    const sample = this.tree.sample();
    const live = new Set(sample.live.map((p) => p.pid));
    for (const [pid, w] of this.pids)
      if (!live.has(pid)) {
        this.pids.delete(pid);
        w.io.close();
        this.gone.push(w);
      }
    for (const p of sample.live) {
      let w = this.pids.get(p.pid);
      if (!w) this.pids.set(p.pid, (w = new WatchedPid(p.pid, p.isWorker)));
      else w.readCounters();
      if (!mainOnly || !w.isWorker) this.scanDescriptors(w);
    }
    return !sample.rootGone;
  }

  /** Looks at the lowest free descriptor numbers of every process (files opened since the scan). */
  probe(mainOnly = false): void {
    for (const w of this.pids.values())
      for (const fd of mainOnly && w.isWorker ? [] : w.free) {
        // most looks find the number still free: existsSync says so without throwing (≈ 5× cheaper)
        const link = `/proc/${w.pid}/fd/${fd}`;
        if (!fs.existsSync(link)) continue;
        const r = readProcLink(link);
        if (r.ok) this.saw(w, fd, r.text);
      }
  }

  /** Adds the files mapped by every live process. */
  readMappings(): void {
    for (const w of this.pids.values()) {
      const r = readProcOnce(`/proc/${w.pid}/maps`);
      if (!r.ok) continue;
      for (const path of mappedPaths(r.text)) {
        if (!mayBeData(path, this.exclude)) continue;
        const f = this.entry(path);
        f.mapped = true;
        this.count(f, w);
      }
    }
  }

  /** Forgets the files seen (a long watch keeps only what it has not decided yet). */
  forget(paths: Iterable<string>): void {
    for (const p of paths) this.files.delete(p);
  }

  processes(): WatchedProcess[] {
    return [...this.pids.values(), ...this.gone].map((w) => ({
      pid: w.pid,
      isWorker: w.isWorker,
      readBytes: w.first && w.last ? w.last.rchar - w.first.rchar : 0,
      writtenBytes: w.first && w.last ? w.last.wchar - w.first.wchar : 0,
    }));
  }

  /** live processes that are not workers (the main process, ranks, launchers) */
  mainPids(): number[] {
    return [...this.pids.values()].filter((w) => !w.isWorker).map((w) => w.pid);
  }

  close(): void {
    for (const w of this.pids.values()) w.io.close();
    this.tree.close();
  }

  private scanDescriptors(w: WatchedPid): void {
    let names: string[];
    try {
      names = fs.readdirSync(`/proc/${w.pid}/fd`);
    } catch {
      return;
    }
    const used = new Set(names.map(Number));
    w.free = [];
    for (let fd = 0; w.free.length < FREE_LOOKED_AT; fd++) if (!used.has(fd)) w.free.push(fd);
    for (const name of names) {
      const r = readProcLink(`/proc/${w.pid}/fd/${name}`);
      if (r.ok) this.saw(w, Number(name), r.text);
    }
  }

  private saw(w: WatchedPid, fd: number, link: string): void {
    if (!link.startsWith('/') || !mayBeData(link, this.exclude)) return;
    const key = `${fd}\0${link}`;
    let written = w.kinds.get(key);
    if (written === undefined) {
      const info = readProcOnce(`/proc/${w.pid}/fdinfo/${fd}`);
      written = info.ok && openedForWriting(info.text);
      w.kinds.set(key, written);
    }
    const f = this.entry(link);
    f.written ||= written;
    this.count(f, w);
  }

  private entry(path: string): SeenFile {
    let f = this.files.get(path);
    if (!f) {
      f = {
        path,
        pids: new Set(),
        workerPids: new Set(),
        looks: 0,
        mapped: false,
        written: false,
        lastAtMs: 0,
      };
      this.files.set(path, f);
    }
    return f;
  }

  private count(f: SeenFile, w: WatchedPid): void {
    f.looks++;
    f.lastAtMs = Date.now();
    f.pids.add(w.pid);
    if (w.isWorker) f.workerPids.add(w.pid);
  }
}

/** The distinct file paths of a /proc/PID/maps text. */
export function mappedPaths(maps: string): Set<string> {
  const out = new Set<string>();
  for (const line of maps.split('\n')) {
    const slash = line.indexOf(' /');
    if (slash < 0) continue;
    const path = line.slice(slash + 1).trim();
    if (path) out.add(path);
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Watches the job for `durationMs` (default 1.5 s) and returns what its processes had open. */
export async function watchJob(rootPid: number, o: WatchOptions = {}): Promise<JobObservation> {
  const durationMs = o.durationMs ?? 1500;
  const scanMs = o.scanMs ?? 250;
  const probeMs = o.probeMs ?? 4;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const watch = new JobWatch(rootPid, o.exclude);
  const cwd = readProcLink(`/proc/${rootPid}/cwd`);
  const cmd = readProcOnce(`/proc/${rootPid}/cmdline`);
  try {
    let alive = watch.scan();
    watch.readMappings();
    let lastScan = Date.now();
    while (alive && Date.now() - t0 < durationMs && !o.signal?.aborted) {
      await sleep(probeMs);
      if (Date.now() - lastScan >= scanMs) {
        alive = watch.scan();
        lastScan = Date.now();
      } else watch.probe();
    }
    if (alive) watch.readMappings();
    const used = process.cpuUsage(cpu0);
    return {
      files: watch.files,
      processes: watch.processes(),
      cwd: cwd.ok ? cwd.text : undefined,
      cmdline: cmd.ok ? parseCmdline(cmd.text) : [],
      watchedMs: Date.now() - t0,
      cpuMs: (used.user + used.system) / 1000,
    };
  } finally {
    watch.close();
  }
}
