/**
 * The per-rank chart of the merged job report: one bar per rank, its data stall, the slowest rank
 * marked and the median drawn across. Inline SVG, no script.
 */
import type { MergedReport } from '../../shared/mergedReport';
import { html, type SafeHtml } from './htmlText';
import { isStraggler } from './mergeRows';
import { formatPct } from './units';

const W = 900;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 34 };

export const MERGE_CHART_CSS = `
.tio-svg-chart .tio-bar { fill: var(--r-blue); }
.tio-svg-chart .tio-bar.tio-slowest { fill: var(--r-red); }
.tio-svg-chart .tio-median { stroke: var(--r-orange); stroke-dasharray: 4 3; }
.tio-slowest-row td, .tio-slowest-row th { font-weight: 700; }
`;

export function rankStallChart(m: MergedReport): SafeHtml {
  const rows = m.ranks;
  const top = Math.max(5, ...rows.map((r) => r.dataStall.pct ?? 0));
  const yMax = Math.min(100, Math.ceil(top / 5) * 5);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, rows.length);
  const barW = Math.max(1, Math.min(40, slot * 0.8));
  const y = (v: number): number => PAD.top + plotH - (Math.min(v, yMax) / yMax) * plotH;
  const labelEvery = Math.ceil(rows.length / 32);
  const bars = rows.map((r, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    const v = r.dataStall.pct;
    const isSlow = isStraggler(m, r);
    const label =
      i % labelEvery === 0
        ? html`<text x="${(x + barW / 2).toFixed(1)}" y="${H - PAD.bottom + 14}" text-anchor="middle"
            >${r.rank}</text
          >`
        : '';
    if (v === null) return label;
    return html`<rect
        class="tio-bar${isSlow ? ' tio-slowest' : ''}"
        x="${x.toFixed(1)}"
        y="${y(v).toFixed(1)}"
        width="${barW.toFixed(1)}"
        height="${(PAD.top + plotH - y(v)).toFixed(1)}"
        ><title>rank ${r.rank} on ${r.host}: ${formatPct(v)}</title></rect
      >${label}`;
  });
  const grid = [0, 0.5, 1].map((f) => {
    const gy = y(yMax * f).toFixed(1);
    return html`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${gy}" y2="${gy}" /><text
        x="${PAD.left - 6}"
        y="${gy}"
        text-anchor="end"
        dominant-baseline="middle"
        >${formatPct(yMax * f, 0)}</text
      >`;
  });
  const med = m.dataStall.medianPct;
  const medianLine =
    med === null
      ? ''
      : html`<line
          class="tio-median"
          x1="${PAD.left}"
          x2="${W - PAD.right}"
          y1="${y(med).toFixed(1)}"
          y2="${y(med).toFixed(1)}"
          ><title>median ${formatPct(med)}</title></line
        >`;
  return html`<svg
    class="tio-svg-chart"
    viewBox="0 0 ${W} ${H}"
    role="img"
    aria-label="Data stall per rank"
    xmlns="http://www.w3.org/2000/svg"
  >
    ${grid} ${bars} ${medianLine}
    <text x="${PAD.left + plotW / 2}" y="${H - 4}" text-anchor="middle">rank</text>
  </svg>`;
}
