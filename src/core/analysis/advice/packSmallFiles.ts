/**
 * `pack-small-files`: millions of files, or many small ones — opening, listing and stat-ing them
 * costs more than reading them. The listing cost shows in the set-up before the first DataLoader
 * and in what trainio's own index of the dataset took.
 */
import type { Advice, SizeBucket } from '../../../shared/model';
import { fixed, kb, sum, type AdviceInput } from './adviceInput';

const MANY_FILES = 1_000_000;
const SMALL_FILE_COUNT = 10_000;
const SMALL_FILE_BYTES = 128 * 1024;

export function packSmallFilesAdvice(input: AdviceInput): Advice | undefined {
  const files = sum(input.datasets.map((d) => d.files));
  const median = medianFileBytes(input.datasets.flatMap((d) => d.histogram));
  const evidence = [`${files.toLocaleString('en-US')} files`];
  if (median !== null) evidence.push(`median file size ≈ ${kb(median)}`);
  const many = files >= MANY_FILES;
  const small = files >= SMALL_FILE_COUNT && median !== null && median <= SMALL_FILE_BYTES;
  if (!many && !small) return undefined;
  const listing = input.startup?.datasetListingS;
  if (listing !== null && listing !== undefined && listing > 0)
    evidence.push(`listing them took trainio ${fixed(listing)} s`);
  const setup = input.startup?.setupS;
  if (setup !== null && setup !== undefined && setup > 0) {
    evidence.push(
      `${fixed(setup)} s from import torch to the first DataLoader (the dataset's listing is in there)`,
    );
  }
  return {
    id: 'pack-small-files',
    severity: many ? 'warning' : 'info',
    message:
      `The dataset is ${many ? 'millions of' : 'many small'} files: opening and listing them costs more than ` +
      'reading them. Pack them into large shards (WebDataset tar shards, LMDB, TFRecord, Parquet).',
    evidence,
  };
}

export function medianFileBytes(buckets: readonly SizeBucket[]): number | null {
  const merged = new Map<number | null, SizeBucket>();
  for (const b of buckets) {
    const m = merged.get(b.le) ?? { le: b.le, count: 0, bytes: 0 };
    m.count += b.count;
    m.bytes += b.bytes;
    merged.set(b.le, m);
  }
  const sorted = [...merged.values()].sort((a, b) => (a.le ?? Infinity) - (b.le ?? Infinity));
  const total = sum(sorted.map((b) => b.count));
  if (total === 0) return null;
  let seen = 0;
  for (const b of sorted) {
    seen += b.count;
    if (seen >= total / 2) return b.le ?? (b.count > 0 ? b.bytes / b.count : null);
  }
  return null;
}
