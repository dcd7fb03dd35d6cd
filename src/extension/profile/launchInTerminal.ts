/**
 * Launch mode in the editor: the script runs in an integrated terminal (the user sees its output and
 * can type into it) with the trainio hook in its environment; the recorder then follows that
 * process and reads what the hook writes.
 */
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { buildHookEnv } from '../../core/hook/hookEnv';
import { TrainioError } from '../../core/errors';

export interface TerminalLaunch {
  terminal: vscode.Terminal;
  pid: number;
  /** the file the hook writes to; undefined without the hook */
  hookOut?: string;
}

export interface LaunchRequest {
  /** program and arguments, e.g. ['/usr/bin/env', 'python3', '/ws/train.py'] */
  command: string[];
  cwd?: string;
  datasets: string[];
  hook: boolean;
  /** where the session is recorded; the hook output goes next to it */
  sessionFile: string;
}

export async function launchInTerminal(request: LaunchRequest): Promise<TerminalLaunch> {
  const [program, ...args] = request.command;
  if (!program) throw new TrainioError('USAGE', 'no command to launch');
  const hookOut = request.hook
    ? join(dirname(request.sessionFile), `${basename(request.sessionFile)}.hook`)
    : undefined;
  const env = hookOut
    ? buildHookEnv(process.env, { outPath: hookOut, datasets: request.datasets })
    : undefined;
  const script = args.find((a) => a.endsWith('.py'));
  const terminal = vscode.window.createTerminal({
    name: `Training I/O: ${script ? basename(script) : basename(program)}`,
    shellPath: program,
    shellArgs: args,
    cwd: request.cwd,
    env: env as Record<string, string> | undefined,
    iconPath: new vscode.ThemeIcon('pulse'),
    isTransient: true,
  });
  terminal.show(true);
  const pid = await terminal.processId;
  if (pid === undefined) {
    terminal.dispose();
    throw new TrainioError('LAUNCH_FAILED', `cannot start ${request.command.join(' ')} in a terminal`);
  }
  return { terminal, pid, hookOut };
}
