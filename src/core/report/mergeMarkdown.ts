/**
 * The merged job report in Markdown: the verdict (the job's stall is its slowest rank's), a row per
 * rank with its stall over time as a sparkline, the straggler marked, and what to know.
 */
import type { MergedReport } from '../../shared/mergedReport';
import { isStraggler, mergedVerdict } from './mergeRows';
import { markdownCode, markdownTable, markdownText } from './markdownText';
import { sparkline } from './sparkline';
import { formatBytes, formatCount, formatPct, formatSeconds } from './units';

export function renderMergedMarkdown(m: MergedReport): string {
  const slow = m.straggler;
  const table = markdownTable(
    [
      'rank',
      'host',
      'data stall',
      'method',
      'epochs',
      'read',
      'cache hit',
      'checkpoints',
      'stall over time',
      'session',
    ],
    m.ranks.map((r) => {
      const isSlow = isStraggler(m, r);
      const stall = formatPct(r.dataStall.pct);
      return [
        isSlow ? `**${r.rank}** ◀ slowest` : String(r.rank),
        markdownText(r.host),
        isSlow ? `**${stall}**` : stall,
        r.dataStall.method,
        formatCount(r.epochs),
        formatBytes(r.bytesRead),
        formatPct(r.pageCacheHitPct),
        r.checkpoints === null
          ? '(on its first rank)'
          : `${formatCount(r.checkpoints)} · ${formatBytes(r.checkpointBytes)}`,
        r.stallSeries.pct.length ? `\`${sparkline(r.stallSeries.pct, 24, 100) || ' '}\`` : '',
        markdownCode(r.session),
      ];
    }),
    ['r', 'l', 'r', 'l', 'r', 'r', 'r', 'r', 'l', 'l'],
  );
  const d = m.dataStall;
  const facts = [
    `- **Job data stall**: ${formatPct(d.pct)} (${d.method}), the slowest rank's — every rank waits for it each step`,
    `- **Fastest / median rank**: ${formatPct(d.fastestPct)} / ${formatPct(d.medianPct)}; spread ${d.spreadPct.toFixed(1)} points`,
    slow ? `- **Straggler**: rank ${slow.rank} on ${markdownText(slow.host)}` : '',
    `- **Read**: ${formatBytes(m.totals.bytesRead)} in all · **checkpoints**: ${formatCount(m.totals.checkpoints)} (${formatBytes(m.totals.checkpointBytes)}) · **longest session**: ${formatSeconds(m.durationS)}`,
  ].filter((l) => l !== '');
  const notes = m.notes.length ? `## Notes\n\n${m.notes.map((n) => `- ${markdownText(n)}`).join('\n')}` : '';
  const parts = [
    `# trainio job report — ${formatCount(m.ranks.length)} rank(s) in ${formatCount(m.sessions)} session(s)`,
    `**${markdownText(mergedVerdict(m))}**`,
    facts.join('\n'),
    `## Ranks\n\n${table}`,
    notes,
    `<sub>trainio job report (${m.schema}). Stall over time: 0–100%, each rank's own session time. Cache hit is its node's.</sub>`,
  ];
  return parts.filter((p) => p !== '').join('\n\n') + '\n';
}
