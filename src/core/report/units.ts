/**
 * Numbers as a reader wants them in a summary, written exactly as the live panel writes them: bytes in
 * decimal units (1 MB = 1,000,000 bytes) with three significant digits, rates per second, percentages
 * and durations. Machine formats (JSON, CSV, trace) never go through here: they carry numbers unformatted.
 */

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
const NO_VALUE = '—';

function known(x: number | null | undefined): x is number {
  return x !== null && x !== undefined && Number.isFinite(x);
}

function threeDigits(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (!known(bytes)) return NO_VALUE;
  const sign = bytes < 0 ? '−' : '';
  let value = Math.abs(bytes);
  if (value < 1000) return `${sign}${value.toFixed(0)} B`;
  let unit = 0;
  while (value >= 999.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${sign}${threeDigits(value)} ${BYTE_UNITS[unit]}`;
}

export function formatRate(bytesPerS: number | null | undefined): string {
  const b = formatBytes(bytesPerS);
  return b === NO_VALUE ? b : `${b}/s`;
}

export function formatPct(pct: number | null | undefined, digits = 1): string {
  return known(pct) ? `${pct.toFixed(digits)}%` : NO_VALUE;
}

export function formatFactor(x: number | null | undefined): string {
  return known(x) ? `${x.toFixed(2)}×` : NO_VALUE;
}

/** 350 ms · 12.3 s · 4 min 05 s · 3 h 07 min */
export function formatSeconds(s: number | null | undefined): string {
  if (!known(s)) return NO_VALUE;
  if (s < 0) return `−${formatSeconds(-s)}`;
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  if (total < 3600) return `${Math.floor(total / 60)} min ${pad2(total % 60)} s`;
  return `${Math.floor(total / 3600)} h ${pad2(Math.floor((total % 3600) / 60))} min`;
}

export function formatCount(n: number | null | undefined): string {
  return known(n) ? Math.round(n).toLocaleString('en-US') : NO_VALUE;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
