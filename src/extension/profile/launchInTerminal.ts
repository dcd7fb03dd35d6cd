/**
 * Launch mode in the editor: the script runs in an integrated terminal (the user sees its output and
 * can type into it) with the trainio hook in its environment, through the small bash wrapper of
 * terminalWrapper.ts; the recorder follows the job's own PID, and learns its exit code and the tail
 * of its stderr from the wrapper's files when it ends. A failed job's terminal stays open.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { buildHookEnv } from '../../core/hook/hookEnv';
import { TrainioError } from '../../core/errors';
import type { ExitStatus } from '../../core/session/recorder';
import { exitOfStatus, stderrTail, WRAPPER_SHELL, wrapperArgs, type WrapperFiles } from './terminalWrapper';

export interface TerminalLaunch {
  terminal: vscode.Terminal;
  /** the job's PID (not the terminal's shell) */
  pid: number;
  /** the file the hook writes to; undefined without the hook */
  hookOut?: string;
  /** resolves once the job ended: its exit status and, when it failed, the tail of its stderr */
  exitStatus(): Promise<ExitStatus | undefined>;
  /** removes the wrapper's files (call after the session ended) */
  cleanUp(): void;
}

export interface LaunchRequest {
  /** program and arguments, e.g. ['/usr/bin/env', 'python3', '/ws/train.py'] */
  command: string[];
  cwd?: string;
  /** added to the extension host's environment (launch.json `env`) */
  env?: Record<string, string>;
  datasets: string[];
  hook: boolean;
  /** where the session is recorded; the hook output and the wrapper's files go next to it */
  sessionFile: string;
}

const PID_WAIT_MS = 10_000;
const EXIT_WAIT_MS = 2500;
const POLL_MS = 20;
/** the stderr copy is cut back to its tail when it grows past this (a long run's logging) */
const STDERR_KEEP_BYTES = 64 * 1024;
const STDERR_TRIM_BYTES = 1024 * 1024;
const TRIM_EVERY_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readWhenWritten(file: string, ms: number): Promise<string | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      if (text.endsWith('\n')) return text.trim();
    }
    if (Date.now() > deadline) return undefined;
    await sleep(POLL_MS);
  }
}

function lastBytes(file: string, n: number): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const len = Math.min(size, n);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Keeps the stderr copy small while the job runs: tee appends, so cutting the file is safe. */
class StderrCopy {
  private carried = '';
  private readonly timer: NodeJS.Timeout;

  constructor(readonly file: string) {
    this.timer = setInterval(() => this.trim(), TRIM_EVERY_MS);
  }

  private trim(): void {
    try {
      if (!existsSync(this.file) || statSync(this.file).size < STDERR_TRIM_BYTES) return;
      this.carried = lastBytes(this.file, STDERR_KEEP_BYTES);
      truncateSync(this.file, 0);
    } catch {
      // the tail is a convenience; the terminal has everything
    }
  }

  tail(): string {
    clearInterval(this.timer);
    return stderrTail((this.carried + lastBytes(this.file, STDERR_KEEP_BYTES)).slice(-STDERR_KEEP_BYTES));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export async function launchInTerminal(request: LaunchRequest): Promise<TerminalLaunch> {
  const [program] = request.command;
  if (!program) throw new TrainioError('USAGE', 'no command to launch');
  const hookOut = request.hook ? `${request.sessionFile}.hook` : undefined;
  const files: WrapperFiles = {
    pidFile: `${request.sessionFile}.pid`,
    stderrFile: `${request.sessionFile}.stderr`,
    exitFile: `${request.sessionFile}.exit`,
  };
  for (const f of Object.values(files)) rmSync(f, { force: true });
  const base = { ...process.env, ...request.env };
  const env = hookOut ? buildHookEnv(base, { outPath: hookOut, datasets: request.datasets }) : base;
  const script = request.command.find((a, i) => i > 0 && a.endsWith('.py'));
  const terminal = vscode.window.createTerminal({
    name: `Training I/O: ${script ? basename(script) : basename(program)}`,
    shellPath: WRAPPER_SHELL,
    shellArgs: wrapperArgs(request.command, files),
    cwd: request.cwd,
    env: env as Record<string, string>,
    iconPath: new vscode.ThemeIcon('pulse'),
    isTransient: true,
  });
  terminal.show(true);
  const cleanUp = (): void => {
    for (const f of Object.values(files)) rmSync(f, { force: true });
  };
  const pidText = await readWhenWritten(files.pidFile, PID_WAIT_MS);
  const pid = Number(pidText);
  if (!pidText || !Number.isInteger(pid) || pid <= 0) {
    terminal.dispose();
    cleanUp();
    throw new TrainioError('LAUNCH_FAILED', `cannot start ${request.command.join(' ')} in a terminal`);
  }
  const stderr = new StderrCopy(files.stderrFile);
  const exitStatus = async (): Promise<ExitStatus | undefined> => {
    const status = await readWhenWritten(files.exitFile, EXIT_WAIT_MS);
    if (status === undefined || !/^\d+$/.test(status)) {
      stderr.stop();
      return undefined;
    }
    const exit = exitOfStatus(Number(status));
    const failed = exit.code !== 0;
    const tail = failed ? stderr.tail() : (stderr.stop(), '');
    return { ...exit, ...(tail ? { stderrTail: tail } : {}) };
  };
  return {
    terminal,
    pid,
    hookOut,
    exitStatus,
    cleanUp: () => {
      stderr.stop();
      cleanUp();
    },
  };
}
