/**
 * The words every view uses for the same numbers, so the panel, the CodeLens and hover, the status
 * bar and the reports never disagree:
 * - **dataset passes**: bytes read ÷ dataset bytes over the whole session (16.16× after 16 epochs);
 * - **epoch coverage**: the same ratio for one epoch (100 % = each byte once);
 * - epochs are numbered as the job counts them when trainio saw the job start (launch mode), else
 *   counted **since attach** (epoch 0 is then the epoch the job was in when trainio attached);
 * - a stall window shorter than half a window never headlines, and an ended session or a report
 *   shows nothing "now".
 * Pure: no DOM, no node:*, no vscode.
 */
import type { EpochSummary, NoteRecord, SessionReport, SessionSeries } from './model';
import { formatFactor, formatPct } from './format';

export const PASSES_NAME = 'dataset passes';
export const COVERAGE_NAME = 'epoch coverage';

/** bytes read ÷ dataset bytes over the session; null without an indexed dataset */
export function datasetPasses(report: SessionReport): number | null {
  return report.reread.datasetBytes > 0 ? report.reread.factor : null;
}

/** "16.16×" */
export function passesText(passes: number | null | undefined): string {
  return formatFactor(passes);
}

/** "16.16 dataset passes" */
export function passesPhrase(passes: number | null | undefined): string {
  return `${formatFactor(passes).replace('×', '')} ${PASSES_NAME}`;
}

/** an epoch's coverage, "102%" (bytes the epoch read ÷ dataset bytes) */
export function coverageText(factor: number | null | undefined): string {
  return factor === null || factor === undefined || !Number.isFinite(factor)
    ? '—'
    : formatPct(100 * factor, 0);
}

/** 'job': epochs numbered from the job's start (trainio launched it); 'attach': counted since attach */
export type EpochCounting = 'job' | 'attach';

export function epochCounting(report: SessionReport): EpochCounting {
  return report.target.mode === 'launch' ? 'job' : 'attach';
}

/** "epoch 13", or "epoch 13 since attach" */
export function epochName(report: SessionReport, index: number): string {
  return epochCounting(report) === 'job' ? `epoch ${index}` : `epoch ${index} since attach`;
}

/** the epochs table's first column */
export function epochColumn(report: SessionReport): string {
  return epochCounting(report) === 'job' ? 'Epoch' : 'Epoch (since attach)';
}

/** the epoch the job is in (or ended in), and how many were seen: "epoch 13 · 14 seen" */
export function currentEpochText(report: SessionReport): string | null {
  const last = report.epochs.at(-1);
  if (!last) return null;
  return `${epochName(report, last.index)} · ${report.epochs.length} seen`;
}

/** the first epoch of an attached session began before the recording: it is not whole */
export function epochCutByAttach(report: SessionReport, e: EpochSummary): boolean {
  return epochCounting(report) === 'attach' && e.index === 0;
}

/** a live session that has not ended: the only time anything is "now" */
export function showsNow(report: SessionReport, live: boolean): boolean {
  return live && report.ended === null;
}

/**
 * The series' grid is uniform except its final point, which ends with the session: it often covers
 * a few ms (84 ms of a 1 s grid) and its stall % or rate is noise, not a reading. This is the index
 * of the last point whose window is at least half the grid's step (-1 for an empty series).
 */
export function lastFullWindow(series: Pick<SessionSeries, 't'>): number {
  const t = series.t;
  const n = t.length - 1;
  if (n < 2) return n;
  const step = (t[n - 1] as number) - (t[n - 2] as number);
  return (t[n] as number) - (t[n - 1] as number) >= 0.5 * step ? n : n - 1;
}

/** the highest value over full windows only, with its time */
export function peakOfFullWindows(
  t: readonly number[],
  values: readonly (number | null | undefined)[],
): { at: number; value: number } | null {
  let best: { at: number; value: number } | null = null;
  const last = lastFullWindow({ t: t as number[] });
  for (let i = 0; i < values.length && i <= last; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (!best || v > best.value) best = { at: t[i] ?? 0, value: v };
  }
  return best;
}

/** the warning a view should show now: the session file stopped and has not resumed since */
export function fileStoppedWarning(notes: readonly NoteRecord[]): string | undefined {
  const last = notes
    .filter(
      (n) =>
        n.about === 'session-file' && /^session (file stopped|file writing resumed|moved)/.test(n.message),
    )
    .at(-1);
  return last?.message.startsWith('session file stopped') ? last.message : undefined;
}
