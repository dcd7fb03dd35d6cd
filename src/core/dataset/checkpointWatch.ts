import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { FsRecord } from '../../shared/model';
import { secondsSince, type SourceContext } from '../source';
import { whenDirectoryAppears } from './directoryAppearance';

/** a growing file yields at most one 'change' record per this many ms (plus a trailing one) */
export const CHANGE_EVERY_MS = 250;
/**
 * a file reported added or changed is looked at once more this long after its last report: chokidar
 * drops a change that comes within 5 ms of the one before (and one that leaves the mtime as it was),
 * so the last writes of a save may send nothing — its final size would be missed
 */
export const SETTLE_MS = 400;
/** checkpoint layouts nest a few levels (runs/name/version/checkpoints); deeper is not watched */
const CHECKPOINT_DEPTH = 4;

interface Throttle {
  lastMs: number;
  timer: NodeJS.Timeout | null;
  stats: Stats | undefined;
}

/**
 * Watches checkpoint directories with chokidar: files added, growing and removed. Checkpoint
 * directories hold few files, so chokidar's one watch per file is affordable here (it is not for
 * datasets: see datasetTreeWatch.ts). A directory created later by the training is picked up
 * when it appears (watched for from its nearest existing parent, no polling), and everything
 * already in it then is reported as added.
 */
export class CheckpointWatch {
  private readonly watchers: FSWatcher[] = [];
  private readonly throttles = new Map<string, Throttle>();
  private readonly abort = new AbortController();
  /** the last size reported for each file present */
  private readonly sizes = new Map<string, number>();
  /** per file being written: the look once its reports stop (see SETTLE_MS) */
  private readonly settles = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private errorNoted = false;

  constructor(
    private readonly dirs: string[],
    private readonly ctx: SourceContext,
  ) {}

  async start(): Promise<void> {
    const present: string[] = [];
    for (const dir of this.dirs.map((d) => resolve(d))) {
      if (await isDirectory(dir)) present.push(dir);
      else this.waitFor(dir);
    }
    if (present.length > 0) await this.watchDirs(present, true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const [path, th] of this.throttles) {
      if (th.timer) {
        clearTimeout(th.timer);
        this.emitChange(path, th.stats);
      }
    }
    this.throttles.clear();
    for (const timer of this.settles.values()) clearTimeout(timer);
    this.settles.clear();
    await Promise.all(this.watchers.map((w) => w.close().catch(() => undefined)));
    await this.emitFinalSizes();
  }

  /**
   * A file whose last writes came before chokidar had its watch on it (written while a folder that
   * just appeared was being scanned) sends no further 'change': its size is checked once more here.
   */
  private async emitFinalSizes(): Promise<void> {
    for (const [path, bytes] of this.sizes) {
      const now = await stat(path).catch(() => undefined);
      if (now && now.size !== bytes) this.emitChange(path, now);
    }
    this.sizes.clear();
  }

  private waitFor(dir: string): void {
    void whenDirectoryAppears(dir, this.abort.signal).then(
      (how) => {
        if (how === 'appeared' && !this.stopped) void this.watchDirs([dir], false);
      },
      (e: unknown) => this.ctx.note('warning', `checkpoint folder ${dir}: ${(e as Error).message}`),
    );
  }

  private watchDirs(dirs: string[], ignoreInitial: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const w = watch(dirs, {
      ignoreInitial,
      alwaysStat: true,
      awaitWriteFinish: false,
      persistent: false,
      depth: CHECKPOINT_DEPTH,
      ignorePermissionErrors: true,
    });
    this.watchers.push(w);
    w.on('add', (path, stats) => this.emit('add', path, stats));
    w.on('change', (path, stats) => this.onChange(path, stats));
    w.on('unlink', (path) => this.onUnlink(path));
    w.on('error', (err) => {
      if (this.errorNoted) return;
      this.errorNoted = true;
      this.ctx.note(
        'warning',
        `checkpoint watching failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    return new Promise((done) => w.once('ready', () => done()));
  }

  private onChange(path: string, stats: Stats | undefined): void {
    const now = Date.now();
    const th = this.throttles.get(path) ?? { lastMs: 0, timer: null, stats: undefined };
    this.throttles.set(path, th);
    th.stats = stats;
    if (th.timer) return;
    const wait = th.lastMs + CHANGE_EVERY_MS - now;
    if (wait <= 0) {
      th.lastMs = now;
      this.emitChange(path, stats);
      return;
    }
    th.timer = setTimeout(() => {
      th.timer = null;
      th.lastMs = Date.now();
      this.emitChange(path, th.stats);
    }, wait);
  }

  private onUnlink(path: string): void {
    const th = this.throttles.get(path);
    if (th?.timer) clearTimeout(th.timer);
    this.throttles.delete(path);
    clearTimeout(this.settles.get(path));
    this.settles.delete(path);
    this.emit('unlink', path, undefined);
  }

  private emitChange(path: string, stats: Stats | undefined): void {
    this.emit('change', path, stats);
  }

  private emit(event: FsRecord['event'], path: string, stats: Stats | undefined): void {
    if (this.stopped && event !== 'change') return;
    const rec: FsRecord = {
      type: 'fs',
      s: this.ctx.now(),
      event,
      root: 'checkpoint',
      path,
      bytes: stats?.size ?? 0,
    };
    if (stats) rec.mtimeS = secondsSince(this.ctx.startedAtMs, stats.mtimeMs);
    if (event === 'unlink') this.sizes.delete(path);
    else this.sizes.set(path, rec.bytes);
    this.ctx.sink.emit(rec);
    if (event !== 'unlink' && !this.stopped) this.settleLater(path);
  }

  /** one look at the file once its reports stop: a size chokidar did not report is reported */
  private settleLater(path: string): void {
    clearTimeout(this.settles.get(path));
    const timer = setTimeout(() => {
      this.settles.delete(path);
      if (this.stopped || this.throttles.get(path)?.timer) return;
      void stat(path).then(
        (now) => {
          if (!this.stopped && this.sizes.has(path) && now.size !== this.sizes.get(path))
            this.emitChange(path, now);
        },
        () => undefined,
      );
    }, SETTLE_MS);
    timer.unref();
    this.settles.set(path, timer);
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
