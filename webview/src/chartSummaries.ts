/** The charts in words: a text summary under each chart, for screen readers and for print. */
import type { SessionReport } from '../../src/shared/model.js';
import { formatBytes, formatClock, formatDuration, formatPct, formatRate } from '../../src/shared/format.js';
import { peakOfFullWindows } from '../../src/shared/vocabulary.js';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function stallSummary(report: SessionReport): string {
  const s = report.dataStall;
  const top = peakOfFullWindows(report.series.t, report.series.stallPct);
  if (s.pct === null && !top) return 'No data-stall measurement yet.';
  const method = s.method === 'exact' ? 'measured exactly' : `estimated, ${s.confidence} confidence`;
  const parts = [`Data stall ${formatPct(s.pct)} (${method}) over ${formatDuration(report.durationS)}.`];
  if (top) parts.push(`Highest window: ${formatPct(top.value)} at ${formatClock(top.at)}.`);
  parts.push(
    `${plural(report.epochs.length, 'epoch', 'epochs')} and ${plural(report.checkpoints.length, 'checkpoint', 'checkpoints')} marked.`,
  );
  return parts.join(' ');
}

export function throughputSummary(report: SessionReport): string {
  const s = report.series;
  if (s.t.length === 0) return 'No throughput samples yet.';
  const total = report.totals;
  const top = peakOfFullWindows(s.t, s.readBps);
  const parts = [
    `Read ${formatBytes(total.rchar)} in all: ${formatPct(report.reread.pageCacheHitPct)} from the page cache, ` +
      `${formatBytes(total.readBytes)} from disk.`,
  ];
  if (top) parts.push(`Peak read ${formatRate(top.value)} at ${formatClock(top.at)}.`);
  parts.push(`Written ${formatBytes(total.writeBytes)}.`);
  return parts.join(' ');
}
