/**
 * The merged job report as one self-contained HTML page (no script, strict CSP through
 * htmlDocument): the verdict, the job's key numbers, the stall of every rank as a bar chart, the
 * slowest and the fastest rank's stall over time, and a row per rank.
 */
import type { MergedRankRow, MergedReport } from '../../shared/mergedReport';
import { htmlDocument } from './html';
import { html } from './htmlText';
import { MERGE_CHART_CSS, rankStallChart } from './mergeChart';
import { isStraggler, mergedVerdict, points } from './mergeRows';
import { svgLineChart } from './svgChart';
import { formatBytes, formatCount, formatPct, formatSeconds } from './units';

export function renderMergedHtml(m: MergedReport): string {
  const title = `trainio job report — ${m.ranks.length} rank(s)`;
  const slow = m.straggler;
  const isSlow = (r: MergedRankRow): boolean => isStraggler(m, r);
  const rows = m.ranks.map(
    (r) =>
      html`<tr class="${isSlow(r) ? 'tio-slowest-row' : ''}">
        <th class="num">${r.rank}${isSlow(r) ? ' ◀' : ''}</th>
        <td>${r.host}</td>
        <td class="num">${formatPct(r.dataStall.pct)}</td>
        <td>${r.dataStall.method}</td>
        <td class="num">${formatCount(r.epochs)}</td>
        <td class="num">${formatBytes(r.bytesRead)}</td>
        <td class="num">${formatPct(r.pageCacheHitPct)}</td>
        <td class="num">
          ${
            r.checkpoints === null
              ? html`<span class="tio-muted">on its first rank</span>`
              : `${formatCount(r.checkpoints)} · ${formatBytes(r.checkpointBytes)}`
          }
        </td>
        <td class="num">${formatSeconds(r.durationS)}</td>
        <td><code>${r.session}</code></td>
      </tr>`,
  );
  const d = m.dataStall;
  const card = (label: string, value: string, sub: string, cls = ''): ReturnType<typeof html> =>
    html`<div class="tio-card ${cls}">
      <dt>${label}</dt>
      <dd><strong>${value}</strong><span>${sub}</span></dd>
    </div>`;
  const withSeries = m.ranks.filter((r) => r.stallSeries.pct.some((v) => v !== null));
  const fastest = withSeries.reduce<MergedRankRow | undefined>(
    (f, r) => (f === undefined || (r.dataStall.pct ?? Infinity) < (f.dataStall.pct ?? Infinity) ? r : f),
    undefined,
  );
  const slowRow = withSeries.find(isSlow);
  const overTime =
    slowRow && fastest && slowRow !== fastest
      ? html`<h2>Slowest and fastest rank over time (%)</h2>
          ${svgLineChart(
            'Data stall of the slowest and the fastest rank over time',
            [
              { className: 'a', t: slowRow.stallSeries.t, v: slowRow.stallSeries.pct },
              { className: 'b', t: fastest.stallSeries.t, v: fastest.stallSeries.pct },
            ],
            100,
            (v) => `${v.toFixed(0)}%`,
          )}
          <p class="tio-muted">
            <span class="tio-legend-a">━ rank ${slowRow.rank} on ${slowRow.host} (slowest)</span>
            <span class="tio-legend-b">━ rank ${fastest.rank} on ${fastest.host} (fastest)</span> · seconds
            since each session's start
          </p>`
      : '';
  const body = html`<div class="tio-report tio-standalone">
    <header class="tio-header">
      <h1>trainio job report</h1>
      <p class="tio-meta">
        ${formatCount(m.ranks.length)} rank(s) from ${formatCount(m.sessions)} session file(s)
      </p>
    </header>
    <p><strong>${mergedVerdict(m)}</strong></p>
    <dl class="tio-cards">
      ${card('Job data stall', formatPct(d.pct), `the slowest rank's (${d.method})`, (d.pct ?? 0) >= 20 ? 'tio-critical' : '')}
      ${card('Straggler', slow ? `rank ${slow.rank}` : '—', slow ? `on ${slow.host}, ${points(slow.aboveMedianPct)} above the median` : 'one rank only')}
      ${card('Spread', points(d.spreadPct), `fastest ${formatPct(d.fastestPct)}, median ${formatPct(d.medianPct)}`)}
      ${card('Read', formatBytes(m.totals.bytesRead), `checkpoints ${formatCount(m.totals.checkpoints)} (${formatBytes(m.totals.checkpointBytes)})`)}
    </dl>
    <h2>Data stall per rank</h2>
    ${rankStallChart(m)}
    <p class="tio-muted">
      Red: the slowest rank. Dashed: the median. Every rank waits for the slowest each step.
    </p>
    ${overTime}
    <h2>Ranks</h2>
    <div class="tio-table-wrap">
      <table>
        <thead>
          <tr>
            <th class="num">Rank</th>
            <th>Host</th>
            <th class="num">Data stall</th>
            <th>Method</th>
            <th class="num">Epochs</th>
            <th class="num">Read</th>
            <th class="num">Cache hit</th>
            <th class="num">Checkpoints</th>
            <th class="num">Recorded</th>
            <th>Session</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>
    ${
      m.notes.length
        ? html`<h2>Notes</h2>
            <ul>
              ${m.notes.map((n) => html`<li>${n}</li>`)}
            </ul>`
        : ''
    }
    <p class="tio-footer">
      trainio job report (${m.schema}). Cache hit is the node's page cache; kB, MB, GB are powers of 1000.
    </p>
  </div>`;
  return htmlDocument(title, body, MERGE_CHART_CSS, null);
}
