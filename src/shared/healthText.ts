/**
 * How the health checks are written in few words, the same in the status bar, the panel's health
 * strip and the reports: "shm 91%", "fds 298/300", "worker memory 152 MB", "worker died (SIGBUS)".
 */
import { formatBytes } from './format';
import type { HealthItem, SessionReport, Severity } from './model';

const NAMES: Record<HealthItem['id'], string> = {
  shm: '/dev/shm',
  fds: 'descriptors',
  'worker-memory': 'worker memory',
  memory: 'memory',
  'worker-died': 'worker died',
  'loader-error': 'DataLoader error',
};

export function healthName(item: Pick<HealthItem, 'id'>): string {
  return NAMES[item.id];
}

function pctOf(value: number, limit: number): string {
  return `${limit > 0 ? Math.round((100 * value) / limit) : 0}%`;
}

/** the short form of a check at a value (its current one by default) */
export function healthShort(item: HealthItem, value = item.currentValue): string {
  switch (item.id) {
    case 'shm':
      return `shm ${pctOf(value, item.limit)}`;
    case 'fds':
      return `fds ${value}/${item.limit}`;
    case 'memory':
      return `memory ${pctOf(value, item.limit)}`;
    case 'worker-memory':
      return `worker memory ${formatBytes(value)}`;
    case 'worker-died':
    case 'loader-error':
      return item.signal ? `worker died (${item.signal})` : NAMES[item.id];
  }
}

const RANK: Record<Severity | 'ok', number> = { ok: 0, info: 1, warning: 2, critical: 3 };

/**
 * The checks that need attention: while recording those whose current state is a warning or worse,
 * after the end those whose worst was. Worst first.
 */
export function healthAlerts(report: SessionReport, live: boolean): HealthItem[] {
  return (report.health ?? [])
    .filter((h) => RANK[live ? h.current : h.severity] >= RANK.warning)
    .sort((a, b) => RANK[live ? b.current : b.severity] - RANK[live ? a.current : a.severity]);
}

/** the worst level among the alerts, or null when there is none */
export function alertLevel(alerts: HealthItem[], live: boolean): 'warning' | 'critical' | null {
  let worst: 'warning' | 'critical' | null = null;
  for (const a of alerts) {
    const level = live ? a.current : a.severity;
    if (level === 'critical') return 'critical';
    if (level === 'warning') worst = 'warning';
  }
  return worst;
}
