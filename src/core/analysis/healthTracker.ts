/**
 * The health records of a session, folded into one item per check (its worst moment and where it
 * stands now), and — when the job died — the one line that says why, from what the records show:
 * a worker killed by SIGBUS while /dev/shm was full, descriptors at their limit, memory exhausted.
 */
import type { EndRecord, HealthId, HealthItem, HealthRecord, Severity } from '../../shared/model';
import { deathCause } from './deathCause';

const RANK: Record<Severity | 'ok', number> = { ok: 0, info: 1, warning: 2, critical: 3 };
/** the records kept per check for explaining a death (the most recent ones) */
const RECENT = 32;

interface Item {
  worst: HealthRecord;
  /** the latest record per PID (or mount): a check is as bad as its worst live key */
  latest: Map<number, HealthRecord>;
  recent: HealthRecord[];
}

export class HealthTracker {
  private readonly items = new Map<HealthId, Item>();

  add(r: HealthRecord): void {
    let item = this.items.get(r.id);
    if (item === undefined) {
      item = { worst: r, latest: new Map(), recent: [] };
      this.items.set(r.id, item);
    }
    if (worse(r, item.worst)) item.worst = r;
    item.latest.set(r.pid ?? 0, r);
    item.recent.push(r);
    if (item.recent.length > RECENT) item.recent.shift();
  }

  /** a process left the tree: its descriptors and memory no longer count in the current state */
  processExited(pid: number): void {
    for (const id of ['fds', 'worker-memory'] as const) this.items.get(id)?.latest.delete(pid);
  }

  /** worst first */
  health(): HealthItem[] {
    const out = [...this.items.values()].map(toItem);
    return out.sort((a, b) => RANK[b.severity] - RANK[a.severity] || ratio(b) - ratio(a));
  }

  /** why the job died, where the evidence allows; undefined when it did not die or nothing says why */
  exitCause(ended: EndRecord | null): string | undefined {
    return deathCause(ended, (id) => this.items.get(id)?.recent ?? []);
  }
}

function ratio(x: { value: number; limit: number }): number {
  return x.limit > 0 ? x.value / x.limit : 0;
}

function worse(a: HealthRecord, b: HealthRecord): boolean {
  if (RANK[a.severity] !== RANK[b.severity]) return RANK[a.severity] > RANK[b.severity];
  return ratio(a) > ratio(b) || (a.limit === 0 && a.value > b.value);
}

function toItem(item: Item): HealthItem {
  const w = item.worst;
  const live = [...item.latest.values()];
  const now = live.length ? live.reduce((a, b) => (worse(b, a) ? b : a)) : undefined;
  const current: HealthItem['current'] =
    now === undefined || live.every((r) => r.recovered || r.severity === 'info') ? 'ok' : now.severity;
  const out: HealthItem = {
    id: w.id,
    severity: w.severity,
    value: w.value,
    limit: w.limit,
    unit: w.unit,
    message: w.message,
    s: w.s,
    current,
    currentValue: now?.value ?? 0,
  };
  if (w.pid !== undefined) out.pid = w.pid;
  if (w.signal !== undefined) out.signal = w.signal;
  return out;
}
