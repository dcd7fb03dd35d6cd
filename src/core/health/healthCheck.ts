/** What every health check is: fed each tree sample, it returns the records it has to say. */
import type { HealthRecord } from '../../shared/model';
import { formatBytes } from '../../shared/format';
import type { TreeSample } from '../proc/processTree';

export interface HealthCheck {
  /** called on every tree tick with the live, spawned and exited processes; `s` is the sample's time */
  check(sample: TreeSample, s: number): HealthRecord[];
}

export const MB = 1024 * 1024;

/** "54.0 MB", "1.20 GB": sizes in health messages, written like everywhere else */
export function size(bytes: number): string {
  return formatBytes(bytes);
}

export function pct(value: number, limit: number): number {
  return limit > 0 ? Math.round((1000 * value) / limit) / 10 : 0;
}
