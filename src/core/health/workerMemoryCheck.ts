/**
 * Each DataLoader worker's private memory and how fast it grows. A dataset held as Python objects
 * (a big list, a dict of paths) is shared with forked workers copy-on-write, but reference counts
 * are writes: every object a worker touches copies its page, and each worker ends up with its own
 * copy. smaps_rollup costs milliseconds (more for bigger workers: it walks their page tables) and
 * takes the worker's mmap lock, so each worker is read at most every READ_EVERY_S, less often when
 * its reads are slow (at most READ_DUTY of the time spent reading it), at most READS_PER_TICK
 * workers per tick.
 *
 * Warning: a worker's private memory grew by GROWTH_WARN_BYTES since its first reading. Critical:
 * at the workers' combined growth rate the memory the job may still use lasts under RUNWAY_S.
 */
import { performance } from 'node:perf_hooks';
import type { HealthRecord } from '../../shared/model';
import type { TreeProcess, TreeSample } from '../proc/processTree';
import { MB, size, type HealthCheck } from './healthCheck';
import { LevelTracker, severityOf, type Change, type Level } from './levels';
import type { MemoryState } from './memoryCheck';
import { processMemory, type ProcessMemory } from './memoryUsage';

export const READ_EVERY_S = 5;
const READS_PER_TICK = 1;
/** the share of wall time one worker's readings may take */
export const READ_DUTY = 0.001;
export const GROWTH_WARN_BYTES = 64 * MB;
export const RUNWAY_S = 600;
/** growth rates are fitted over this much of each worker's recent readings */
const RATE_WINDOW_S = 60;

interface Reading {
  s: number;
  privateBytes: number;
}

interface Worker {
  pid: number;
  first: Reading;
  recent: Reading[];
  nextS: number;
}

export type ReadMemory = (pid: number) => ProcessMemory | null;

export class WorkerMemoryCheck implements HealthCheck {
  private readonly workers = new Map<number, Worker>();
  private readonly levels = new LevelTracker({ warning: 1, critical: 2, hysteresis: 0, step: 32 * MB });

  constructor(
    private readonly memory: () => MemoryState | null,
    private readonly read: ReadMemory = processMemory,
  ) {}

  check(sample: TreeSample, s: number): HealthRecord[] {
    for (const p of sample.exited) this.workers.delete(p.pid);
    const due = sample.live
      .filter((p) => p.isWorker && (this.workers.get(p.pid)?.nextS ?? -Infinity) <= s)
      .sort((a, b) => (this.workers.get(a.pid)?.nextS ?? -1) - (this.workers.get(b.pid)?.nextS ?? -1))
      .slice(0, READS_PER_TICK);
    for (const p of due) this.readWorker(p, s);
    if (due.length === 0) return [];
    return this.judge(s);
  }

  private readWorker(p: TreeProcess, s: number): void {
    const t0 = performance.now();
    const m = this.read(p.pid);
    const costS = (performance.now() - t0) / 1000;
    const nextS = s + Math.max(READ_EVERY_S, costS / READ_DUTY);
    const w = this.workers.get(p.pid);
    if (m === null) {
      if (w) w.nextS = nextS;
      return;
    }
    const r: Reading = { s, privateBytes: m.privateBytes };
    if (w === undefined) {
      this.workers.set(p.pid, { pid: p.pid, first: r, recent: [r], nextS });
      return;
    }
    w.recent.push(r);
    while (w.recent.length > 2 && w.recent[0].s < s - RATE_WINDOW_S) w.recent.shift();
    w.nextS = nextS;
  }

  private judge(s: number): HealthRecord[] {
    const all = [...this.workers.values()];
    if (all.length === 0) return [];
    const grown = (w: Worker): number => last(w).privateBytes - w.first.privateBytes;
    const top = all.reduce((a, b) => (grown(b) > grown(a) ? b : a));
    const rateBps = all.reduce((sum, w) => sum + Math.max(0, growthRate(w.recent)), 0);
    const mem = this.memory();
    const runwayS = mem !== null && rateBps > 0 ? mem.headroomBytes / rateBps : Infinity;
    const level: Level = grown(top) < GROWTH_WARN_BYTES ? 'ok' : runwayS < RUNWAY_S ? 'critical' : 'warning';
    const { change } = this.levels.set('workers', level, grown(top));
    if (change === null) return [];
    return [workerMemoryRecord(s, top, grown(top), rateBps, runwayS, mem, level, change, all.length)];
  }
}

function last(w: Worker): Reading {
  return w.recent[w.recent.length - 1];
}

/** least-squares slope of private bytes over time, bytes/s (0 with fewer than two readings) */
export function growthRate(readings: Reading[]): number {
  const n = readings.length;
  if (n < 2) return 0;
  const mt = readings.reduce((a, r) => a + r.s, 0) / n;
  const mb = readings.reduce((a, r) => a + r.privateBytes, 0) / n;
  let num = 0;
  let den = 0;
  for (const r of readings) {
    num += (r.s - mt) * (r.privateBytes - mb);
    den += (r.s - mt) ** 2;
  }
  return den > 0 ? num / den : 0;
}

function duration(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function workerMemoryRecord(
  s: number,
  w: Worker,
  grown: number,
  rateBps: number,
  runwayS: number,
  mem: MemoryState | null,
  level: Level,
  change: Change,
  workers: number,
): HealthRecord {
  const now = last(w).privateBytes;
  const held = `DataLoader worker ${w.pid} holds ${size(now)} of private memory (+${size(grown)} since it started)`;
  const rate = rateBps > 0 ? `; the ${workers} worker(s) grow by ${size(rateBps)}/s together` : '';
  const limitName = mem?.limitKind === 'cgroup' ? "the job's cgroup limit" : 'MemAvailable';
  const runway =
    mem !== null && Number.isFinite(runwayS)
      ? `, so ${limitName} (${size(mem.headroomBytes)} left) lasts ≈ ${duration(runwayS)}`
      : '';
  const message =
    change === 'recovered'
      ? `DataLoader workers' private memory stopped growing: the largest grew by ${size(grown)}`
      : `${held}${rate}${runway}: a dataset held as Python objects is copied into every worker (reference counts write to its pages) — hold numpy arrays or tensors instead of lists`;
  return {
    type: 'health',
    s,
    id: 'worker-memory',
    severity: severityOf(level),
    value: now,
    limit: mem?.limitBytes ?? 0,
    unit: 'bytes',
    message,
    pid: w.pid,
    ...(change === 'recovered' ? { recovered: true } : {}),
  };
}
