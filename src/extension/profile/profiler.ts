/**
 * "Profile Training I/O": pick a running job (or launch the active Python file), confirm its
 * datasets and checkpoint folders, start recording, show the panel. Also runs without any UI when
 * given `{ pid | command, datasets?, checkpoints? }` (scripts, keybindings, tests).
 */
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { TrainioError } from '../../core/errors';
import { Recorder } from '../../core/session/recorder';
import { listTrainingCandidates } from '../../core/target/processList';
import type { Settings } from '../../shared/settings';
import { LiveSession, type ProfiledSession } from '../sessions/profiledSession';
import type { SessionList } from '../sessions/sessionList';
import { askLaunchArguments, rememberLaunch, type LaunchChoice } from './launchArguments';
import { launchInTerminal } from './launchInTerminal';
import type { JobContext } from './pathCandidates';
import { inferTrainingPaths, pickTrainingPaths, type TrainingPaths } from './pathsPicker';
import { pickTarget, scriptOf } from './targetPicker';
import { choosePaths, clearChoice, lookAtJob } from './foundPaths';

export interface ProfileArgs {
  pid?: number;
  command?: string[];
  cwd?: string;
  datasets?: string[];
  checkpoints?: string[];
  /** stop recording after this many seconds */
  durationS?: number;
  /** launchActiveFile: the script's arguments (given: no prompt) */
  args?: string[];
  /** added to the launched job's environment */
  env?: Record<string, string>;
}

export function isProfileArgs(x: unknown): x is ProfileArgs {
  if (typeof x !== 'object' || x === null) return false;
  const a = x as Record<string, unknown>;
  const strings = (v: unknown): boolean =>
    v === undefined || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
  return (
    (a.pid === undefined || (typeof a.pid === 'number' && Number.isInteger(a.pid))) &&
    strings(a.command) &&
    strings(a.datasets) &&
    strings(a.checkpoints) &&
    strings(a.args) &&
    (a.env === undefined ||
      (typeof a.env === 'object' &&
        a.env !== null &&
        Object.values(a.env).every((v) => typeof v === 'string'))) &&
    (a.cwd === undefined || typeof a.cwd === 'string') &&
    (a.durationS === undefined || typeof a.durationS === 'number')
  );
}

export interface ProfilerDeps {
  state: vscode.Memento;
  sessions: SessionList;
  /** folder for new session files */
  sessionsDir: () => vscode.Uri;
  settings: () => Settings;
  pythonCommand: () => string[];
  showPanel: (session: ProfiledSession) => void;
}

function stamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function folderOf(path?: string): string | undefined {
  if (!path) return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return (
    vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path))?.uri.fsPath ??
    vscode.workspace.workspaceFolders?.[0]?.uri.fsPath
  );
}

async function describeProcess(pid: number): Promise<{ command: string[]; cwd?: string } | undefined> {
  return (await listTrainingCandidates()).find((c) => c.pid === pid);
}

function activePythonFile(): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && doc.languageId === 'python' && doc.uri.scheme === 'file' ? doc : undefined;
}

export class Profiler {
  constructor(private readonly deps: ProfilerDeps) {}

  private sessionFile(job: JobContext, pid?: number): string {
    const name = job.script ? basename(job.script, '.py') : pid ? `pid${pid}` : 'job';
    return vscode.Uri.joinPath(
      this.deps.sessionsDir(),
      `${stamp()}-${name.replace(/[^\w.-]/g, '_')}.trainio.jsonl`,
    ).fsPath;
  }

  private globs(): { datasets: string[]; checkpoints: string[] } {
    const s = this.deps.settings();
    return { datasets: s.datasetGlobs, checkpoints: s.checkpointGlobs };
  }

  /** The folders to watch; those the job has not created yet are waited for by the recording. */
  private async paths(job: JobContext, args: ProfileArgs, ask: boolean): Promise<TrainingPaths | undefined> {
    const paths =
      args.datasets || args.checkpoints
        ? { datasets: args.datasets ?? [], checkpoints: args.checkpoints ?? [] }
        : ask
          ? await pickTrainingPaths(this.deps.state, job, this.globs())
          : await inferTrainingPaths(this.deps.state, job, this.globs());
    return paths;
  }

  /** The command: returns the new session's file, or undefined when the user cancelled. */
  async profile(args?: ProfileArgs): Promise<string | undefined> {
    if (args?.pid !== undefined) {
      // the job's command line and folder tell which folders it uses, unless they are given
      const known = args.datasets || args.checkpoints ? undefined : await describeProcess(args.pid);
      return this.attach(args.pid, { ...args, cwd: args.cwd ?? known?.cwd }, false, known?.command);
    }
    if (args?.command) return this.launch(args.command, args.cwd, args, false);
    const active = activePythonFile();
    const target = await pickTarget(active?.uri.fsPath);
    if (!target) return undefined;
    if (target.kind === 'launch') return this.launchActiveFile();
    const c = target.candidate;
    return this.attach(c.pid, { cwd: c.cwd }, true, c.command);
  }

  /**
   * "Launch active Python file…": saves it, asks for its arguments (or a launch.json configuration)
   * and its folders, runs it in a terminal.
   */
  async launchActiveFile(args: ProfileArgs = {}): Promise<string | undefined> {
    let doc = activePythonFile();
    if (!doc) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { Python: ['py'] },
        openLabel: 'Launch and profile',
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      });
      if (!picked?.[0]) return undefined;
      doc = await vscode.workspace.openTextDocument(picked[0]);
    }
    if (doc.isDirty) await doc.save();
    const file = doc.uri.fsPath;
    const choice: LaunchChoice | undefined = args.args
      ? { args: args.args, cwd: args.cwd, env: args.env }
      : await askLaunchArguments(this.deps.state, file);
    if (!choice) return undefined;
    const program = choice.module ? ['-m', choice.module] : [choice.program ?? file];
    const cwd = choice.cwd ?? args.cwd ?? folderOf(file) ?? dirname(file);
    const command = [...this.deps.pythonCommand(), ...program, ...choice.args];
    const ask = !args.datasets && !args.checkpoints;
    const started = await this.launch(command, cwd, { ...args, env: choice.env ?? args.env }, ask);
    if (started) await rememberLaunch(this.deps.state, file, choice);
    return started;
  }

  private async attach(
    pid: number,
    args: ProfileArgs,
    ask: boolean,
    knownCommand?: string[],
  ): Promise<string | undefined> {
    const command = knownCommand ?? [];
    const script = scriptOf(command, args.cwd);
    const job: JobContext = { script, argv: command, cwd: args.cwd, folder: folderOf(script ?? args.cwd) };
    // what the job reads and writes says which folders it uses; ask only when that is not clear
    const given = args.datasets !== undefined || args.checkpoints !== undefined;
    const found = given ? undefined : await lookAtJob(pid, this.deps.settings().minCheckpointBytes);
    const choice = found && (ask ? await choosePaths(found) : clearChoice(found));
    if (choice === 'cancelled') return undefined;
    const paths = choice?.paths ?? (await this.paths(job, args, ask));
    if (!paths) return undefined;
    const recorder = await Recorder.start({
      target: { pid },
      out: this.sessionFile(job, pid),
      datasets: paths.datasets,
      checkpoints: paths.checkpoints,
      settings: this.deps.settings(),
      durationS: args.durationS,
      findPaths: true,
      found: choice?.found,
    });
    return this.follow(recorder);
  }

  private async launch(
    command: string[],
    cwd: string | undefined,
    args: ProfileArgs,
    ask: boolean,
  ): Promise<string | undefined> {
    if (command.length === 0) throw new TrainioError('USAGE', 'no command to launch');
    const script = scriptOf(command, cwd);
    const job: JobContext = { script, argv: command, cwd, folder: folderOf(script ?? cwd) };
    const paths = await this.paths(job, args, ask);
    if (!paths) return undefined;
    const settings = this.deps.settings();
    const out = this.sessionFile(job);
    const launched = await launchInTerminal({
      command,
      cwd,
      env: args.env,
      datasets: paths.datasets,
      hook: settings.hook,
      sessionFile: out,
    });
    let recorder: Recorder;
    try {
      recorder = await Recorder.start({
        target: { pid: launched.pid, command },
        out,
        datasets: paths.datasets,
        checkpoints: paths.checkpoints,
        settings,
        durationS: args.durationS,
        hookOut: launched.hookOut,
        exitStatus: launched.exitStatus,
      });
    } catch (e) {
      // a job that fails at once may be gone before the recording could attach: say why it ended
      const status = await launched.exitStatus();
      launched.cleanUp();
      const last = status?.stderrTail?.split('\n').at(-1);
      if (status && status.code !== 0)
        throw new TrainioError(
          'LAUNCH_FAILED',
          `the job ${status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`} before the recording started${last ? `: ${last}` : ''}`,
        );
      throw e;
    }
    void recorder.finished.finally(() => launched.cleanUp());
    return this.follow(recorder);
  }

  private follow(recorder: Recorder): string {
    const session = this.deps.sessions.add(new LiveSession(recorder));
    this.deps.showPanel(session);
    return session.file;
  }
}
