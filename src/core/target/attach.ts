/**
 * Checks that a running process can be profiled (attach mode) and describes it. Errors are one
 * line that says what to do.
 */
import type { TargetInfo } from '../../shared/model';
import { TrainioError } from '../errors';
import { readProcLink, readProcOnce } from '../proc/procFile';
import { parseCmdline, parseStat } from '../proc/procParsers';
import { processUid, userName } from './procOwner';

/**
 * `knownCommand`: the command the process was started with, where the caller launched it — used
 * when its cmdline is gone (a process that is exiting has released its memory, and its cmdline
 * reads empty, while its stat still names it)
 */
export function validateAttachTarget(pid: number, knownCommand?: string[]): TargetInfo {
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new TrainioError('USAGE', `"${pid}" is not a process ID — give the PID of the training process`);
  }
  const stat = readProcOnce(`/proc/${pid}/stat`);
  const parsed = stat.ok ? parseStat(stat.text) : null;
  if (parsed === null) {
    throw new TrainioError('PID_NOT_FOUND', `no process with PID ${pid} — is the training still running?`);
  }
  if (parsed.state === 'Z' || parsed.state === 'X') {
    throw new TrainioError('PID_EXITED', `process ${pid} (${parsed.comm}) has already exited`);
  }
  const io = readProcOnce(`/proc/${pid}/io`);
  if (!io.ok && io.reason === 'denied') {
    const uid = processUid(pid);
    const owner = uid === null ? 'another user' : `user ${userName(uid)}`;
    const runAs = uid === null ? 'that user' : userName(uid);
    throw new TrainioError(
      'PID_NOT_OURS',
      `process ${pid} (${parsed.comm}) belongs to ${owner}: run trainio as ${runAs} or as root to read its I/O counters`,
    );
  }
  if (!io.ok) {
    throw new TrainioError('PID_NOT_FOUND', `no process with PID ${pid} — is the training still running?`);
  }
  const cmdline = readProcOnce(`/proc/${pid}/cmdline`);
  const command = cmdline.ok ? parseCmdline(cmdline.text) : [];
  const cwd = readProcLink(`/proc/${pid}/cwd`);
  const fallback = knownCommand && knownCommand.length > 0 ? knownCommand : [parsed.comm];
  const target: TargetInfo = { mode: 'attach', pid, command: command.length > 0 ? command : fallback };
  if (cwd.ok) target.cwd = cwd.text;
  return target;
}
