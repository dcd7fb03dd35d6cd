/**
 * The Markdown report: reads well in a GitHub pull request or issue. Headline numbers first, then a
 * sparkline of the stall over time, the advice with its evidence, and the tables.
 */
import { savingsText } from '../../shared/adviceSavings';
import { rereadMethodText } from './rereadMethodText';
import type { SessionReport } from '../../shared/model';
import { healthMarkdown } from './healthReport';
import { ranksMarkdown } from './ranksReport';
import { keyNumbers } from './keyNumbers';
import { markdownCode, markdownLine, markdownTable, markdownText } from './markdownText';
import {
  checkpointsMarkdown,
  datasetsMarkdown,
  epochsMarkdown,
  largestDirsMarkdown,
  loadersMarkdown,
  siteMarkdown,
} from './markdownTables';
import {
  commandText,
  environmentRows,
  LOADERS_UNSEEN,
  passesLabel,
  passesValue,
  sessionLine,
  stallSplitText,
  stallText,
} from './sessionFacts';
import { maxOf } from './seriesDownsample';
import { sparkline } from './sparkline';
import { formatBytes, formatPct, formatRate, formatSeconds } from './units';

const SPARK_WIDTH = 60;
const SEVERITY_ICON = { critical: '🔴', warning: '🟠', info: '🔵' } as const;

export function renderMarkdown(report: SessionReport): string {
  const parts = [
    `# trainio session report — ${markdownCode(commandText(report), false)}`,
    markdownLine(sessionLine(report)),
    headlineMarkdown(report),
    chartsMarkdown(report),
    healthMarkdown(report),
    adviceMarkdown(report),
    ranksMarkdown(report),
    section('Epochs', report.epochs.length, () => epochsMarkdown(report)),
    section('Checkpoints', report.checkpoints.length, () => checkpointsMarkdown(report)),
    section(
      'Datasets',
      report.datasets.length,
      () => datasetsMarkdown(report) + '\n\n' + largestDirsMarkdown(report),
    ),
    report.loaders.length === 0 && report.target.mode === 'attach'
      ? `## DataLoaders\n\n${LOADERS_UNSEEN}`
      : section('DataLoaders', report.loaders.length, () => loadersMarkdown(report)),
    environmentMarkdown(report),
    notesMarkdown(report),
    `<sub>trainio report, schema \`${report.schema}\`. Times are seconds from the session start; kB, MB, GB are powers of 1000.</sub>`,
  ];
  return parts.filter((p) => p.trim() !== '').join('\n\n') + '\n';
}

export function headlineMarkdown(report: SessionReport): string {
  const k = keyNumbers(report);
  const split = stallSplitText(report);
  const epochs =
    k.epochs === 0
      ? 'none detected'
      : `${k.epochs} · mean ${formatSeconds(k.meanEpochS)}` +
        (k.epochs > 1
          ? ` (first ${formatSeconds(k.firstEpochS)}, later ${formatSeconds(k.laterEpochS)})`
          : '');
  const rows = [
    ['**Data stall**', markdownText(stallText(report) + (split ? ` — ${split}` : ''))],
    ['**Epochs**', markdownText(epochs)],
    [
      `**${passesLabel()}**`,
      markdownText(
        `${passesValue(report)} the dataset (${formatBytes(k.datasetBytes)}): bytes read ÷ dataset bytes over the session · ${formatBytes(k.bytesRead)} read, ${rereadMethodText(report.reread.method)}`,
      ),
    ],
    [
      '**Page cache hit**',
      markdownText(
        `${formatPct(k.pageCacheHitPct)} of bytes read · ${formatBytes(k.diskBytesRead)} from disk` +
          (report.reread.residentPct !== undefined && report.reread.residentPct !== null
            ? ` · ${formatPct(report.reread.residentPct)} of the dataset resident at the end`
            : ''),
      ),
    ],
    [
      '**Checkpoints**',
      markdownText(
        k.checkpoints === 0
          ? 'none seen'
          : `${k.checkpoints} · ${formatBytes(k.checkpointBytes)} · ${formatSeconds(k.checkpointLostS)} of training lost (${formatPct(k.checkpointLostPct)} of the session)`,
      ),
    ],
    [
      '**Read throughput**',
      markdownText(`mean ${formatRate(k.meanReadBps)} · peak ${formatRate(k.peakReadBps)}`),
    ],
  ];
  return markdownTable(['', ''], rows);
}

function chartsMarkdown(report: SessionReport): string {
  const s = report.series;
  if (s.t.length < 2) return '';
  const span = `${formatSeconds(s.t[0])} → ${formatSeconds(s.t[s.t.length - 1])}`;
  const lines = [];
  if (s.stallPct.some((v) => v !== null)) {
    lines.push(
      `Data stall over time (0–100%, ${span}):`,
      '',
      '`' + sparkline(s.stallPct, SPARK_WIDTH, 100) + '`',
    );
  }
  const peak = maxOf(s.readBps) ?? 0;
  lines.push(
    '',
    `Read throughput (0–${markdownText(formatRate(peak))}, ${span}):`,
    '',
    '`' + sparkline(s.readBps, SPARK_WIDTH) + '`',
  );
  return lines.join('\n');
}

function adviceMarkdown(report: SessionReport): string {
  if (report.advice.length === 0) return '## Advice\n\nNothing to change: no data-loading problem was found.';
  const items = report.advice.map((a) => {
    const head = `- ${SEVERITY_ICON[a.severity] ?? ''} **${markdownText(a.severity)}** — ${markdownText(a.message)}`;
    const site = a.site ? ` (at ${siteMarkdown(report, a.site, false)})` : '';
    const saves = savingsText(a);
    const evidence = [
      ...(saves ? [`  - **${saves}**`] : []),
      ...a.evidence.map((e) => `  - ${markdownText(e)}`),
    ];
    return [head + site, ...evidence].join('\n');
  });
  return `## Advice\n\n${items.join('\n')}`;
}

function environmentMarkdown(report: SessionReport): string {
  const rows = [['Command', markdownCode(commandText(report))]];
  if (report.target.cwd) rows.push(['Working directory', markdownCode(report.target.cwd)]);
  for (const r of environmentRows(report)) rows.push([markdownText(r.label), markdownText(r.value)]);
  return `## Environment\n\n${markdownTable(['', ''], rows)}`;
}

function notesMarkdown(report: SessionReport): string {
  if (report.notes.length === 0) return '';
  const items = report.notes.map(
    (n) => `- ${formatSeconds(n.s)} · ${markdownText(n.level)}: ${markdownText(n.message)}`,
  );
  return `## Notes\n\n${items.join('\n')}`;
}

function section(title: string, count: number, body: () => string): string {
  return count === 0 ? `## ${title}\n\nNone.` : `## ${title}\n\n${body()}`;
}
