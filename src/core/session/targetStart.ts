/**
 * The recorder's way to the target process: attach to a PID (validated first) or launch a command.
 * One place, so the recorder does not care how either is done.
 */
import type { ChildProcess } from 'node:child_process';
import type { TargetInfo } from '../../shared/model';
import { validateAttachTarget } from '../target/attach';
import { launchTarget } from '../target/launch';

export interface Launched {
  child: ChildProcess;
  target: TargetInfo;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function attachTarget(pid: number, knownCommand?: string[]): TargetInfo {
  return validateAttachTarget(pid, knownCommand);
}

/** starts the command; rejects with LAUNCH_FAILED when it cannot run */
export function launchCommand(
  command: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdio: 'inherit' | 'pipe' | 'ignore' },
): Promise<Launched> {
  const launched = launchTarget(command, opts);
  // a spawn error (e.g. EACCES after the executable check) comes as a rejection of `exited`
  return new Promise((resolve, reject) => {
    launched.child.once('spawn', () => resolve(launched));
    launched.exited.catch(reject);
  });
}
