/** Series → chart points, reusing the point objects of the previous update. */

export interface Point {
  x: number;
  y: number | null;
}

/**
 * Fills `target` with one point per sample, `y = map(i)`; returns the same array (grown or
 * shortened) so a chart's dataset keeps pointing at reused objects across live updates.
 */
export function fillPoints(
  target: Point[],
  t: readonly number[],
  map: (i: number) => number | null,
): Point[] {
  const n = t.length;
  if (target.length > n) target.length = n;
  for (let i = 0; i < n; i++) {
    const y = map(i);
    const point = target[i];
    if (point) {
      point.x = t[i] ?? 0;
      point.y = y;
    } else {
      target.push({ x: t[i] ?? 0, y });
    }
  }
  return target;
}

/** a finite number or null (a gap in the line) */
export function finiteOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}
