/**
 * The bytes of the dataset files opened in one window: Σ size of each file opened (a file opened
 * twice counts twice), the sizes stat'ed once per file and remembered by path hash. A training
 * epoch that opens its files reads at most that much from them: a second upper bound next to
 * rchar, which also counts Python modules, shared libraries and checkpoints read. Files that the
 * tree maps (see mappedFiles.ts) are left out: their reads are counted from the mappings.
 */
import * as fs from 'node:fs';
import { PathHash } from './fileEpochTable';
import { isMappedFile } from './mappedFiles';

/** remembered sizes at most (then forgotten all at once and stat'ed again) */
const MAX_SIZES = 2_000_000;

export interface OpenedWindow {
  bytes: number;
  firstS?: number;
  lastS?: number;
}

/** sizes by path hash, shared by every window */
const sizes = new Map<number, number>();
const hash = new PathHash();

export class OpenedBytes {
  /** the opens of the current window in order, checked against the mapped files when it closes */
  private paths: string[] = [];
  private times: number[] = [];

  add(path: string, s: number): void {
    this.paths.push(path);
    this.times.push(s);
  }

  /** opens in the window so far */
  get count(): number {
    return this.paths.length;
  }

  /**
   * Closes the window — or, with `beforeS`, only its part before that time (an epoch boundary:
   * no window straddles one, so its bytes stay in their epoch): its bytes and the times of its
   * first and last open. Returns how many opens it held in `opens`.
   */
  take(beforeS = Infinity): OpenedWindow & { opens: number } {
    let n = 0;
    while (n < this.times.length && this.times[n] < beforeS) n++;
    let bytes = 0;
    for (let i = 0; i < n; i++) if (!isMappedFile(this.paths[i])) bytes += this.sizeOf(this.paths[i]);
    const out: OpenedWindow & { opens: number } = { bytes, opens: n };
    if (n > 0) {
      out.firstS = Math.round(this.times[0] * 1e6) / 1e6;
      out.lastS = Math.round(this.times[n - 1] * 1e6) / 1e6;
    }
    this.paths = this.paths.slice(n);
    this.times = this.times.slice(n);
    return out;
  }

  private sizeOf(path: string): number {
    const { h1, h2 } = hash.of(Buffer.from(path));
    const key = h1 * 0x200000 + (h2 & 0x1fffff);
    const known = sizes.get(key);
    if (known !== undefined) return known;
    let size = 0;
    try {
      size = fs.statSync(path).size;
    } catch {
      // gone meanwhile: it was opened, but its size is no longer known
    }
    if (sizes.size >= MAX_SIZES) sizes.clear();
    sizes.set(key, size);
    return size;
  }
}
