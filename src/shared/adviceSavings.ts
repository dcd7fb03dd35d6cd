/**
 * What an advice would save, written the same way in the CLI, the reports, the panel and the
 * CodeLens: "saves ≈ 2.8 s per epoch, 57% of the loop".
 */
import { formatDuration } from './format';
import type { Advice } from './model';

export function savingsText(a: Pick<Advice, 'savesS' | 'savesPct' | 'savesPerEpochS'>): string | null {
  if (a.savesS === undefined || !(a.savesS > 0)) return null;
  const amount =
    a.savesPerEpochS !== undefined && a.savesPerEpochS > 0
      ? `${formatDuration(a.savesPerEpochS)} per epoch`
      : formatDuration(a.savesS);
  const share = a.savesPct !== undefined ? `, ${Math.round(a.savesPct)}% of the loop` : '';
  return `saves ≈ ${amount}${share}`;
}

/** the short form for a CodeLens: "≈ 2.8 s/epoch" or "≈ 57% of the loop" */
export function savingsShort(a: Pick<Advice, 'savesS' | 'savesPct' | 'savesPerEpochS'>): string | null {
  if (a.savesS === undefined || !(a.savesS > 0)) return null;
  if (a.savesPerEpochS !== undefined && a.savesPerEpochS > 0)
    return `≈ ${formatDuration(a.savesPerEpochS)}/epoch`;
  if (a.savesPct !== undefined) return `≈ ${Math.round(a.savesPct)}% of the loop`;
  return `≈ ${formatDuration(a.savesS)}`;
}
