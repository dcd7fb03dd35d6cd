/**
 * Long sessions make long series (a day at one window per 2 s is 43,200 points). The HTML and Markdown
 * reports average them into at most `maxPoints` windows so the file stays small; JSON, CSV and the trace
 * carry the full series. Averaging keeps the bytes a rate stands for (rate × time) and the mean stall.
 */
import type { SessionSeries } from '../../shared/model';

export function downsampleSeries(series: SessionSeries, maxPoints: number): SessionSeries {
  const n = series.t.length;
  if (n <= maxPoints) return series;
  const buckets = Math.max(1, Math.floor(maxPoints));
  const out: SessionSeries = {
    t: [],
    readBps: [],
    diskReadBps: [],
    writeBps: [],
    systemDiskReadBps: [],
    stallPct: [],
  };
  if (series.gpuUtilPct) out.gpuUtilPct = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    if (to <= from) continue;
    out.t.push(series.t[to - 1]);
    out.readBps.push(meanOf(series.readBps, from, to) ?? 0);
    out.diskReadBps.push(meanOf(series.diskReadBps, from, to) ?? 0);
    out.writeBps.push(meanOf(series.writeBps, from, to) ?? 0);
    out.systemDiskReadBps.push(meanOf(series.systemDiskReadBps, from, to) ?? 0);
    out.stallPct.push(meanOf(series.stallPct, from, to));
    if (out.gpuUtilPct && series.gpuUtilPct) out.gpuUtilPct.push(meanOf(series.gpuUtilPct, from, to));
  }
  return out;
}

/** Mean of the known values in [from, to), null when none is known. */
export function meanOf(xs: readonly (number | null | undefined)[], from = 0, to = xs.length): number | null {
  let total = 0;
  let count = 0;
  for (let i = from; i < to; i++) {
    const v = xs[i];
    if (typeof v === 'number' && Number.isFinite(v)) {
      total += v;
      count++;
    }
  }
  return count ? total / count : null;
}

/** Largest known value (no spread: series can be longer than the call stack allows), null when none. */
export function maxOf(xs: readonly (number | null | undefined)[]): number | null {
  let top: number | null = null;
  for (const v of xs) {
    if (typeof v === 'number' && Number.isFinite(v) && (top === null || v > top)) top = v;
  }
  return top;
}
