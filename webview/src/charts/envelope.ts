/**
 * A long series drawn into a few hundred pixels: the points of the visible time range are grouped
 * into columns a few pixels wide; each column draws its mean as the line and its min–max as a faint
 * envelope, so a day of bursty reads reads as a level with its spread instead of a solid block.
 * Short series (fewer points than columns) are drawn as they are.
 */
import type { Point } from './points.js';

/** pixels per column of an aggregated series */
export const PX_PER_COLUMN = 3;

export interface TimeWindow {
  from: number;
  to: number;
}

export interface Aggregated {
  /** true when the points were grouped into columns */
  grouped: boolean;
  mean: Point[];
  min: Point[];
  max: Point[];
}

/** the first index with t[i] ≥ x (t sorted) */
export function lowerBound(t: readonly number[], x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((t[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The points of `values` inside `window`, as they are when they fit `columns`, else one mean /
 * min / max per column (a column with no finite value is a gap).
 */
export function aggregate(
  t: readonly number[],
  value: (i: number) => number | null,
  window: TimeWindow,
  columns: number,
): Aggregated {
  // one point before the window keeps the line continuous at its left edge
  const first = Math.max(0, lowerBound(t, window.from) - 1);
  const last = Math.min(t.length, lowerBound(t, window.to) + 1);
  const n = last - first;
  if (n <= Math.max(1, columns)) {
    const mean: Point[] = [];
    for (let i = first; i < last; i++) mean.push({ x: t[i] as number, y: value(i) });
    return { grouped: false, mean, min: [], max: [] };
  }
  const span = Math.max(1e-9, window.to - window.from);
  const width = span / columns;
  const mean: Point[] = [];
  const min: Point[] = [];
  const max: Point[] = [];
  let i = first;
  for (let c = 0; c < columns && i < last; c++) {
    const end = c === columns - 1 ? Infinity : window.from + (c + 1) * width;
    let sum = 0;
    let count = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let any = false;
    for (; i < last && (t[i] as number) < end; i++) {
      any = true;
      const v = value(i);
      if (v === null || !Number.isFinite(v)) continue;
      sum += v;
      count++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!any) continue;
    const x = window.from + (c + 0.5) * width;
    mean.push({ x, y: count ? sum / count : null });
    min.push({ x, y: count ? lo : null });
    max.push({ x, y: count ? hi : null });
  }
  return { grouped: true, mean, min, max };
}

/** the columns a chart of this pixel width gets */
export function columnsFor(chartWidth: number): number {
  return Math.max(50, Math.floor(chartWidth / PX_PER_COLUMN));
}
