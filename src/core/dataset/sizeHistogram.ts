import type { SizeBucket } from '../../shared/model';

const KIB = 1024;

/**
 * Upper bounds (inclusive, bytes) of the file-size buckets: powers of four from 4 KiB to 1 GiB,
 * then one open bucket for larger files. Powers of four keep the histogram short (11 bars) while
 * still separating "tiny files" (metadata-bound) from shards of hundreds of MB.
 */
export const SIZE_BUCKET_BOUNDS: readonly number[] = Object.freeze(
  Array.from({ length: 10 }, (_, i) => 4 * KIB * 4 ** i),
);

/** Index of the bucket a file of `size` bytes falls in (the last index is the open bucket). */
export function bucketIndex(size: number): number {
  if (size <= SIZE_BUCKET_BOUNDS[0]) return 0;
  if (size < 2 ** 32) {
    // ⌈log2 size⌉ without a loop: bucket i holds (4 KiB·4^(i−1), 4 KiB·4^i]
    const log2 = 32 - Math.clz32(size - 1);
    return Math.min(SIZE_BUCKET_BOUNDS.length, Math.ceil((log2 - 12) / 2));
  }
  return SIZE_BUCKET_BOUNDS.length;
}

/** Counts files and bytes per size bucket; constant memory whatever the number of files. */
export class SizeHistogram {
  private readonly counts = new Float64Array(SIZE_BUCKET_BOUNDS.length + 1);
  private readonly bytes = new Float64Array(SIZE_BUCKET_BOUNDS.length + 1);

  add(size: number): void {
    const i = bucketIndex(size);
    this.counts[i] += 1;
    this.bytes[i] += size;
  }

  toBuckets(): SizeBucket[] {
    return Array.from(this.counts, (count, i) => ({
      le: i < SIZE_BUCKET_BOUNDS.length ? SIZE_BUCKET_BOUNDS[i] : null,
      count,
      bytes: this.bytes[i],
    }));
  }
}
