/**
 * Open descriptors of every process of the tree vs its RLIMIT_NOFILE. A dataset that keeps files
 * open, or batches passed as descriptors (the file_descriptor sharing strategy), run a process into
 * its limit: "Too many open files", "received 0 items of ancdata". Counting is one stat per process
 * where the kernel gives the count (6.2+), else a listing every LIST_EVERY ticks; the limit is
 * read when a process is first seen and every LIMIT_EVERY ticks (prlimit can change it).
 */
import type { HealthRecord } from '../../shared/model';
import type { TreeProcess, TreeSample } from '../proc/processTree';
import { DescriptorCounter, openFilesLimit } from './descriptorUsage';
import { pct, type HealthCheck } from './healthCheck';
import { LevelTracker, severityOf, type Change, type Level, type Thresholds } from './levels';

export const FD_THRESHOLDS: Thresholds = { warning: 0.8, critical: 0.95, hysteresis: 0.05, step: 0.03 };
const LIST_EVERY = 4;
const LIMIT_EVERY = 40;

interface Watched {
  limit: number | null;
  limitAge: number;
}

export class FdCheck implements HealthCheck {
  private readonly levels = new LevelTracker(FD_THRESHOLDS);
  private readonly limitOf: (pid: number) => number | null;
  private readonly counter: Pick<DescriptorCounter, 'count' | 'cheap'>;
  private readonly watched = new Map<number, Watched>();
  private ticks = 0;
  private firstDone = false;

  constructor(
    reads: {
      counter?: Pick<DescriptorCounter, 'count' | 'cheap'>;
      limit?: (pid: number) => number | null;
    } = {},
  ) {
    this.counter = reads.counter ?? new DescriptorCounter();
    this.limitOf = reads.limit ?? openFilesLimit;
  }

  check(sample: TreeSample, s: number): HealthRecord[] {
    for (const p of sample.exited) {
      this.watched.delete(p.pid);
      this.levels.drop(String(p.pid));
    }
    if (!this.counter.cheap && this.ticks++ % LIST_EVERY !== 0) return [];
    const out: HealthRecord[] = [];
    for (const p of sample.live) {
      const w = this.watch(p.pid);
      const count = this.counter.count(p.pid);
      if (count === null || w.limit === null) continue;
      const { level, change } = this.levels.update(String(p.pid), count / w.limit);
      if (change !== null) out.push(fdRecord(s, p, count, w.limit, level, change));
      else if (!this.firstDone && p === sample.live[0]) out.push(fdRecord(s, p, count, w.limit, level, null));
    }
    this.firstDone ||= sample.live.length > 0;
    return out;
  }

  private watch(pid: number): Watched {
    let w = this.watched.get(pid);
    if (w === undefined || w.limitAge++ >= LIMIT_EVERY) {
      w = { limit: this.limitOf(pid), limitAge: 0 };
      this.watched.set(pid, w);
    }
    return w;
  }
}

function who(p: TreeProcess): string {
  return `${p.isWorker ? 'DataLoader worker' : 'PID'} ${p.pid}${p.isWorker ? '' : ` (${p.comm})`}`;
}

function fdRecord(
  s: number,
  p: TreeProcess,
  count: number,
  limit: number,
  level: Level,
  change: Change | null,
): HealthRecord {
  const open = `${count} of ${limit} descriptors open (${pct(count, limit)}% of its RLIMIT_NOFILE)`;
  const message =
    change === null
      ? `descriptors: ${who(p)} has ${open}`
      : change === 'recovered'
        ? `${who(p)} is back to ${open}`
        : `${who(p)} has ${open}: at the limit, opening a file or receiving a batch fails with "Too many open files"`;
  return {
    type: 'health',
    s,
    id: 'fds',
    severity: severityOf(level),
    value: count,
    limit,
    unit: 'fds',
    message,
    pid: p.pid,
    ...(change === 'recovered' ? { recovered: true } : {}),
  };
}
