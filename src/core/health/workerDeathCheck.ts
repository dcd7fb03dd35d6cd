/**
 * DataLoader workers that die. A process that is not our child cannot be waited for, but between
 * its death and its parent's wait it is a zombie whose /proc/PID/stat still holds its exit status
 * (field 52, in waitpid's form). PyTorch's main process checks its workers without reaping them
 * (waitid with WNOWAIT) and raises, so a killed worker usually stays a zombie for a while: the tree
 * tick sees it in state Z and reads how it ended. A worker that is gone before a tick saw it as a
 * zombie leaves no status; the hook's error line and the job's exit speak for it then.
 */
import { constants } from 'node:os';
import type { HealthRecord } from '../../shared/model';
import type { TreeSample } from '../proc/processTree';
import { readProcOnce } from '../proc/procFile';
import type { HealthCheck } from './healthCheck';

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(constants.signals).map(([name, n]) => [n, name] as [number, string]),
);

export function signalName(n: number): string {
  return SIGNAL_NAMES.get(n) ?? `signal ${n}`;
}

/** the exit status (waitpid form) at the end of /proc/PID/stat; null when not there */
export function exitStatusOf(statText: string): number | null {
  const close = statText.lastIndexOf(')');
  const fields = statText
    .slice(close + 2)
    .trim()
    .split(' ');
  // fields[k] is field k + 3; exit_code is field 52 (Linux 3.5+)
  const v = fields.length >= 50 ? Number(fields[49]) : NaN;
  return Number.isInteger(v) ? v : null;
}

/** 'SIGBUS' for a status killed by SIGBUS, 'exit 3' for exit(3), null for a clean exit */
export function describeStatus(status: number): { signal?: string; exitCode?: number } | null {
  const sig = status & 0x7f;
  if (sig !== 0) return { signal: signalName(sig) };
  const code = (status >> 8) & 0xff;
  return code === 0 ? null : { exitCode: code };
}

export class WorkerDeathCheck implements HealthCheck {
  private readonly statuses = new Map<number, number>();
  private readonly reported = new Set<number>();

  check(sample: TreeSample, s: number): HealthRecord[] {
    const out: HealthRecord[] = [];
    for (const p of sample.live) {
      if (!p.isWorker || p.state !== 'Z' || this.statuses.has(p.pid)) continue;
      const r = readProcOnce(`/proc/${p.pid}/stat`);
      const status = r.ok ? exitStatusOf(r.text) : null;
      if (status === null) continue;
      this.statuses.set(p.pid, status);
      const record = deathRecord(s, p.pid, status);
      if (record) {
        this.reported.add(p.pid);
        out.push(record);
      }
    }
    for (const p of sample.exited) {
      this.statuses.delete(p.pid);
      this.reported.delete(p.pid);
    }
    return out;
  }
}

function deathRecord(s: number, pid: number, status: number): HealthRecord | null {
  const how = describeStatus(status);
  if (how === null) return null;
  const what =
    how.signal !== undefined ? `was killed by ${how.signal}` : `exited with status ${how.exitCode}`;
  return {
    type: 'health',
    s,
    id: 'worker-died',
    severity: 'critical',
    value: how.signal !== undefined ? status & 0x7f : (how.exitCode ?? 0),
    limit: 0,
    unit: 'count',
    message: `DataLoader worker ${pid} ${what}`,
    pid,
    ...(how.signal !== undefined ? { signal: how.signal } : {}),
  };
}
