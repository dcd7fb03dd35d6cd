import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DatasetIndex } from '../../shared/model';
import { TrainioError } from '../errors';
import { FileSample } from './fileSample';
import { findWalk, hasGnuFind } from './findWalk';
import { LargestDirs } from './largestDirs';
import { nodeWalk } from './nodeWalk';
import { SizeHistogram } from './sizeHistogram';
import type { TreeWalk, WalkSink } from './treeWalk';

export interface IndexProgress {
  files: number;
  bytes: number;
  dirs: number;
}

export interface IndexOptions {
  /** stop after this many files; the index is then `partial` */
  maxFiles: number;
  /** called at most every PROGRESS_EVERY_MS while the walk runs */
  onProgress?: (p: IndexProgress) => void;
  signal?: AbortSignal;
  /** also draw a stable random sample of this many file paths (see fileSample.ts) */
  sampleSize?: number;
  /** run the walk at a lower CPU priority than the training (default true) */
  lowPriority?: boolean;
  /** force a walk implementation (default: GNU find where present, else Node's fs) */
  walker?: 'find' | 'node';
}

/** The index plus what only the caller needs (not part of the session record). */
export interface DatasetIndexResult extends DatasetIndex {
  /** sampled file paths (empty unless `sampleSize` was given) */
  sample: string[];
  /** the first few directories that could not be listed */
  unreadablePaths: string[];
  /** unexpected error output of the walk, first few lines */
  errors: string[];
}

export const PROGRESS_EVERY_MS = 500;
const LARGEST_DIRS = 10;
const UNREADABLE_PATHS_KEPT = 5;

/**
 * Indexes a dataset directory: regular files and their apparent sizes (st_size), directories below
 * it (the root is not counted), a size histogram and the directories holding the most files. Symbolic links are
 * counted but never followed (only the root itself is resolved when it is a link). Memory stays
 * constant in the number of files: everything is aggregated while the walk streams.
 */
export async function indexDataset(dir: string, opts: IndexOptions): Promise<DatasetIndexResult> {
  const root = resolve(dir);
  await assertDirectory(root);
  const t0 = performance.now();
  const tally = new IndexTally(root, opts);
  const walk: TreeWalk = (opts.walker ?? (hasGnuFind() ? 'find' : 'node')) === 'find' ? findWalk : nodeWalk;
  const end = await walk(root, tally, {
    wantPaths: (opts.sampleSize ?? 0) > 0,
    signal: opts.signal,
    lowPriority: opts.lowPriority ?? true,
  });
  return tally.result((performance.now() - t0) / 1000, end.stopped || tally.limitReached, end.errors);
}

async function assertDirectory(root: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(root)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new TrainioError('DIR_NOT_FOUND', `dataset directory ${root} does not exist`);
    }
    throw new TrainioError(
      'DIR_NOT_FOUND',
      `dataset directory ${root} cannot be read (${code ?? String(e)})`,
    );
  }
  if (!isDir) throw new TrainioError('DIR_NOT_FOUND', `dataset path ${root} is not a directory`);
}

/** Aggregates a walk on the fly. */
class IndexTally implements WalkSink {
  files = 0;
  bytes = 0;
  dirs = 0;
  symlinks = 0;
  limitReached = false;
  private readonly unreadablePaths: string[] = [];
  private unreadableDirs = 0;
  private readonly histogram = new SizeHistogram();
  private readonly largest = new LargestDirs(LARGEST_DIRS);
  private readonly sample: FileSample | null;
  private lastProgressMs = Date.now();

  constructor(
    private readonly root: string,
    private readonly opts: IndexOptions,
  ) {
    const n = opts.sampleSize ?? 0;
    this.sample = n > 0 ? new FileSample(n) : null;
  }

  file(size: number, sampleKey: number, pathOf: () => string | null): boolean {
    if (this.files >= this.opts.maxFiles) {
      this.limitReached = true;
      return false;
    }
    this.files++;
    this.bytes += size;
    this.histogram.add(size);
    this.sample?.offer(sampleKey, pathOf);
    if ((this.files & 4095) === 0) this.progress();
    return true;
  }

  dir(): void {
    this.dirs++;
  }

  dirDone(path: string, files: number): void {
    this.largest.offer(path, files);
  }

  symlink(): void {
    this.symlinks++;
  }

  unreadable(path: string): void {
    this.unreadableDirs++;
    if (this.unreadablePaths.length < UNREADABLE_PATHS_KEPT) this.unreadablePaths.push(path);
  }

  result(indexS: number, partial: boolean, errors: string[]): DatasetIndexResult {
    return {
      path: this.root,
      files: this.files,
      bytes: this.bytes,
      dirs: this.subdirs(),
      histogram: this.histogram.toBuckets(),
      largestDirs: this.largest.list(),
      indexS: Math.round(indexS * 1000) / 1000,
      partial,
      unreadableDirs: this.unreadableDirs,
      symlinks: this.symlinks,
      sample: this.sample?.list() ?? [],
      unreadablePaths: [...this.unreadablePaths],
      errors,
    };
  }

  /** directories below the root (the walk enters the root too) */
  private subdirs(): number {
    return Math.max(0, this.dirs - 1);
  }

  private progress(): void {
    const now = Date.now();
    if (!this.opts.onProgress || now - this.lastProgressMs < PROGRESS_EVERY_MS) return;
    this.lastProgressMs = now;
    this.opts.onProgress({ files: this.files, bytes: this.bytes, dirs: this.subdirs() });
  }
}
