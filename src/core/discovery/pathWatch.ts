/**
 * Keeps watching what a recorded job does, for the folders that were not given or are in doubt:
 * - no dataset yet (a launched job, or nothing read during the attach moment): the first root its
 *   processes read, mapped or held open, or what its command line names — started like a given one;
 * - no checkpoint folder: the folder of the first big file the main process writes (or the hook's
 *   torch.save path);
 * - every dataset: a warning when the job reads nothing under it for `idleS` seconds.
 * Descriptors of every process are looked at while a dataset is unknown or unconfirmed, then only
 * those of the main processes (checkpoints are written there).
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { SessionRecord } from '../../shared/model';
import type { Source, SourceContext } from '../source';
import { groupIntoRoots } from './datasetRoots';
import { foundNote, readAfterAllNote, unreadDatasetNote, type PathNote } from './discoveryText';
import { JobWatch } from './jobWatch';
import { decidePaths, megabytes, type FoundPath } from './pathDecision';
import { readProcLink, readProcOnce } from '../proc/procFile';
import { parseCmdline } from '../proc/procParsers';
import { argumentPaths, scriptIndex, type ArgumentPath, type PathRole } from './scriptArguments';
import { isUnder } from '../proc/openFiles';

export interface PathWatchOptions {
  rootPid: number;
  /** datasets and checkpoint folders known at the start (given or found before it) */
  datasets: readonly string[];
  checkpoints: readonly string[];
  findDatasets: boolean;
  findCheckpoints: boolean;
  minCheckpointBytes: number;
  /** the session's own files */
  exclude?: ReadonlySet<string>;
  /** a new folder to record */
  onFound: (path: string, role: PathRole) => void;
  /** seconds without any read under a dataset before the warning (default 20) */
  idleS?: number;
  /** a medium-confidence dataset is taken after this many seconds of looking (default 10) */
  patienceS?: number;
}

const SEARCH_PROBE_MS = 10;
const MAIN_PROBE_MS = 25;
const SCAN_MS = 500;
const DECIDE_MS = 1000;
const MAX_FILES = 10_000;

interface WatchedDataset {
  path: string;
  /** Date.now() of the last read seen under it; 0: none yet */
  lastReadMs: number;
  warned: boolean;
}

export class PathWatch implements Source {
  readonly name = 'paths';
  private ctx: SourceContext | null = null;
  private watch: JobWatch | null = null;
  private timer: NodeJS.Timeout | null = null;
  private probeMs = SEARCH_PROBE_MS;
  private startedMs = 0;
  private lastScanMs = 0;
  private lastDecideMs = 0;
  /** when the job was first seen loading data (the idle clock starts there) */
  private activeSinceMs = 0;
  private readonly datasets: WatchedDataset[];
  private readonly checkpoints: string[];
  private findDatasets: boolean;
  private args: ArgumentPath[] = [];
  private argsRead = false;
  private cwd: string | undefined;
  private cmdline: string[] = [];

  constructor(private readonly o: PathWatchOptions) {
    this.datasets = o.datasets.map((path) => ({ path: resolve(path), lastReadMs: 0, warned: false }));
    this.checkpoints = o.checkpoints.map((c) => resolve(c));
    this.findDatasets = o.findDatasets;
  }

  start(ctx: SourceContext): void {
    this.ctx = ctx;
    this.startedMs = Date.now();
    this.watch = new JobWatch(this.o.rootPid, this.o.exclude);
    const cwd = readProcLink(`/proc/${this.o.rootPid}/cwd`);
    const cmd = readProcOnce(`/proc/${this.o.rootPid}/cmdline`);
    this.cwd = cwd.ok ? cwd.text : undefined;
    this.cmdline = cmd.ok ? parseCmdline(cmd.text) : [];
    this.arm();
  }

  /** Records of the session that tell a dataset is read, or where checkpoints go. */
  observe(r: SessionRecord): void {
    const now = Date.now();
    if (r.type === 'save' && r.path && this.o.findCheckpoints) {
      const path = isAbsolute(r.path) ? r.path : resolve(this.cwd ?? '/', r.path);
      this.checkpointWritten(path, r.bytes, r.source === 'hook' ? 'torch.save wrote' : 'the job wrote');
    } else if (r.type === 'opens' && r.count > 0 && this.datasets.length === 1) {
      this.readUnder(this.datasets[0], now);
    } else if (r.type === 'mapped' && r.files > 0) {
      for (const d of this.datasets)
        if ((r.paths ?? []).some((p) => isUnder(p, [d.path]))) this.readUnder(d, now);
    } else if (r.type === 'loader' || (r.type === 'proc' && r.worker)) {
      this.activeSinceMs ||= now;
    }
  }

  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watch?.close();
    this.watch = null;
    return Promise.resolve();
  }

  private arm(): void {
    const searching = this.findDatasets || this.datasets.some((d) => d.lastReadMs === 0);
    const wanted = searching ? SEARCH_PROBE_MS : this.o.findCheckpoints ? MAIN_PROBE_MS : 0;
    if (this.timer && wanted === this.probeMs) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.probeMs = wanted;
    if (wanted > 0) this.timer = setInterval(() => this.tick(), wanted);
  }

  private tick(): void {
    const watch = this.watch;
    if (!watch) return;
    const now = Date.now();
    const mainOnly = this.probeMs !== SEARCH_PROBE_MS;
    if (now - this.lastScanMs >= SCAN_MS || this.lastScanMs === 0) {
      this.lastScanMs = now;
      if (!watch.scan(mainOnly)) return void this.stop();
      if (!mainOnly) watch.readMappings();
    } else watch.probe(mainOnly);
    if (now - this.lastDecideMs >= DECIDE_MS) {
      this.lastDecideMs = now;
      this.decide(now);
    }
  }

  private decide(now: number): void {
    const watch = this.watch!;
    const read = [...watch.files.values()].filter((f) => !f.written);
    if (read.length > 0 || watch.processes().some((p) => p.isWorker)) this.activeSinceMs ||= now;
    for (const d of this.datasets)
      for (const f of read)
        if (f.lastAtMs > d.lastReadMs && isUnder(f.path, [d.path])) this.readUnder(d, f.lastAtMs);
    if (this.findDatasets) this.findDataset(now);
    for (const f of watch.files.values())
      if (f.written && this.o.findCheckpoints) {
        const bytes = sizeOf(f.path);
        if (bytes >= this.o.minCheckpointBytes) this.checkpointWritten(f.path, bytes, 'the job wrote');
      }
    this.warnUnread(now);
    // what was decided is forgotten: files under known datasets, and written files (all, past a bound)
    const many = watch.files.size > MAX_FILES;
    watch.forget(
      [...watch.files.values()]
        .filter((f) => many || f.written || this.datasets.some((d) => isUnder(f.path, [d.path])))
        .map((f) => f.path),
    );
    this.arm();
  }

  private findDataset(now: number): void {
    const watch = this.watch!;
    // read once the job runs its script (a launched job may not have exec'd at the start)
    if (!this.argsRead) {
      const cmd = readProcOnce(`/proc/${this.o.rootPid}/cmdline`);
      if (cmd.ok) this.cmdline = parseCmdline(cmd.text);
      this.args = this.commandLineArguments();
      this.argsRead = true;
    }
    const d = decidePaths(
      {
        files: watch.files,
        processes: watch.processes(),
        cwd: this.cwd,
        cmdline: this.cmdline,
        watchedMs: now - this.startedMs,
        cpuMs: 0,
      },
      this.args,
      { minCheckpointBytes: this.o.minCheckpointBytes, jobDirs: this.cwd ? [this.cwd] : [] },
    );
    const patient = now - this.startedMs >= (this.o.patienceS ?? 10) * 1000;
    const take = d.datasets.filter((f) => f.chosen && (f.confidence === 'high' || patient));
    for (const f of take) this.foundDataset(f, now);
  }

  private foundDataset(f: FoundPath, now: number): void {
    if (this.datasets.some((d) => d.path === f.path)) return;
    this.findDatasets = false;
    const read = !f.evidence.some((e) => e.startsWith('no file'));
    this.datasets.push({ path: f.path, lastReadMs: read ? now : 0, warned: false });
    this.say(foundNote(f));
    this.o.onFound(f.path, 'dataset');
  }

  private checkpointWritten(path: string, bytes: number, how: string): void {
    if (bytes < this.o.minCheckpointBytes) return;
    const dir = dirname(path);
    if (this.checkpoints.some((c) => c === dir || isUnder(dir, [c]))) return;
    if (this.datasets.some((d) => d.path === dir || isUnder(dir, [d.path]))) return;
    this.checkpoints.push(dir);
    this.say(
      foundNote({
        path: dir,
        role: 'checkpoint',
        confidence: 'high',
        evidence: [`${how} ${path} (${megabytes(bytes)})`],
        exists: true,
        chosen: true,
      }),
    );
    this.o.onFound(dir, 'checkpoint');
  }

  private readUnder(d: WatchedDataset, atMs: number): void {
    if (d.warned && d.lastReadMs === 0)
      this.say(readAfterAllNote(d.path, (atMs - this.ctx!.startedAtMs) / 1000));
    d.lastReadMs = Math.max(d.lastReadMs, atMs);
  }

  private warnUnread(now: number): void {
    const idleMs = (this.o.idleS ?? 20) * 1000;
    if (!this.activeSinceMs || now - Math.max(this.activeSinceMs, this.startedMs) < idleMs) return;
    for (const d of this.datasets) {
      if (d.warned || d.lastReadMs > 0) continue;
      d.warned = true;
      const elsewhere = [...this.watch!.files.values()].filter(
        (f) => !f.written && !isUnder(f.path, [d.path]),
      );
      const roots = groupIntoRoots(
        elsewhere.map((f) => ({
          path: f.path,
          pids: [...f.pids],
          workerPids: [...f.workerPids],
          mapped: f.mapped,
        })),
        this.cwd ? [this.cwd] : [],
      ).map((r) => r.path);
      this.say(
        unreadDatasetNote(
          d.path,
          (now - Math.max(this.activeSinceMs, this.startedMs)) / 1000,
          roots.slice(0, 3),
        ),
      );
    }
  }

  private commandLineArguments(): ArgumentPath[] {
    const at = scriptIndex(this.cmdline);
    let text: string | undefined;
    if (at >= 0) {
      const raw = this.cmdline[at];
      const script = isAbsolute(raw) ? raw : this.cwd ? resolve(this.cwd, raw) : undefined;
      const r = script ? readProcOnce(script) : undefined;
      text = r?.ok ? r.text : undefined;
    }
    return argumentPaths(this.cmdline, this.cwd, text);
  }

  private say(n: PathNote): void {
    this.ctx?.sink.emit({
      type: 'note',
      s: this.ctx.now(),
      level: n.level,
      message: n.message,
      about: 'paths',
    });
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
