/**
 * Records one session: validates the request, attaches to or launches the target, runs every source
 * with one SourceContext, appends each record to the session file and feeds it to the analyses.
 * A source's failure never ends the session (it becomes a note); the session ends — with everything
 * recorded so far — when the target exits, the duration passes, or `stop()` is called.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, hostname, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type {
  EndRecord,
  EnvironmentInfo,
  HeaderRecord,
  NoteRecord,
  SessionRecord,
  SessionReport,
  TargetInfo,
} from '../../shared/model';
import { RECORDING_SCHEMA } from '../../shared/model';
import type { Settings } from '../../shared/settings';
import { SessionAnalyzer } from '../analysis/sessionAnalyzer';
import { buildHookEnv } from '../hook/hookEnv';
import { collectEnvironment } from '../system/envInfo';
import { secondsSince, type Source, type SourceContext } from '../source';
import { ReportThrottle } from './reportThrottle';
import { watchRoot } from './rootWatch';
import { spaceWarning } from './diskSpace';
import { movedText, moveFailedText, resumedText, stoppedText } from './fileStateText';
import { SessionWriter, type RelocateResult, type WriteTrouble } from './sessionWriter';
import type { MoveOptions } from './sessionMove';
import { awaitedDirectories, DirectoryArrivals, type AwaitedDirectory } from './awaitedDirectories';
import { planSources, type SourcePlan } from './sourcePlan';
import { PathFinding, type PathFindingRequest } from '../discovery/pathFinding';
import { attachTarget, launchCommand, type Launched } from './targetStart';

export type RecordTarget =
  /** `command`: what the process was started with, where the caller launched it (see validateAttachTarget) */
  { pid: number; command?: string[] } | { command: string[]; cwd?: string; env?: NodeJS.ProcessEnv };

export interface RecordRequest extends PathFindingRequest {
  target: RecordTarget;
  /** the session file (JSON lines) */
  out: string;
  datasets: string[];
  checkpoints: string[];
  settings: Settings;
  /** stop recording after this many seconds (a launched job keeps running) */
  durationS?: number;
  /** inject the Python hook into a launched command (default: settings.hook) */
  hook?: boolean;
  /** read the hook stream of a process launched elsewhere (e.g. the editor's terminal) */
  hookOut?: string;
  stdio?: 'inherit' | 'pipe' | 'ignore';
  /**
   * how a job launched elsewhere ended (the editor's terminal knows its exit code and stderr); asked
   * for when the attached root exits, and waited for at most EXIT_STATUS_WAIT_MS
   */
  exitStatus?: () => Promise<ExitStatus | undefined>;
}

export interface ExitStatus {
  code: number | null;
  signal?: string | null;
  stderrTail?: string;
}

const SOURCE_STOP_TIMEOUT_MS = 3000;
const EXIT_GRACE_MS = 200;
const EXIT_STATUS_WAIT_MS = 3000;
/** at the end, how long the records kept in memory may take to reach the file */
const WRITE_DRAIN_MS = 2000;

export class Recorder {
  readonly finished: Promise<SessionReport>;
  private resolveFinished: (r: SessionReport) => void = () => undefined;
  private readonly analyzer: SessionAnalyzer;
  private readonly recordListeners = new Set<(r: SessionRecord) => void>();
  private readonly throttle: ReportThrottle;
  private sources: Source[] = [];
  private ending: Promise<SessionReport> | undefined;
  private open = true;
  private durationTimer: NodeJS.Timeout | undefined;
  /** the hook file this recorder made (removed at the end) */
  private ownHookFile: string | undefined;
  private stopRootWatch: () => void = () => undefined;
  /** folders that did not exist at the start, waited for while recording */
  private waiting: AwaitedDirectory[] = [];
  private arrivals: DirectoryArrivals | undefined;
  private finding: PathFinding | undefined;
  private readonly failures = new Set<string>();

  private constructor(
    private readonly writer: SessionWriter,
    readonly target: TargetInfo,
    private readonly startedAtMs: number,
    private readonly settings: Settings,
    readonly child: ChildProcess | undefined,
  ) {
    this.analyzer = new SessionAnalyzer({ settings });
    this.throttle = new ReportThrottle(() => this.analyzer.report());
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.writer.onTrouble((t) => this.writeTrouble(t));
  }

  get file(): string {
    return this.writer.file;
  }

  /** Validates everything, then starts the target (launch) and every source. */
  static async start(request: RecordRequest): Promise<Recorder> {
    const attached =
      'pid' in request.target ? attachTarget(request.target.pid, request.target.command) : undefined;
    // folders not given are found from what the job does (attached: by watching it a moment now)
    const finding = await PathFinding.before(request);
    const req = finding
      ? { ...request, datasets: finding.datasets, checkpoints: finding.checkpoints }
      : request;
    // a folder that does not exist yet is waited for; one that can never appear is an error
    const waiting = awaitedDirectories(req.datasets, req.checkpoints);
    const env = await environment();
    const writer = SessionWriter.create(req.out);
    const hook = !attached && (req.hook ?? req.settings.hook);
    let hookOut = req.hookOut;
    let launched: Launched | undefined;
    const startedAtMs = Date.now();
    if (!('pid' in req.target)) {
      try {
        let jobEnv = req.target.env ?? process.env;
        if (hook) {
          hookOut ??= hookStreamFile();
          jobEnv = buildHookEnv(jobEnv, { outPath: hookOut, datasets: req.datasets });
        }
        launched = await launchCommand(req.target.command, {
          cwd: req.target.cwd,
          env: jobEnv,
          stdio: req.stdio ?? 'inherit',
        });
      } catch (e) {
        await writer.close();
        rmSync(req.out, { force: true });
        throw e;
      }
    }
    // a job started elsewhere with the hook (the extension's terminal) is recorded in launch mode
    const target = launched?.target ?? (req.hookOut ? { ...attached!, mode: 'launch' as const } : attached!);
    const recorder = new Recorder(writer, target, startedAtMs, req.settings, launched?.child);
    if (hookOut !== req.hookOut) recorder.ownHookFile = hookOut;
    recorder.waiting = waiting;
    recorder.finding = finding;
    recorder.begin(req, env, hook, hookOut, launched);
    return recorder;
  }

  /** the report now (live) */
  report(): SessionReport {
    return this.analyzer.report();
  }

  /** a new report at most 4 times a second while records arrive; returns the unsubscribe */
  onReport(listener: (r: SessionReport) => void): () => void {
    return this.throttle.subscribe(listener);
  }

  onRecord(listener: (r: SessionRecord) => void): () => void {
    this.recordListeners.add(listener);
    return () => this.recordListeners.delete(listener);
  }

  /** an error that escaped a source (thrown from its timer): noted, the session goes on */
  noteFailure(e: unknown): void {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    if (this.failures.has(message)) return;
    this.failures.add(message);
    this.note('warning', `a sampler failed and was skipped: ${message}`);
  }

  /**
   * Moves the session to another file (e.g. when its disk is full): everything recorded so far is
   * written there and recording goes on there; noted either way (the reason when it stays).
   */
  async moveSession(file: string, options: MoveOptions = {}): Promise<RelocateResult> {
    const from = this.writer.file;
    const result = await this.writer.relocate(file, options);
    if (!result.moved && this.open) {
      this.note(
        'warning',
        moveFailedText(from, file, result.why, this.writer.error !== undefined),
        'session-file',
      );
    }
    return result;
  }

  stop(): Promise<SessionReport> {
    return this.end({ type: 'end', s: this.now(), reason: 'stopped' });
  }

  private begin(
    req: RecordRequest,
    env: EnvironmentInfo,
    hook: boolean,
    hookOut: string | undefined,
    launched: Launched | undefined,
  ): void {
    const header: HeaderRecord = {
      type: 'header',
      schema: RECORDING_SCHEMA,
      startedAtMs: this.startedAtMs,
      target: this.target,
      datasets: req.datasets,
      checkpoints: req.checkpoints,
      intervalMs: this.settings.treeIntervalMs,
      hook: hook || hookOut !== undefined,
      env,
      settings: this.settings,
    };
    this.emit(header);
    const short = spaceWarning(req.out, this.settings.treeIntervalMs, req.durationS);
    if (short) this.note('warning', short, 'session-file');
    const ctx: SourceContext = {
      startedAtMs: this.startedAtMs,
      settings: this.settings,
      sink: { emit: (r) => this.emit(r) },
      now: () => this.now(),
      note: (level, message) => this.note(level, message),
    };
    const plan = planSources({
      rootPid: this.target.pid,
      datasets: req.datasets,
      checkpoints: req.checkpoints,
      settings: this.settings,
      hookOut,
      waiting: new Set(this.waiting.map((d) => d.path)),
    });
    this.sources = plan.sources;
    for (const source of this.sources) this.startSource(source, ctx);
    this.arrivals = new DirectoryArrivals(ctx, (dir) => {
      if (this.ending) return;
      for (const source of plan.forDirectory(dir.path, dir.role)) {
        this.sources.push(source);
        this.startSource(source, ctx);
      }
    });
    for (const dir of this.waiting) this.arrivals.wait(dir);
    if (this.finding) this.watchPaths(this.finding, plan, ctx);
    if (launched) {
      void launched.exited.then(({ code, signal }) =>
        this.end({ type: 'end', s: this.now(), reason: 'exited', exitCode: code, signal }),
      );
    } else {
      const root = watchRoot(this.target.pid);
      this.stopRootWatch = root.stop;
      void Promise.race([plan.rootExited, root.exited]).then(async () => {
        const s = this.now();
        const told = req.exitStatus ? await within(req.exitStatus(), EXIT_STATUS_WAIT_MS) : undefined;
        const tail = told?.stderrTail ? { stderrTail: told.stderrTail } : {};
        const signal = told?.signal ? { signal: told.signal } : {};
        return this.end({
          type: 'end',
          s,
          reason: 'exited',
          exitCode: told?.code ?? null,
          ...signal,
          ...tail,
        });
      });
    }
    if (req.durationS !== undefined && req.durationS > 0) {
      this.durationTimer = setTimeout(
        () => void this.end({ type: 'end', s: this.now(), reason: 'duration' }),
        req.durationS * 1000,
      );
    }
  }

  /** What was found before the start (notes), and the watch that finds the rest and starts its sources. */
  private watchPaths(finding: PathFinding, plan: SourcePlan, ctx: SourceContext): void {
    for (const n of finding.notes()) this.emit({ type: 'note', s: this.now(), ...n, about: 'paths' });
    const watch = finding.watch(this.target.pid, (dir, role) => {
      if (this.ending) return;
      for (const source of plan.forDirectory(dir, role)) {
        this.sources.push(source);
        this.startSource(source, ctx);
      }
    });
    this.sources.push(watch);
    this.startSource(watch, ctx);
    this.onRecord((r) => watch.observe(r));
  }

  private startSource(source: Source, ctx: SourceContext): void {
    try {
      const started = source.start(ctx);
      if (started) void started.catch((e: unknown) => this.sourceFailed(source, e));
    } catch (e) {
      this.sourceFailed(source, e);
    }
  }

  private sourceFailed(source: Source, e: unknown): void {
    this.note('warning', `${source.name} stopped working: ${e instanceof Error ? e.message : String(e)}`);
  }

  private emit(r: SessionRecord): void {
    if (!this.open) return;
    this.writer.write(r);
    this.analyzer.add(r);
    for (const l of this.recordListeners) {
      try {
        l(r);
      } catch {
        // a listener's failure is its own
      }
    }
    this.throttle.changed();
  }

  private note(level: NoteRecord['level'], message: string, about?: NoteRecord['about']): void {
    this.emit({ type: 'note', s: this.now(), level, message, ...(about ? { about } : {}) });
  }

  /** the session file stopped (disk full, I/O error) or resumed: said at once, as a note */
  private writeTrouble(t: WriteTrouble): void {
    if (!this.open) return;
    const message =
      t.kind === 'stopped'
        ? stoppedText(t.code, t.atS)
        : t.kind === 'moved'
          ? movedText(t.from, t.to, t.atS, t.stoppedAtS)
          : resumedText(t.atS, t.lostRecords);
    this.note('warning', message, 'session-file');
  }

  private now(): number {
    return secondsSince(this.startedAtMs);
  }

  private end(record: EndRecord): Promise<SessionReport> {
    this.ending ??= this.finish(record);
    return this.ending;
  }

  private async finish(record: EndRecord): Promise<SessionReport> {
    if (this.durationTimer) clearTimeout(this.durationTimer);
    this.stopRootWatch();
    this.arrivals?.stop();
    // the job just ended: let the watchers deliver what the kernel already told them
    if (record.reason === 'exited') await new Promise((r) => setTimeout(r, EXIT_GRACE_MS));
    await Promise.all(this.sources.map((s) => stopWithin(s, SOURCE_STOP_TIMEOUT_MS)));
    await this.writer.drain(WRITE_DRAIN_MS);
    // after a write failure the end record says what the file holds (itself included)
    const state = this.writer.fileState();
    const claimed = state && { ...state, writtenRecords: state.writtenRecords + this.writer.keptRecords + 1 };
    this.emit(claimed ? { ...record, file: claimed } : record);
    this.open = false;
    await this.writer.close();
    const final = this.writer.fileState();
    if (claimed && final && final.writtenRecords < claimed.writtenRecords) {
      this.analyzer.noteOnce(
        'warning',
        `the session file has no end record: its last ${claimed.writtenRecords - final.writtenRecords} records never reached it (${final.error ?? 'write error'}); this summary has them`,
      );
    }
    if (this.ownHookFile) rmSync(this.ownHookFile, { force: true });
    const report = this.analyzer.report();
    // the summary tells what the file really holds when even the end record could not be written
    if (report.ended && claimed && final && final.writtenRecords < claimed.writtenRecords) {
      report.ended = { ...report.ended, file: final };
    }
    this.throttle.close(report);
    this.resolveFinished(report);
    return report;
  }
}

/** the hook's event file, in the temp folder; removed when the session ends */
function hookStreamFile(): string {
  return join(tmpdir(), `trainio-hook-${process.pid}-${Date.now()}.jsonl`);
}

/** the promise's value, or undefined when it fails or takes longer than `ms` */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([p.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function stopWithin(source: Source, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([source.stop().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function environment(): Promise<EnvironmentInfo> {
  try {
    return await collectEnvironment();
  } catch {
    return { host: hostname(), kernel: release(), cpus: cpus().length, memBytes: totalmem() };
  }
}
