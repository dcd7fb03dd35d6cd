import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FsRecord } from '../../shared/model';
import { secondsSince, type SourceContext } from '../source';
import { listDirectoryLevels } from './directoryLevels';

/** default cap on watched dataset directories (one inotify watch each) */
export const MAX_DATASET_DIRS = 4096;
/** at most this many dataset fs records per second; the rest are summed up in a note */
export const DATASET_RECORDS_PER_S = 200;
const SUMMARY_EVERY_MS = 5000;

/**
 * Watches dataset trees for files added and removed with one inotify watch per *directory*
 * (Node's fs.watch on the directory), never one per file: chokidar watches every file on its own
 * (100,000 files: 100,101 watches, 17 s, 550 MB; a million exceed fs.inotify.max_user_watches;
 * bench/index.md). Trees with more directories than `maxDirs` are watched from the top down to
 * the deepest level that fits, and a note says so. Bursts (a dataset being extracted) are capped
 * at DATASET_RECORDS_PER_S records, the overflow summed up in a note.
 */
export class DatasetTreeWatch {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly abort = new AbortController();
  private stopped = false;
  private limitNoted = false;
  private budgetSecond = 0;
  private budgetUsed = 0;
  private dropped = 0;
  private lastSummaryMs = 0;

  constructor(
    private readonly roots: string[],
    private readonly ctx: SourceContext,
    private readonly maxDirs = MAX_DATASET_DIRS,
  ) {}

  async start(): Promise<void> {
    await Promise.all(this.roots.map((r) => this.watchTree(resolve(r))));
  }

  /** directories watched now */
  get watchedDirs(): number {
    return this.watchers.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.summarize(true);
  }

  private async watchTree(root: string): Promise<void> {
    let levels;
    try {
      levels = await listDirectoryLevels(root, this.maxDirs, this.abort.signal);
    } catch (e) {
      this.ctx.note('warning', `cannot list dataset directory ${root}: ${String(e)}`);
      return;
    }
    if (this.stopped) return;
    if (levels.totalDirs === 0) {
      this.ctx.note('warning', `dataset directory ${root} does not exist: files added there are not watched`);
      return;
    }
    if (levels.depthLimit !== null) {
      this.ctx.note(
        'info',
        `dataset ${root} has ${levels.totalDirs} directories: watching files added or removed in the top ` +
          `${levels.depthLimit + 1} level(s) only (${levels.dirs.length} directories)`,
      );
    }
    for (const dir of levels.dirs) if (!this.watchDir(dir)) break;
  }

  /** false when no more watches can be added */
  private watchDir(dir: string): boolean {
    if (this.stopped || this.watchers.has(dir)) return true;
    if (this.watchers.size >= this.maxDirs) return false;
    try {
      const w = watch(dir, { persistent: false }, (event, name) => {
        if (event === 'rename' && name) void this.onRename(join(dir, name.toString()));
      });
      w.on('error', () => this.unwatch(dir));
      this.watchers.set(dir, w);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' && !this.limitNoted) {
        this.limitNoted = true;
        this.ctx.note(
          'warning',
          `inotify watch limit reached after ${this.watchers.size} dataset directories: raise fs.inotify.max_user_watches ` +
            `(sysctl -w fs.inotify.max_user_watches=524288) to watch all`,
        );
        return false;
      }
      return code !== 'ENOSPC';
    }
  }

  private unwatch(dir: string): void {
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
  }

  private async onRename(path: string): Promise<void> {
    let st;
    try {
      st = await lstat(path);
    } catch {
      if (this.watchers.has(path)) this.unwatch(path);
      else this.emit({ event: 'unlink', path, bytes: 0 });
      return;
    }
    if (this.stopped) return;
    if (st.isDirectory()) await this.adoptDir(path);
    else if (st.isFile()) this.emitAdd(path, st.size, st.mtimeMs);
  }

  /** A directory created while watching: watch it, and report what was written before the watch. */
  private async adoptDir(dir: string): Promise<void> {
    if (this.watchers.has(dir) || !this.watchDir(dir)) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (this.stopped) return;
      const path = join(dir, e.name);
      if (e.isDirectory()) await this.adoptDir(path);
      else if (e.isFile()) {
        const st = await lstat(path).catch(() => null);
        if (st) this.emitAdd(path, st.size, st.mtimeMs);
      }
    }
  }

  private emitAdd(path: string, bytes: number, mtimeMs: number): void {
    this.emit({ event: 'add', path, bytes, mtimeS: secondsSince(this.ctx.startedAtMs, mtimeMs) });
  }

  private emit(fields: Pick<FsRecord, 'event' | 'path' | 'bytes' | 'mtimeS'>): void {
    if (this.stopped) return;
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.budgetSecond) {
      this.budgetSecond = second;
      this.budgetUsed = 0;
    }
    if (this.budgetUsed >= DATASET_RECORDS_PER_S) {
      this.dropped++;
      this.summarize(false);
      return;
    }
    this.budgetUsed++;
    this.ctx.sink.emit({ type: 'fs', s: this.ctx.now(), root: 'dataset', ...fields });
  }

  private summarize(force: boolean): void {
    const now = Date.now();
    if (this.dropped === 0 || (!force && now - this.lastSummaryMs < SUMMARY_EVERY_MS)) return;
    this.lastSummaryMs = now;
    this.ctx.note(
      'info',
      `${this.dropped} more dataset files were added or removed (not recorded one by one)`,
    );
    this.dropped = 0;
  }
}
