/**
 * A Unicode sparkline (▁▂▃▄▅▆▇█) that reads in any Markdown viewer without images. Values are averaged
 * into `width` cells; an unknown cell is a space.
 */
import { meanOf } from './seriesDownsample';

const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly (number | null)[], width: number, max?: number): string {
  if (values.length === 0 || width < 1) return '';
  const cells = Math.min(width, values.length);
  const means: (number | null)[] = [];
  for (let c = 0; c < cells; c++) {
    means.push(
      meanOf(values, Math.floor((c * values.length) / cells), Math.floor(((c + 1) * values.length) / cells)),
    );
  }
  const known = means.filter((v): v is number => v !== null);
  const top = max ?? Math.max(0, ...known);
  return means
    .map((v) => {
      if (v === null) return ' ';
      if (top <= 0) return BARS[0];
      const level = Math.round((Math.min(Math.max(v, 0), top) / top) * (BARS.length - 1));
      return BARS[level];
    })
    .join('');
}
