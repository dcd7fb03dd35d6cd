/**
 * The CSV export: one file per table (RFC 4180: comma separated, CRLF line ends, fields quoted when they
 * hold a comma, quote, CR or LF). Numbers are written unformatted (JavaScript's shortest round-trip form);
 * an unknown value is an empty field. `report.csv` holds the time series, `report.epochs.csv` and
 * `report.checkpoints.csv` the event tables.
 *
 * A text field that a spreadsheet would run as a formula (starts with = + - @, tab or CR) is prefixed
 * with a single quote (OWASP "CSV injection"); paths on Linux start with `/` and are never changed.
 */
import type { SessionReport } from '../../shared/model';

export interface CsvTables {
  series: string;
  epochs: string;
  checkpoints: string;
}

export type CsvField = string | number | null | undefined;

export const SERIES_COLUMNS = [
  't',
  'read_Bps',
  'disk_read_Bps',
  'write_Bps',
  'system_disk_read_Bps',
  'stall_pct',
  'gpu_util_pct',
] as const;

export const EPOCH_COLUMNS = [
  'index',
  'start_s',
  'end_s',
  'duration_s',
  'bytes_read',
  'disk_bytes_read',
  'reread_factor',
  'page_cache_hit_pct',
  'stall_pct',
  'files_read',
  'source',
] as const;

export const CHECKPOINT_COLUMNS = [
  'path',
  'bytes',
  'start_s',
  'duration_s',
  'lost_s',
  'source',
  'site_file',
  'site_line',
] as const;

export function renderCsv(report: SessionReport): CsvTables {
  const s = report.series;
  const series = s.t.map((t, i) => [
    t,
    s.readBps[i],
    s.diskReadBps[i],
    s.writeBps[i],
    s.systemDiskReadBps[i],
    s.stallPct[i],
    s.gpuUtilPct?.[i],
  ]);
  const epochs = report.epochs.map((e) => [
    e.index,
    e.startS,
    e.endS,
    e.endS - e.startS,
    e.bytesRead,
    e.diskBytesRead,
    e.rereadFactor,
    e.pageCacheHitPct,
    e.stallPct,
    e.filesRead,
    e.source,
  ]);
  const checkpoints = report.checkpoints.map((c) => [
    c.path,
    c.bytes,
    c.startS,
    c.durationS,
    c.lostS,
    c.source,
    c.site?.file,
    c.site?.line,
  ]);
  return {
    series: csvTable(SERIES_COLUMNS, series),
    epochs: csvTable(EPOCH_COLUMNS, epochs),
    checkpoints: csvTable(CHECKPOINT_COLUMNS, checkpoints),
  };
}

/**
 * `out/report.csv` → the series in that file, `out/report.epochs.csv` and `out/report.checkpoints.csv`
 * beside it (a name without `.csv` keeps its whole name as the stem: `out/run1` → `out/run1.epochs.csv`).
 */
export function csvFileNames(outFile: string): Record<keyof CsvTables, string> {
  const stem = outFile.toLowerCase().endsWith('.csv') ? outFile.slice(0, -4) : outFile;
  return { series: outFile, epochs: `${stem}.epochs.csv`, checkpoints: `${stem}.checkpoints.csv` };
}

export function csvTable(header: readonly string[], rows: readonly (readonly CsvField[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

export function csvField(v: CsvField): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
