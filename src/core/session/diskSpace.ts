/**
 * Space for the session file, checked before recording starts (statfs of its folder): a warning
 * when the filesystem has less free space than the session is expected to take. Recorded sessions
 * of the reference jobs took about 550 bytes per process-tree sample (2.2 kB/s at 250 ms).
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatBytes, formatDuration } from '../../shared/format';

/** bytes of session file per process-tree sample, everything else included */
export const BYTES_PER_TREE_SAMPLE = 550;
/** the session length assumed when no duration was given */
export const ASSUMED_SESSION_S = 3600;

/** bytes free to an unprivileged writer on the filesystem holding `file`; undefined when unknown */
export function freeBytes(file: string): number | undefined {
  try {
    const st = statfsSync(dirname(file));
    return st.bavail * st.bsize;
  } catch {
    return undefined;
  }
}

export function expectedSessionBytes(intervalMs: number, durationS = ASSUMED_SESSION_S): number {
  return Math.ceil((durationS * 1000) / Math.max(1, intervalMs)) * BYTES_PER_TREE_SAMPLE;
}

/** a one-line warning when the session is not expected to fit, else undefined */
export function spaceWarning(file: string, intervalMs: number, durationS?: number): string | undefined {
  const free = freeBytes(file);
  const expected = expectedSessionBytes(intervalMs, durationS);
  if (free === undefined || free >= expected) return undefined;
  const span = durationS === undefined ? 'an hour' : formatDuration(durationS);
  const lasts = formatDuration(((free / BYTES_PER_TREE_SAMPLE) * Math.max(1, intervalMs)) / 1000);
  return (
    `only ${formatBytes(free)} free for the session file ${file}; ${span} of recording takes about ` +
    `${formatBytes(expected)}: the file may stop after about ${lasts} (recording then goes on in memory)`
  );
}
