/**
 * How the panel, the reports and the status bar write numbers. Bytes use decimal units (1 MB = 1 000 000 bytes) with three
 * significant digits; times since the session start are written as a clock (m:ss or h:mm:ss).
 */

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const NO_VALUE = '—';

function threeDigits(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return NO_VALUE;
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  if (value < 1000) return `${sign}${value.toFixed(0)} B`;
  let unit = 0;
  while (value >= 999.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${sign}${threeDigits(value)} ${BYTE_UNITS[unit]}`;
}

/** one decimal unit for every byte count of a table, so that MB never sits next to GB */
export interface ByteScale {
  unit: string;
  divisor: number;
}

/** the unit formatBytes would pick for the largest of `values` */
export function byteScale(values: readonly (number | null | undefined)[]): ByteScale {
  let largest = 0;
  for (const v of values)
    if (v !== null && v !== undefined && Number.isFinite(v)) largest = Math.max(largest, Math.abs(v));
  let unit = 0;
  let value = largest;
  while (value >= 999.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return { unit: BYTE_UNITS[unit] as string, divisor: 1000 ** unit };
}

/** bytes in a given unit: three significant digits, two where the value is small for its unit */
export function formatBytesIn(bytes: number | null | undefined, scale: ByteScale): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return NO_VALUE;
  const value = bytes / scale.divisor;
  if (scale.divisor === 1 || value === 0) return `${value.toFixed(0)} ${scale.unit}`;
  const abs = Math.abs(value);
  // below 1 unit: two significant digits, at most four decimals (0.29 GB, 0.0017 GB)
  const text = abs >= 1 ? threeDigits(abs) : abs.toFixed(Math.min(4, 1 - Math.floor(Math.log10(abs))));
  return Number(text) === 0 ? `0 ${scale.unit}` : `${value < 0 ? '-' : ''}${text} ${scale.unit}`;
}

export function formatRate(bytesPerS: number | null | undefined): string {
  const bytes = formatBytes(bytesPerS);
  return bytes === NO_VALUE ? bytes : `${bytes}/s`;
}

/** MB/s (decimal) with one decimal, for chart axes */
export function formatMBps(bytesPerS: number): string {
  return `${(bytesPerS / 1e6).toFixed(bytesPerS >= 1e8 ? 0 : 1)} MB/s`;
}

export function formatPct(pct: number | null | undefined, digits = 1): string {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return NO_VALUE;
  return `${pct.toFixed(digits)}%`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NO_VALUE;
  return integerFormat.format(n);
}

export function formatFactor(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NO_VALUE;
  return `${x.toFixed(2)}×`;
}

/** a span of time: 350 ms, 12.3 s, 4 min 05 s, 2 h 03 min */
export function formatDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return NO_VALUE;
  if (s < 0) return `-${formatDuration(-s)}`;
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  if (total < 3600) return `${Math.floor(total / 60)} min ${pad2(total % 60)} s`;
  return `${Math.floor(total / 3600)} h ${pad2(Math.floor((total % 3600) / 60))} min`;
}

/** a moment since the session start: 0:42, 12:05, 1:02:03 */
export function formatClock(s: number): string {
  if (!Number.isFinite(s)) return NO_VALUE;
  const total = Math.max(0, Math.round(s));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(sec)}` : `${m}:${pad2(sec)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** the last path segment, for compact labels (the full path goes into the tooltip) */
export function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut >= 0 && cut < path.length - 1 ? path.slice(cut + 1) : path;
}

const BINARY_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** a bucket bound: powers of two in binary units (4 KiB, 64 KiB, 1 MiB), anything else in decimal */
export function formatSizeBound(bytes: number): string {
  if (bytes >= 1024 && Number.isInteger(Math.log2(bytes))) {
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return `${value} ${BINARY_UNITS[unit]}`;
  }
  return formatBytes(bytes);
}
