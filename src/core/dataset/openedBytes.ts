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
  /** path → opens in the current window, checked against the mapped files when the window closes */
  private window = new Map<string, number>();
  private firstS: number | undefined;
  private lastS: number | undefined;

  add(path: string, s: number): void {
    this.window.set(path, (this.window.get(path) ?? 0) + 1);
    if (this.firstS === undefined) this.firstS = s;
    this.lastS = s;
  }

  /** closes the window: its bytes and the times of its first and last open */
  take(): OpenedWindow {
    let bytes = 0;
    for (const [path, n] of this.window) {
      if (isMappedFile(path)) continue;
      bytes += n * this.sizeOf(path);
    }
    const out: OpenedWindow = { bytes };
    if (this.firstS !== undefined) out.firstS = Math.round(this.firstS * 1e6) / 1e6;
    if (this.lastS !== undefined) out.lastS = Math.round(this.lastS * 1e6) / 1e6;
    this.window = new Map();
    this.firstS = this.lastS = undefined;
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
