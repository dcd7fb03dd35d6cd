/**
 * /dev/shm used vs its size, for every mount namespace the job's processes are in. DataLoader
 * workers hand each batch over in shared memory; when the mount is full, the worker writing a batch
 * dies of SIGBUS ("Bus error"). statfs is a few µs, so this runs at the tree rate.
 */
import type { HealthRecord } from '../../shared/model';
import type { TreeSample } from '../proc/processTree';
import { pct, size, type HealthCheck } from './healthCheck';
import { LevelTracker, severityOf, type Change, type Level, type Thresholds } from './levels';
import { mountNamespace, shmUsage, type ShmUsage } from './shmUsage';

export const SHM_THRESHOLDS: Thresholds = { warning: 0.8, critical: 0.95, hysteresis: 0.05, step: 0.02 };

export class ShmCheck implements HealthCheck {
  private readonly levels = new LevelTracker(SHM_THRESHOLDS);
  private readonly seen = new Set<string>();

  constructor(
    private readonly read: (pid: number) => ShmUsage | null = (pid) => {
      const ns = mountNamespace(pid);
      return ns === null ? null : shmUsage(pid, ns);
    },
  ) {}

  check(sample: TreeSample, s: number): HealthRecord[] {
    const out: HealthRecord[] = [];
    for (const usage of this.mounts(sample)) {
      const ratio = usage.sizeBytes > 0 ? usage.usedBytes / usage.sizeBytes : 0;
      const { level, change } = this.levels.update(usage.namespace, ratio);
      if (change !== null) out.push(shmRecord(s, usage, level, change));
      else if (!this.seen.has(usage.namespace)) out.push(shmRecord(s, usage, level, null));
      this.seen.add(usage.namespace);
    }
    return out;
  }

  /** one reading per mount namespace of the live processes, workers' first (they write the batches) */
  private mounts(sample: TreeSample): ShmUsage[] {
    const byNs = new Map<string, ShmUsage>();
    const ordered = [...sample.live.filter((p) => p.isWorker), ...sample.live.filter((p) => !p.isWorker)];
    for (const p of ordered) {
      const u = this.read(p.pid);
      if (u !== null && !byNs.has(u.namespace)) byNs.set(u.namespace, u);
    }
    return [...byNs.values()];
  }
}

function shmRecord(s: number, u: ShmUsage, level: Level, change: Change | null): HealthRecord {
  const used = `${pct(u.usedBytes, u.sizeBytes)}% full (${size(u.usedBytes)} of ${size(u.sizeBytes)})`;
  const message =
    change === null
      ? `/dev/shm: ${size(u.sizeBytes)}, ${pct(u.usedBytes, u.sizeBytes)}% used`
      : change === 'recovered'
        ? `/dev/shm is back to ${used}`
        : level === 'critical'
          ? `/dev/shm is ${used}: the next batch a worker writes there may kill it with a Bus error`
          : `/dev/shm is ${used}: DataLoader workers hand their batches over there, and a full /dev/shm kills them with a Bus error`;
  return {
    type: 'health',
    s,
    id: 'shm',
    severity: severityOf(level),
    value: u.usedBytes,
    limit: u.sizeBytes,
    unit: 'bytes',
    message,
    ...(change === 'recovered' ? { recovered: true } : {}),
  };
}
