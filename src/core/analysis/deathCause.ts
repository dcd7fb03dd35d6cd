/**
 * Why the job died, in one line, from the health records around the moment it happened: the
 * worker's exit signal (seen as a zombie) or the error the DataLoader raised (hook), and what was
 * full then — /dev/shm, the descriptors of a process, memory. Pure; no evidence, no verdict.
 */
import { formatBytes } from '../../shared/format';
import type { EndRecord, HealthId, HealthRecord } from '../../shared/model';
import { signalInText } from '../health/signalText';

/** how long before the death a reading still tells what was full "at that moment" */
const BEFORE_S = 30;
const AFTER_S = 1;

const pctOf = (r: HealthRecord): string => `${r.limit > 0 ? Math.round((100 * r.value) / r.limit) : 0} %`;

function ratio(r: HealthRecord): number {
  return r.limit > 0 ? r.value / r.limit : 0;
}

/** the fullest reading of a check around `t`, else the last one before it */
function around(records: HealthRecord[], t: number): HealthRecord | undefined {
  const near = records.filter((r) => r.s >= t - BEFORE_S && r.s <= t + AFTER_S && !r.recovered);
  if (near.length) return near.reduce((a, b) => (ratio(b) > ratio(a) ? b : a));
  return records.filter((r) => r.s <= t + AFTER_S).at(-1);
}

export function jobDied(ended: EndRecord | null): boolean {
  if (ended === null || ended.reason !== 'exited') return false;
  return (ended.exitCode !== undefined && ended.exitCode !== null && ended.exitCode !== 0) || !!ended.signal;
}

export function deathCause(
  ended: EndRecord | null,
  recent: (id: HealthId) => HealthRecord[],
): string | undefined {
  const deaths = recent('worker-died');
  const errors = recent('loader-error');
  const evidence = deaths.length > 0 || errors.length > 0;
  // attach mode cannot see the exit status: a worker's death or the loader's error must say it
  if (!jobDied(ended) && !(ended?.reason === 'exited' && ended.exitCode == null && evidence))
    return undefined;
  const death = deaths[0];
  const error = errors[0];
  const t = Math.min(death?.s ?? Infinity, error?.s ?? Infinity, ended?.s ?? Infinity);
  const errorText = error?.message ?? '';
  const signal = death?.signal ?? error?.signal ?? signalInText(errorText);
  // no worker died: the job's own process was killed (the OOM killer often picks the main process)
  const jobKilled = signal === undefined && ended?.signal === 'SIGKILL';
  const shm = around(recent('shm'), t);
  const fds = around(recent('fds'), t);
  const memory = around(recent('memory'), t);
  const oom = recent('memory').some((r) => (r.oomKills ?? 0) > 0 && r.s <= t + AFTER_S + 5);
  const workerPid = death?.pid ?? /DataLoader worker \(pid\(?s?\)? (\d+)/.exec(errorText)?.[1];
  const who = jobKilled
    ? "the job's main process"
    : workerPid !== undefined
      ? `a DataLoader worker (PID ${workerPid})`
      : 'a DataLoader worker';

  if (signal === 'SIGBUS' || /shared memory/i.test(errorText)) {
    const state = shm ? ` while /dev/shm was ${pctOf(shm)} full (${formatBytes(shm.limit)})` : '';
    return (
      `${who} was killed by SIGBUS${state}: raise --shm-size, lower batch_size × prefetch_factor × ` +
      'num_workers, or use the file_system sharing strategy'
    );
  }
  const emfile = /too many open files|errno 24|ancdata/i.test(errorText);
  if (emfile || (fds && fds.severity === 'critical' && !signal)) {
    const state = fds ? `: ${fds.value} of ${fds.limit} descriptors open in PID ${fds.pid ?? '?'}` : '';
    return (
      `the job ran out of file descriptors ("Too many open files")${state}: raise the limit ` +
      '(ulimit -n, prlimit --nofile), close the files the dataset keeps open, or use the file_system sharing strategy'
    );
  }
  const memoryFull = memory !== undefined && memory.severity === 'critical';
  if (oom || ((signal === 'SIGKILL' || jobKilled) && memoryFull)) {
    const state = memory
      ? ` while memory was ${pctOf(memory)} used (${formatBytes(memory.value)} of ${formatBytes(memory.limit)})`
      : '';
    const worker = recent('worker-memory')
      .filter((r) => !r.recovered)
      .at(-1);
    const grew = worker ? `; each worker held up to ${formatBytes(worker.value)} of private memory` : '';
    const ender = oom ? 'the OOM killer ended it' : 'most likely the OOM killer ended it';
    return (
      `${signal === 'SIGKILL' || jobKilled ? `${who} was killed by SIGKILL` : 'the kernel ran out of memory'}` +
      `${state}${grew}: ${ender} — lower num_workers, or hold the dataset as numpy arrays instead of Python objects`
    );
  }
  if (signal !== undefined) {
    const full = [shm, fds, memory].filter(
      (r): r is HealthRecord => r !== undefined && r.severity !== 'info',
    );
    const state = full.length ? `; at that moment ${full.map((r) => r.message).join('; ')}` : '';
    return `${who} was killed by ${signal}${state}`;
  }
  if (error) return `the DataLoader raised ${errorText}`;
  if (death) return `${who} ${death.message.replace(/^DataLoader worker \d+ /, '')}`;
  return stderrCause(ended);
}

/** `the job exited with code 2: train.py: error: the following arguments are required: data` */
function stderrCause(ended: EndRecord | null): string | undefined {
  const last = ended?.stderrTail
    ?.split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .at(-1);
  if (!ended || !last) return undefined;
  const how = ended.signal ? `was killed by ${ended.signal}` : `exited with code ${ended.exitCode}`;
  return `the job ${how}: ${last}`;
}
