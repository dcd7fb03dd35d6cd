/**
 * Cumulative counters of a process tree that stay right when processes exit.
 *
 * When a parent reaps a child, Linux adds the child's lifetime I/O counters (and, through
 * `cutime`/`cstime`/`cmajflt`, its CPU time and major faults) to the parent's. Summing the last value
 * of every PID ever seen would therefore count an exited worker twice, and summing only the live
 * PIDs would make the total drop when a worker exits. Instead the total is the sum of each PID's own
 * increments while it is seen; when a PID exits, what was already counted for it becomes a *debt* of
 * its parent, paid off by the parent's jump when the kernel folds the child in. A jump always
 * covers the debt on every counter at once (the fold is the child's final value, ≥ the last one
 * seen), which is how the jump is recognised; a debt whose jump never comes (a child reaped by
 * someone else) expires.
 *
 * Each update also returns what the processes seen for the first time did (they started during the
 * session): all of it happened after they started, which places it in time better than the tree's
 * total does.
 *
 * Pure: it is fed the values read from /proc and knows nothing about files.
 */

export const COUNTER_KEYS = ['rchar', 'wchar', 'readBytes', 'writeBytes', 'majorFaults', 'cpuTicks'] as const;
export type CounterKey = (typeof COUNTER_KEYS)[number];
export type Counters = Record<CounterKey, number>;

export function zeroCounters(): Counters {
  return { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0, majorFaults: 0, cpuTicks: 0 };
}

export interface CounterObservation {
  pid: number;
  /** absolute values as /proc shows them now (reaped children included) */
  values: Counters;
  /** true when the process existed before the session started: its earlier counts are not ours */
  startedBeforeSession: boolean;
}

interface Debt {
  amount: Counters;
  sinceS: number;
}

/** How long a parent has to fold an exited child in before the debt is dropped. */
export const DEBT_EXPIRY_S = 10;

export class TreeTotals {
  private readonly last = new Map<number, Counters>();
  private readonly debts = new Map<number, Debt[]>();
  private readonly total = zeroCounters();

  /**
   * One sample of the tree: the processes read now (parents before children) and the ones that
   * exited since the last sample with the parent they had.
   */
  update(nowS: number, live: CounterObservation[], exited: { pid: number; ppid: number }[]): Counters {
    const born = zeroCounters();
    for (const { pid, ppid } of exited) {
      const seen = this.last.get(pid);
      this.last.delete(pid);
      this.debts.delete(pid);
      if (seen === undefined || !this.last.has(ppid)) continue;
      const list = this.debts.get(ppid) ?? [];
      const amount = zeroCounters();
      for (const k of COUNTER_KEYS) amount[k] = Math.max(0, seen[k]);
      list.push({ amount, sinceS: nowS });
      this.debts.set(ppid, list);
    }
    for (const obs of live) {
      const seen = this.last.get(obs.pid);
      const before = seen ?? (obs.startedBeforeSession ? obs.values : zeroCounters());
      const delta = zeroCounters();
      for (const k of COUNTER_KEYS) delta[k] = Math.max(0, obs.values[k] - before[k]);
      this.payDebts(obs.pid, delta, nowS);
      for (const k of COUNTER_KEYS) this.total[k] += delta[k];
      if (seen === undefined && !obs.startedBeforeSession) for (const k of COUNTER_KEYS) born[k] += delta[k];
      this.last.set(obs.pid, { ...obs.values });
    }
    return born;
  }

  /** A process left the tree but is still alive (re-parented): forget it without any debt. */
  forget(pid: number): void {
    this.last.delete(pid);
    this.debts.delete(pid);
  }

  totals(): Counters {
    return { ...this.total };
  }

  private payDebts(pid: number, delta: Counters, nowS: number): void {
    const list = this.debts.get(pid);
    if (list === undefined) return;
    const open: Debt[] = [];
    for (const debt of list) {
      if (nowS - debt.sinceS > DEBT_EXPIRY_S) continue;
      if (COUNTER_KEYS.every((k) => delta[k] >= debt.amount[k])) {
        for (const k of COUNTER_KEYS) delta[k] -= debt.amount[k];
      } else {
        open.push(debt);
      }
    }
    if (open.length > 0) this.debts.set(pid, open);
    else this.debts.delete(pid);
  }
}
