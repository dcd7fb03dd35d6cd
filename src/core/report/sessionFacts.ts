/**
 * Sentences about one session that every human-readable format shows the same way: what ran, how it
 * ended, how the stall was measured, and the environment. Plain strings, not yet escaped for any format.
 */
import { slowestRankText } from './ranksReport';
import type { EnvironmentInfo, EpochSummary, SessionReport } from '../../shared/model';
import { commandLine } from './visibleText';
import { byteScale, formatBytesIn, type ByteScale } from '../../shared/format';
import { coverageText, epochColumn, PASSES_NAME, passesText } from '../../shared/vocabulary';
import { formatBytes, formatCount, formatPct, formatSeconds } from './units';

export function commandText(report: SessionReport): string {
  return report.target.command.length ? commandLine(report.target.command) : `PID ${report.target.pid}`;
}

export function modeText(report: SessionReport): string {
  return report.target.mode === 'launch'
    ? `launched by trainio (PID ${report.target.pid})`
    : `attached to PID ${report.target.pid}`;
}

export function endText(report: SessionReport): string {
  const end = report.ended;
  if (!end) return 'did not end cleanly: still recording, or cut off (the report holds what was recorded)';
  switch (end.reason) {
    case 'exited':
      if (end.signal) return `the target was killed by ${end.signal}`;
      return end.exitCode === undefined || end.exitCode === null
        ? 'the target exited'
        : `the target exited with code ${end.exitCode}`;
    case 'stopped':
      return 'stopped by the user';
    case 'duration':
      return 'stopped after the requested duration';
    case 'lost':
      return 'the target could no longer be observed';
    default:
      return 'ended';
  }
}

export function stallText(report: SessionReport): string {
  const d = report.dataStall;
  if (d.pct === null) return 'unknown (no stall window was measured)';
  const how =
    d.method === 'exact'
      ? 'exact: timed inside the DataLoader by the hook'
      : 'estimated from outside the process';
  const both =
    d.exactPct !== undefined && d.estimatedPct !== undefined && d.exactPct !== null && d.estimatedPct !== null
      ? `; the outside estimate read ${formatPct(d.estimatedPct)}`
      : '';
  const handoff =
    d.handoffPct !== undefined && d.handoffPct !== null && d.handoffPct >= 0.05
      ? `; ${formatPct(d.handoffPct)} of it releasing the previous batch as the loop took the next`
      : '';
  const slowest = slowestRankText(report);
  return `${formatPct(d.pct)} (${how}, ${d.confidence} confidence${both}${handoff})${slowest ? ` — ${slowest}` : ''}`;
}

export function stallSplitText(report: SessionReport): string | null {
  const { fetchPct, prepPct } = report.dataStall;
  if (fetchPct === undefined || fetchPct === null || prepPct === undefined || prepPct === null) return null;
  return `${formatPct(fetchPct)} waiting on storage, ${formatPct(prepPct)} on decoding/augmentation`;
}

export interface EnvironmentRow {
  label: string;
  value: string;
}

export function environmentRows(report: SessionReport): EnvironmentRow[] {
  const env: EnvironmentInfo = report.env;
  const rows: EnvironmentRow[] = [
    { label: 'Host', value: env.host },
    { label: 'Kernel', value: env.kernel },
    { label: 'CPUs', value: String(env.cpus) },
    { label: 'Memory', value: formatBytes(env.memBytes) },
  ];
  if (env.python) rows.push({ label: 'Python', value: env.python });
  if (env.torch) rows.push({ label: 'PyTorch', value: env.torch });
  const workers = report.loaders.map((l) => l.numWorkers);
  if (workers.length) rows.push({ label: 'num_workers', value: [...new Set(workers)].join(', ') });
  for (const d of env.disks ?? [])
    rows.push({ label: 'Disk', value: `${d.name} (${d.type}, ${formatBytes(d.sizeBytes)})` });
  for (const g of env.gpus ?? []) rows.push({ label: 'GPU', value: g });
  return rows;
}

export function sessionLine(report: SessionReport): string {
  return `${report.startedAt} · ${formatSeconds(report.durationS)} · ${modeText(report)} · ${endText(report)}`;
}

/**
 * A path as a reader wants it in a summary: relative to the target's working directory when it lies
 * inside it (`ckpt/last.pt`, `train.py:42`), otherwise whole. The JSON, CSV and trace keep it whole.
 */
export function displayPath(report: SessionReport, path: string): string {
  const cwd = report.target.cwd?.replace(/\/+$/, '');
  return cwd && path.startsWith(`${cwd}/`) && path.length > cwd.length + 1
    ? path.slice(cwd.length + 1)
    : path;
}

/**
 * One row of the epoch table, as the HTML and Markdown summaries show it: index, start, duration,
 * read, from disk (both in the table's one unit), coverage, cache hit, stall, files, boundary source.
 */
export function epochCells(
  e: EpochSummary,
  scale: ByteScale = byteScale([e.bytesRead, e.diskBytesRead]),
): string[] {
  return [
    String(e.index),
    formatSeconds(e.startS),
    formatSeconds(e.endS - e.startS),
    formatBytesIn(e.bytesRead, scale),
    formatBytesIn(e.diskBytesRead, scale),
    coverageText(e.rereadFactor),
    formatPct(e.pageCacheHitPct),
    formatPct(e.stallPct),
    formatCount(e.filesRead),
    e.source,
  ];
}

/** the epochs table's one byte unit (every row's read and from-disk bytes) */
export function epochScale(report: SessionReport): ByteScale {
  return byteScale(report.epochs.flatMap((e) => [e.bytesRead, e.diskBytesRead]));
}

/** the epochs table's columns, as the HTML summary heads them */
export function epochHeader(report: SessionReport): string[] {
  return [
    epochColumn(report),
    'Start',
    'Duration',
    'Read',
    'From disk',
    'Coverage',
    'Cache hit',
    'Stall',
    'Files',
    'Boundary',
  ];
}

/** "16.16× — dataset passes (bytes read ÷ dataset bytes, over the session)" label and value */
export function passesLabel(): string {
  return PASSES_NAME.charAt(0).toUpperCase() + PASSES_NAME.slice(1);
}

export function passesValue(report: SessionReport): string {
  return passesText(report.reread.datasetBytes > 0 ? report.reread.factor : null);
}

/** what a report says where attach mode could not see the DataLoaders */
export const LOADERS_UNSEEN =
  'Not visible in attach mode: only the in-process hook sees DataLoaders (launch the job with trainio to see them).';
