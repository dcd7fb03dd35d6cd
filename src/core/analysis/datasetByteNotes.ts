/**
 * What the report says about how the dataset bytes were counted: epochs that read a mapped dataset
 * from pages their processes already held (no I/O happened: nothing is counted for them), and
 * epochs where rchar was capped because it counted more than the dataset files opened.
 */
import type { EpochSummary, NoteRecord } from '../../shared/model';
import type { SpanBytes } from './datasetBytes';

/** an epoch that brought in less than this share of what the first mapped epoch did held its pages */
const HELD_SHARE = 0.05;

export function datasetByteNotes(
  epochs: readonly EpochSummary[],
  spans: readonly SpanBytes[],
  anyMapped: boolean,
  at: number,
): NoteRecord[] {
  const out: NoteRecord[] = [];
  const note = (message: string): void => void out.push({ type: 'note', s: at, level: 'info', message });
  const firstMapped = spans.find((s) => s.mappedBytes > 0)?.mappedBytes ?? 0;
  if (anyMapped && firstMapped > 0) {
    const held = epochs.filter((_e, i) => i > 0 && (spans[i]?.mappedBytes ?? 0) < HELD_SHARE * firstMapped);
    if (held.length > 0) {
      note(
        `${epochList(held)} read the memory-mapped dataset through pages the processes already held ` +
          '(persistent workers or num_workers=0): no I/O happened, so no bytes are counted for them',
      );
    }
  }
  const capped = epochs.filter((_e, i) => spans[i]?.read === 'opens');
  if (capped.length > 0) {
    note(
      `${epochList(capped)}: read() counted more than the dataset files opened (Python modules, ` +
        'libraries or checkpoints loaded, e.g. by spawned workers): bytes read are the size of the files opened',
    );
  }
  return out;
}

function epochList(epochs: readonly EpochSummary[]): string {
  const n = epochs.map((e) => e.index + 1);
  if (n.length === 1) return `epoch ${n[0]}`;
  const contiguous = n.every((x, i) => i === 0 || x === n[i - 1] + 1);
  return contiguous ? `epochs ${n[0]}–${n.at(-1)}` : `epochs ${n.join(', ')}`;
}
