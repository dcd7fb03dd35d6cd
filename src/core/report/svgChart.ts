/**
 * Small static line charts as inline SVG, for the parts of the HTML report that run no script (the
 * comparison of two sessions). Two series on one time axis (seconds since each session's start).
 */
import { html, type SafeHtml } from './htmlText';
import { maxOf, meanOf } from './seriesDownsample';

export interface SvgLine {
  className: 'a' | 'b';
  t: readonly number[];
  v: readonly (number | null)[];
}

const W = 900;
const H = 180;
const PAD = { left: 84, right: 12, top: 10, bottom: 24 };
const MAX_POINTS = 600;

export function svgLineChart(
  label: string,
  lines: SvgLine[],
  yMax: number | null,
  yFormat: (v: number) => string,
): SafeHtml {
  const tMax = Math.max(1e-9, ...lines.map((l) => l.t[l.t.length - 1] ?? 0));
  const top = yMax ?? Math.max(1e-9, ...lines.map((l) => maxOf(l.v) ?? 0));
  const x = (t: number): number => PAD.left + (t / tMax) * (W - PAD.left - PAD.right);
  const y = (v: number): number =>
    H - PAD.bottom - (Math.min(Math.max(v, 0), top) / top) * (H - PAD.top - PAD.bottom);
  const grid = [0, 0.5, 1].map((f) => {
    const gy = y(top * f).toFixed(1);
    return html`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${gy}" y2="${gy}" /><text
        x="${PAD.left - 6}"
        y="${gy}"
        text-anchor="end"
        dominant-baseline="middle"
        >${yFormat(top * f)}</text
      >`;
  });
  const paths = lines.map((l) => html`<path class="${l.className}" d="${pathData(l, x, y)}" />`);
  return html`<svg
    class="tio-svg-chart"
    viewBox="0 0 ${W} ${H}"
    role="img"
    aria-label="${label}"
    xmlns="http://www.w3.org/2000/svg"
  >
    ${grid}
    <text x="${PAD.left}" y="${H - 6}">0 s</text>
    <text x="${W - PAD.right}" y="${H - 6}" text-anchor="end">${Math.round(tMax)} s</text>
    ${paths}
  </svg>`;
}

/** Averages the line into at most MAX_POINTS points; gaps (unknown values) break the path. */
function pathData(l: SvgLine, x: (t: number) => number, y: (v: number) => number): string {
  const n = l.t.length;
  const cells = Math.min(n, MAX_POINTS);
  let d = '';
  let pen = false;
  for (let c = 0; c < cells; c++) {
    const from = Math.floor((c * n) / cells);
    const to = Math.floor(((c + 1) * n) / cells);
    const v = meanOf(l.v, from, to);
    if (v === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(l.t[to - 1]).toFixed(1)} ${y(v).toFixed(1)}`;
    pen = true;
  }
  return d;
}
