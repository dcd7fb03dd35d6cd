/** What the CLI says about a session: the live progress line and the final one-paragraph summary. */
import { savingsText } from '../shared/adviceSavings';
import { fileStateSentence } from '../core/session/fileStateText';
import { healthAlerts, healthShort } from '../shared/healthText';
import { formatBytes } from '../shared/format';
import type { SessionReport } from '../shared/model';

/** bytes in the unit the panel and the reports use (kB, MB, GB: powers of 1000) */
export function mb(bytes: number): string {
  return formatBytes(bytes);
}

function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : `${x.toFixed(1)}%`;
}

function seconds(s: number): string {
  if (s < 120) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 120 ? `${m} min ${Math.round(s - 60 * m)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** one line, rewritten every second on a TTY */
export function progressLine(r: SessionReport, readBps: number): string {
  const epoch = r.epochs.length ? `epoch ${r.epochs.length - 1}` : 'epoch –';
  const stall = `stall ${pct(r.dataStall.pct)}${r.dataStall.pct === null ? '' : ` (${r.dataStall.method})`}`;
  return [
    `trainio ● ${seconds(r.durationS)}`,
    `read ${(readBps / 1e6).toFixed(1)} MB/s`,
    epoch,
    stall,
    `checkpoints ${r.checkpoints.length}`,
    ...healthAlerts(r, true).map((h) => healthShort(h)),
  ].join('  ');
}

/** ", the slowest of 2 ranks: rank 1 (spread 9.3 points)" for a multi-rank job */
function rankClause(r: SessionReport): string {
  const n = r.ranks?.length ?? 0;
  const slowest = r.dataStall.slowestRank;
  if (n < 2 || slowest === undefined) return '';
  const spread = r.dataStall.spreadPct;
  return `, the slowest of ${n} ranks: rank ${slowest}${spread !== undefined ? ` (spread ${spread.toFixed(1)} points)` : ''}`;
}

/** the final paragraph */
export function summaryParagraph(r: SessionReport, file: string): string {
  const who = r.target.command.length ? r.target.command.join(' ') : `PID ${r.target.pid}`;
  const parts: string[] = [
    `Recorded ${seconds(r.durationS)} of ${who} (${r.target.mode} mode) into ${file}.`,
  ];
  if (r.ended?.file) parts.push(fileStateSentence(r.ended.file));
  parts.push(
    r.dataStall.pct === null
      ? 'Data stall: not measured.'
      : `Data stall ${pct(r.dataStall.pct)} (${r.dataStall.method})${rankClause(r)}.`,
  );
  if (r.epochs.length) {
    const re = r.reread.datasetBytes > 0 ? `, dataset read ${r.reread.factor.toFixed(2)}×` : '';
    parts.push(
      `${r.epochs.length} epoch${r.epochs.length === 1 ? '' : 's'}${re}, ${mb(r.reread.bytesRead)} read, ` +
        `${pct(r.reread.pageCacheHitPct)} from the page cache.`,
    );
  }
  if (r.checkpoints.length) {
    const bytes = r.checkpoints.reduce((a, c) => a + c.bytes, 0);
    const lost = r.checkpoints.reduce((a, c) => a + c.lostS, 0);
    parts.push(
      `${r.checkpoints.length} checkpoint${r.checkpoints.length === 1 ? '' : 's'} (${mb(bytes)}), ${lost.toFixed(2)} s of training lost.`,
    );
  }
  if (r.exitCause) parts.push(`Why the job died: ${r.exitCause}.`);
  const alerts = healthAlerts(r, false).filter(
    (h) => !r.exitCause || (h.id !== 'loader-error' && h.id !== 'worker-died'),
  );
  if (alerts.length) parts.push(`Health: ${alerts.map((h) => healthShort(h, h.value)).join(', ')}.`);
  if (r.advice.length) {
    const saves = savingsText(r.advice[0]);
    parts.push(`Advice: ${r.advice[0].message}${saves ? ` (${saves})` : ''}`);
  }
  return parts.join(' ');
}
