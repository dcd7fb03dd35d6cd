/**
 * The tables of the Markdown report: epochs, checkpoints, datasets, DataLoaders. Every cell that comes
 * from the user's disk goes through markdownCode / markdownText.
 */
import type { CallSite, SessionReport, SizeBucket } from '../../shared/model';
import { markdownCode, markdownTable, markdownText } from './markdownText';
import { byteScale, formatBytesIn } from '../../shared/format';
import { displayPath, epochCells, epochHeader, epochScale } from './sessionFacts';
import { formatBytes, formatCount, formatRate, formatSeconds } from './units';

export function siteMarkdown(report: SessionReport, site: CallSite | undefined, inTable = true): string {
  return site ? markdownCode(`${displayPath(report, site.file)}:${site.line}`, inTable) : '—';
}

export function epochsMarkdown(report: SessionReport): string {
  const scale = epochScale(report);
  const rows = report.epochs.map((e) => epochCells(e, scale).map(markdownText));
  return markdownTable(
    epochHeader(report).map((h) => h.toLowerCase()),
    rows,
    ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
}

export function checkpointsMarkdown(report: SessionReport): string {
  const scale = byteScale(report.checkpoints.map((c) => c.bytes));
  const rows = report.checkpoints.map((c) => [
    markdownCode(displayPath(report, c.path)),
    formatBytesIn(c.bytes, scale),
    formatSeconds(c.startS),
    formatSeconds(c.durationS),
    formatSeconds(c.lostS),
    c.durationS > 0 ? formatRate(c.bytes / c.durationS) : '—',
    siteMarkdown(report, c.site),
    markdownText(c.source),
  ]);
  return markdownTable(
    ['path', 'size', 'start', 'duration', 'training lost', 'write speed', 'saved at', 'seen by'],
    rows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
  );
}

export function datasetsMarkdown(report: SessionReport): string {
  const rows = report.datasets.map((d) => [
    markdownCode(displayPath(report, d.path)),
    formatCount(d.files) + (d.partial ? ' (partial index)' : ''),
    formatBytes(d.bytes),
    d.files > 0 ? formatBytes(d.bytes / d.files) : '—',
    formatCount(d.filesRead),
    markdownText(histogramText(d.histogram)),
  ]);
  return markdownTable(['path', 'files', 'size', 'mean file', 'files read', 'files by size'], rows, [
    'l',
    'r',
    'r',
    'r',
    'r',
    'l',
  ]);
}

/** The largest directories of each dataset, where the index holds them. */
export function largestDirsMarkdown(report: SessionReport): string {
  const rows = report.datasets.flatMap((d) =>
    d.largestDirs.slice(0, 5).map((l) => [markdownCode(displayPath(report, l.path)), formatCount(l.files)]),
  );
  return rows.length ? markdownTable(['directory', 'files'], rows, ['l', 'r']) : '';
}

export function loadersMarkdown(report: SessionReport): string {
  const yesNo = (b: boolean | undefined): string => (b === undefined ? '—' : b ? 'yes' : 'no');
  const rows = report.loaders.map((l) => [
    siteMarkdown(report, l.site),
    String(l.numWorkers),
    l.batchSize === undefined ? '—' : String(l.batchSize),
    yesNo(l.pinMemory),
    yesNo(l.persistentWorkers),
  ]);
  return markdownTable(
    ['created at', 'num_workers', 'batch_size', 'pin_memory', 'persistent_workers'],
    rows,
    ['l', 'r', 'r', 'l', 'l'],
  );
}

/** "≤ 4.10 kB: 120 · ≤ 65.5 kB: 3,000 · larger: 2" (empty buckets left out) */
export function histogramText(histogram: SizeBucket[]): string {
  const parts = histogram
    .filter((b) => b.count > 0)
    .map(
      (b) =>
        `${b.le === null || !Number.isFinite(b.le) ? 'larger' : `≤ ${formatBytes(b.le)}`}: ${formatCount(b.count)}`,
    );
  return parts.length ? parts.join(' · ') : '—';
}
