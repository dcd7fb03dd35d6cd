/**
 * Two sessions compared as one self-contained HTML page (no script at all): the verdict, every headline
 * number side by side with the change and the better run, stall and read throughput of both runs drawn
 * on the same axes (inline SVG), what differed in the setup, and each run's advice.
 */
import type { SessionReport } from '../../shared/model';
import { compareReports, compareSetup, comparisonVerdict } from './comparison';
import { htmlDocument } from './html';
import { html, type SafeHtml } from './htmlText';
import { commandText, sessionLine } from './sessionFacts';
import { svgLineChart } from './svgChart';
import { formatRate } from './units';

const BETTER_TEXT = { a: '◀ A', b: 'B ▶', same: '≈ same' } as const;

export function renderComparisonHtml(a: SessionReport, b: SessionReport): string {
  const rows = compareReports(a, b);
  const title = `trainio comparison — ${commandText(a)} vs ${commandText(b)}`;
  const metrics = rows.map(
    (r) =>
      html`<tr>
        <th>${r.metric}</th>
        <td class="num ${r.better === 'a' ? 'tio-better' : ''}">${r.aText}</td>
        <td class="num ${r.better === 'b' ? 'tio-better' : ''}">${r.bText}</td>
        <td class="num">${r.deltaText}</td>
        <td>${r.better === null ? '' : BETTER_TEXT[r.better]}</td>
      </tr>`,
  );
  const setup = compareSetup(a, b).map(
    (r) =>
      html`<tr class="${r.differs ? 'tio-differs' : ''}">
        <th>${r.label}</th>
        <td>${r.a}</td>
        <td>${r.b}</td>
      </tr>`,
  );
  const advice = (r: SessionReport): SafeHtml[] =>
    r.advice.length
      ? r.advice.map(
          (x) =>
            html`<li class="tio-advice tio-${x.severity}">
              <span class="tio-severity">${x.severity}</span> ${x.message}
            </li>`,
        )
      : [html`<li>none</li>`];
  const body = html`<div class="tio-report tio-standalone">
    <header class="tio-header">
      <h1>trainio comparison</h1>
      <p>
        <span class="tio-legend-a">A</span> <code>${commandText(a)}</code><br /><span class="tio-meta"
          >${sessionLine(a)}</span
        >
      </p>
      <p>
        <span class="tio-legend-b">B</span> <code>${commandText(b)}</code><br /><span class="tio-meta"
          >${sessionLine(b)}</span
        >
      </p>
    </header>
    <p><strong>${comparisonVerdict(rows)}</strong></p>
    <div class="tio-table-wrap">
      <table class="tio-compare">
        <thead>
          <tr>
            <th></th>
            <th class="num">A</th>
            <th class="num">B</th>
            <th class="num">Change (B − A)</th>
            <th>Better</th>
          </tr>
        </thead>
        <tbody>
          ${metrics}
        </tbody>
      </table>
    </div>
    <h2>Data stall over time (%)</h2>
    ${svgLineChart(
      'Data stall of A and B over time',
      [
        { className: 'a', t: a.series.t, v: a.series.stallPct },
        { className: 'b', t: b.series.t, v: b.series.stallPct },
      ],
      100,
      (v) => `${v.toFixed(0)}%`,
    )}
    <h2>Read throughput over time</h2>
    ${svgLineChart(
      'Read throughput of A and B over time',
      [
        { className: 'a', t: a.series.t, v: a.series.readBps },
        { className: 'b', t: b.series.t, v: b.series.readBps },
      ],
      null,
      (v) => formatRate(v),
    )}
    <p class="tio-muted">
      <span class="tio-legend-a">━ A</span> <span class="tio-legend-b">━ B</span> · time in seconds since each
      session's start
    </p>
    <h2>Setup (differences in bold)</h2>
    <div class="tio-table-wrap">
      <table>
        <thead>
          <tr>
            <th></th>
            <th>A</th>
            <th>B</th>
          </tr>
        </thead>
        <tbody>
          ${setup}
        </tbody>
      </table>
    </div>
    <h2>Advice</h2>
    <h3><span class="tio-legend-a">A</span></h3>
    <ul class="tio-advice-list">
      ${advice(a)}
    </ul>
    <h3><span class="tio-legend-b">B</span></h3>
    <ul class="tio-advice-list">
      ${advice(b)}
    </ul>
    <p class="tio-footer">
      trainio comparison of two ${a.schema} sessions. Stall and cache-hit changes are in percentage points.
    </p>
  </div>`;
  return htmlDocument(title, body, '', null);
}
