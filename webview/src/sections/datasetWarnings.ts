/**
 * What a dataset's index says about its shape: many small files make training metadata-bound
 * (per-file open/stat costs dominate), which packing into shards fixes.
 */
import type { DatasetIndex } from '../../../src/shared/model.js';
import { formatCount, formatDuration, formatPct } from '../../../src/shared/format.js';

/** a file this size or smaller counts as small */
export const SMALL_FILE_BYTES = 64 * 1024;
/** warn when at least this share of the files is small … */
export const SMALL_FILE_SHARE_PCT = 50;
/** … and the dataset has at least this many files */
export const SMALL_FILE_MIN_FILES = 10_000;
/** listing the dataset took at least this long: metadata-bound */
export const SLOW_INDEX_S = 10;

/** share of files (0–100) in buckets whose upper bound is ≤ SMALL_FILE_BYTES */
export function smallFilePct(dataset: DatasetIndex): number | null {
  if (dataset.files <= 0) return null;
  const small = dataset.histogram
    .filter((b) => b.le !== null && Number.isFinite(b.le) && b.le <= SMALL_FILE_BYTES)
    .reduce((sum, b) => sum + b.count, 0);
  return (100 * small) / dataset.files;
}

export function datasetWarnings(dataset: DatasetIndex): string[] {
  const warnings: string[] = [];
  const small = smallFilePct(dataset);
  if (small !== null && small >= SMALL_FILE_SHARE_PCT && dataset.files >= SMALL_FILE_MIN_FILES) {
    warnings.push(
      `${formatPct(small, 0)} of ${formatCount(dataset.files)} files are 64 KiB or smaller: reads are ` +
        'dominated by per-file open/stat costs; pack them into shards (tar/WebDataset, LMDB).',
    );
  }
  if (dataset.indexS >= SLOW_INDEX_S) {
    warnings.push(
      `Listing the dataset took ${formatDuration(dataset.indexS)}: the file system's metadata is a bottleneck.`,
    );
  }
  if (dataset.partial) {
    warnings.push(
      `The index stopped early at ${formatCount(dataset.files)} files: the numbers cover part of the dataset.`,
    );
  }
  return warnings;
}
