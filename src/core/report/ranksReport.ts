/**
 * The ranks of a multi-rank job in the reports: one row per rank (its stall, epochs, bytes, workers,
 * loaders), the slowest rank marked — in DDP every step waits for it, so its stall is the job's.
 * Nothing for a single-process job.
 */
import type { RankSummary, SessionReport } from '../../shared/model';
import { html, type SafeHtml } from './htmlText';
import { markdownLine, markdownTable, markdownText } from './markdownText';
import { formatBytes, formatPct } from './units';

const HEADER = ['rank', 'PID', 'data stall', 'method', 'epochs', 'bytes read', 'workers', 'loaders'];

function multiRank(report: SessionReport): RankSummary[] {
  const ranks = report.ranks ?? [];
  return ranks.length >= 2 ? ranks : [];
}

/** "rank 1 is the slowest of 2 (spread 9.3 points)", or null for a single-process job */
export function slowestRankText(report: SessionReport): string | null {
  const ranks = multiRank(report);
  const slowest = report.dataStall.slowestRank;
  if (ranks.length === 0 || slowest === undefined) return null;
  const spread = report.dataStall.spreadPct;
  return (
    `rank ${slowest} is the slowest of ${ranks.length}` +
    (spread !== undefined ? ` (${spread.toFixed(1)} points above the fastest)` : '')
  );
}

function cells(report: SessionReport, r: RankSummary): string[] {
  const slowest = report.dataStall.slowestRank === r.rank;
  return [
    `${r.rank}${slowest ? ' (slowest)' : ''}`,
    String(r.pid),
    formatPct(r.dataStall.pct),
    r.dataStall.method,
    String(r.epochs),
    formatBytes(r.bytesRead),
    String(r.workers),
    String(r.loaders),
  ];
}

export function ranksMarkdown(report: SessionReport): string {
  const ranks = multiRank(report);
  if (ranks.length === 0) return '';
  const lead = slowestRankText(report);
  return [
    '## Ranks',
    ...(lead ? [markdownLine(`The job's stall is its slowest rank's: ${lead}.`)] : []),
    markdownTable(
      HEADER,
      ranks.map((r) => cells(report, r).map((c) => markdownText(c))),
    ),
  ].join('\n\n');
}

export function ranksHtml(report: SessionReport): SafeHtml | '' {
  const ranks = multiRank(report);
  if (ranks.length === 0) return '';
  const lead = slowestRankText(report);
  return html`<h2>Ranks</h2>
    ${lead ? html`<p>The job's stall is its slowest rank's: ${lead}.</p>` : ''}
    <div class="tio-table-wrap">
      <table class="tio-ranks">
        <thead>
          <tr>
            ${HEADER.map((h, i) => html`<th class="${i === 0 || i === 3 ? '' : 'num'}">${h}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${ranks.map(
            (r) =>
              html`<tr class="${report.dataStall.slowestRank === r.rank ? 'tio-slowest' : ''}">
                ${cells(report, r).map((c, i) => html`<td class="${i === 0 || i === 3 ? '' : 'num'}">${c}</td>`)}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}
