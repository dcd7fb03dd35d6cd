/**
 * The hook's `error` event as a health record: the exception that left the DataLoader's next() is
 * the job's own account of a worker's death ("DataLoader worker (pid N) is killed by signal: Bus
 * error") or of the error a worker re-raised ("Too many open files").
 */
import type { HealthRecord } from '../../shared/model';
import { signalInText } from '../health/signalText';
import type { ErrorEvent } from './hookEvents';

export function loaderErrorRecord(s: number, ev: ErrorEvent): HealthRecord {
  const message = `${ev.kind}: ${ev.message}`;
  const worker = /DataLoader worker \(pid\(?s?\)? (\d+)/.exec(ev.message);
  const signal = signalInText(ev.message);
  return {
    type: 'health',
    s,
    id: 'loader-error',
    severity: 'critical',
    value: 1,
    limit: 0,
    unit: 'count',
    message,
    pid: worker ? Number(worker[1]) : ev.pid,
    ...(signal !== undefined ? { signal } : {}),
  };
}
