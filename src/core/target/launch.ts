/**
 * Starts the training command (launch mode) from an argument array — never through a shell — and
 * reports its exit.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import * as path from 'node:path';
import type { TargetInfo } from '../../shared/model';
import { TrainioError } from '../errors';
import { findExecutable } from './executable';

export interface LaunchOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
}

export interface LaunchedTarget {
  child: ChildProcess;
  target: TargetInfo;
  /** resolves when the process has exited; rejects with LAUNCH_FAILED if it could not start */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function launchTarget(command: string[], opts: LaunchOptions = {}): LaunchedTarget {
  if (command.length === 0 || command[0] === '') {
    throw new TrainioError(
      'USAGE',
      'no command to launch — put it after "--", e.g. trainio record -- python train.py',
    );
  }
  const name = command[0];
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const lookIn = name.includes('/') ? path.resolve(cwd, name) : name;
  if (findExecutable(lookIn, env.PATH ?? '') === null) {
    throw new TrainioError('LAUNCH_FAILED', `cannot run "${name}": command not found or not executable`);
  }
  const child = spawn(name, command.slice(1), { cwd, env, stdio: opts.stdio ?? 'inherit', shell: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(new TrainioError('LAUNCH_FAILED', `cannot run "${name}": ${e.code ?? e.message}`)),
    );
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  if (child.pid === undefined) {
    // spawn failed synchronously; the error event carries the reason
    void exited.catch(() => undefined);
    throw new TrainioError('LAUNCH_FAILED', `cannot run "${name}"`);
  }
  const target: TargetInfo = { mode: 'launch', pid: child.pid, command: [...command], cwd };
  return { child, target, exited };
}
