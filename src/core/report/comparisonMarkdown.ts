/**
 * Two sessions compared in Markdown: what differed in the setup, then every headline number side by
 * side with the change and which run did better, then both stall sparklines on the same scale.
 */
import type { SessionReport } from '../../shared/model';
import { compareReports, compareSetup, comparisonVerdict, type Better } from './comparison';
import { markdownCode, markdownTable, markdownText } from './markdownText';
import { commandText, sessionLine } from './sessionFacts';
import { sparkline } from './sparkline';

const MARK: Record<Exclude<Better, null>, string> = { a: '◀ A', b: 'B ▶', same: '≈ same' };

export function renderComparisonMarkdown(a: SessionReport, b: SessionReport): string {
  const rows = compareReports(a, b);
  const metrics = markdownTable(
    ['', 'A', 'B', 'change (B − A)', 'better'],
    rows.map((r) => [
      `**${markdownText(r.metric)}**`,
      markdownText(r.aText),
      markdownText(r.bText),
      markdownText(r.deltaText),
      r.better === null ? '' : MARK[r.better],
    ]),
    ['l', 'r', 'r', 'r', 'l'],
  );
  const setup = markdownTable(
    ['', 'A', 'B'],
    compareSetup(a, b).map((r) => {
      const cell = (v: string): string => (r.differs ? `**${markdownText(v)}**` : markdownText(v));
      return [markdownText(r.label), cell(r.a), cell(r.b)];
    }),
  );
  const parts = [
    `# trainio comparison — A: ${markdownCode(commandText(a), false)} vs B: ${markdownCode(commandText(b), false)}`,
    `- **A** · ${markdownText(sessionLine(a))}\n- **B** · ${markdownText(sessionLine(b))}`,
    `**${markdownText(comparisonVerdict(rows))}**`,
    metrics,
    stallSparklines(a, b),
    `## Setup (differences in bold)\n\n${setup}`,
    adviceLists(a, b),
    `<sub>trainio comparison of two \`${a.schema}\` sessions. Stall and cache hit changes are in percentage points.</sub>`,
  ];
  return parts.filter((p) => p !== '').join('\n\n') + '\n';
}

function stallSparklines(a: SessionReport, b: SessionReport): string {
  if (!a.series.stallPct.some((v) => v !== null) && !b.series.stallPct.some((v) => v !== null)) return '';
  return [
    'Data stall over each session (0–100%):',
    '',
    `A \`${sparkline(a.series.stallPct, 60, 100) || ' '}\``,
    `B \`${sparkline(b.series.stallPct, 60, 100) || ' '}\``,
  ].join('\n');
}

function adviceLists(a: SessionReport, b: SessionReport): string {
  const list = (r: SessionReport): string =>
    r.advice.length
      ? r.advice.map((x) => `- **${markdownText(x.severity)}** — ${markdownText(x.message)}`).join('\n')
      : '- none';
  return `## Advice\n\n**A**\n\n${list(a)}\n\n**B**\n\n${list(b)}`;
}
