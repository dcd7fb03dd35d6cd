/**
 * When a health check speaks: a level per watched thing (a mount, a PID) that goes up at once when a
 * threshold is crossed, comes down only once the value is `hysteresis` below it (no flapping around
 * a threshold), and reports a new worst value above a threshold once it is `step` above the last one
 * reported. Pure: the checks feed it numbers, it says which changes deserve a record.
 */

export type Level = 'ok' | 'warning' | 'critical';

export interface Thresholds {
  /** value (a ratio of the limit, or an amount) at which the level becomes warning / critical */
  warning: number;
  critical: number;
  /** how far below a threshold the value must fall before the level drops */
  hysteresis: number;
  /** a new worst value counts when it is this much above the last one reported */
  step: number;
}

/** What changed: `raised` / `eased` (level up / down, not to ok), `worse` (a new worst), `recovered`. */
export type Change = 'raised' | 'eased' | 'worse' | 'recovered';

const RANK: Record<Level, number> = { ok: 0, warning: 1, critical: 2 };

/** The level of `value`, given the level it had: it drops only below threshold − hysteresis. */
export function levelOf(value: number, t: Thresholds, previous: Level = 'ok'): Level {
  const up: Level = value >= t.critical ? 'critical' : value >= t.warning ? 'warning' : 'ok';
  if (RANK[up] >= RANK[previous]) return up;
  if (previous === 'critical' && value >= t.critical - t.hysteresis) return 'critical';
  if (value >= t.warning - t.hysteresis) return 'warning';
  return 'ok';
}

export function worseLevel(a: Level, b: Level): Level {
  return RANK[a] >= RANK[b] ? a : b;
}

interface KeyState {
  level: Level;
  /** the value of the last record given for this key */
  reported: number;
}

export class LevelTracker {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly t: Thresholds) {}

  /** the level the value gives now, and the change that deserves a record (null: none) */
  update(key: string, value: number): { level: Level; change: Change | null } {
    return this.set(key, levelOf(value, this.t, this.keys.get(key)?.level ?? 'ok'), value);
  }

  /** like update, for checks that decide the level themselves (several conditions at once) */
  set(key: string, level: Level, value: number): { level: Level; change: Change | null } {
    const prev = this.keys.get(key) ?? { level: 'ok', reported: 0 };
    let change: Change | null = null;
    if (RANK[level] > RANK[prev.level]) change = 'raised';
    else if (level === 'ok' && prev.level !== 'ok') change = 'recovered';
    else if (RANK[level] < RANK[prev.level]) change = 'eased';
    else if (level !== 'ok' && value >= prev.reported + this.t.step) change = 'worse';
    this.keys.set(key, { level, reported: change === null ? prev.reported : value });
    return { level, change };
  }

  level(key: string): Level {
    return this.keys.get(key)?.level ?? 'ok';
  }

  /** forget a key (its process is gone); returns the level it had */
  drop(key: string): Level {
    const level = this.level(key);
    this.keys.delete(key);
    return level;
  }

  keysAbove(level: Level): string[] {
    return [...this.keys].filter(([, k]) => RANK[k.level] >= RANK[level]).map(([key]) => key);
  }
}

/** The severity of a record for a change: recoveries are info, the rest carry the level. */
export function severityOf(level: Level): 'info' | 'warning' | 'critical' {
  return level === 'ok' ? 'info' : level;
}
