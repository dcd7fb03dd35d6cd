import { resolve } from 'node:path';
import type { EpochMarkRecord, OpensRecord } from '../../shared/model';
import type { Source, SourceContext } from '../source';
import { PathHash } from './fileEpochTable';
import { watchOpens, type InotifyOpens, type InotifyOpensOptions } from './inotifyOpens';
import { OpenedBytes } from './openedBytes';
import { consumeOwnOpen } from './ownOpens';
import { ReopenEpochDetector, type ReopenBoundary } from './reopenEpochs';

export type OpenWatcherOptions = InotifyOpensOptions;

/**
 * Per-file read coverage of the datasets through inotify OPEN events (inotifywait): every
 * `stallWindowMs` an `opens` record (opens in the window, distinct files since the start, files of
 * the current epoch), and an `epochMark` (source 'reopen') at each epoch boundary found from
 * files opened again (see ReopenEpochDetector; the datasets together are one population). A mark
 * is emitted once confirmed, a few opens into the new epoch, and dated at its first re-open, so it
 * can arrive shortly after its `s`. Without inotifywait: one note, nothing else. Opens trainio
 * makes itself (page-cache residency) are not counted. Pass the checkpoint directories that lie
 * inside a dataset as `exclude`.
 */
export class OpenWatcher implements Source {
  readonly name = 'openWatcher';
  private readonly detector = new ReopenEpochDetector();
  private readonly hash = new PathHash();
  private watch: InotifyOpens | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ctx: SourceContext | null = null;
  private readonly opened = new OpenedBytes();
  private overflowNoted = false;
  private readyPromise: Promise<boolean> = Promise.resolve(false);

  constructor(
    private readonly datasets: string[],
    private readonly opts: OpenWatcherOptions = {},
  ) {}

  start(ctx: SourceContext): void {
    if (!ctx.settings.inotify || this.datasets.length === 0) return;
    this.ctx = ctx;
    this.watch = watchOpens(
      this.datasets.map((d) => resolve(d)),
      {
        open: (bytes, from, to) => this.onOpen(ctx, bytes, from, to),
        overflow: () => this.onOverflow(ctx),
        problem: (_kind, message) => ctx.note('warning', message),
      },
      { ...this.opts, exclude: this.opts.exclude?.map((d) => resolve(d)) },
    );
    this.readyPromise = this.watch.ready;
    this.timer = setInterval(() => this.flushWindow(ctx), ctx.settings.stallWindowMs);
    this.timer.unref();
  }

  /** Resolves true once every inotify watch is in place (false when watching could not start). */
  ready(): Promise<boolean> {
    return this.readyPromise;
  }

  /** distinct dataset files opened since the start */
  get distinctFiles(): number {
    return this.detector.distinctFiles;
  }

  /** distinct dataset files opened in the current epoch so far */
  get epochFiles(): number {
    return this.detector.epochFiles;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.watch?.stop();
    this.watch = null;
    const ctx = this.ctx;
    if (!ctx) return;
    const last = this.detector.finish();
    if (last) this.emitBoundary(ctx, last);
    this.flushWindow(ctx);
    this.ctx = null;
  }

  private onOpen(ctx: SourceContext, bytes: Buffer, from: number, to: number): void {
    if (consumeOwnOpen(bytes, from, to)) return;
    this.opened.add(bytes.toString('utf8', from, to), ctx.now());
    const { h1, h2 } = this.hash.of(bytes, from, to);
    const boundary = this.detector.openHashed(h1, h2, ctx.now());
    if (boundary) this.emitBoundary(ctx, boundary);
  }

  private emitBoundary(ctx: SourceContext, b: ReopenBoundary): void {
    // the opens before the boundary close their window: their bytes stay in the epoch that ends
    this.flushWindow(ctx, b);
    const mark: EpochMarkRecord = {
      type: 'epochMark',
      s: b.s,
      source: 'reopen',
      previousEpochFiles: b.previousEpochFiles,
    };
    ctx.sink.emit(mark);
  }

  private onOverflow(ctx: SourceContext): void {
    if (this.overflowNoted) return;
    this.overflowNoted = true;
    ctx.note(
      'warning',
      'inotify event queue overflowed: some dataset file opens were missed (read coverage is a lower bound)',
    );
  }

  /** the window's opens as a record; at a boundary `b`, only those before it (the ending epoch's) */
  private flushWindow(ctx: SourceContext, b?: ReopenBoundary): void {
    if (this.opened.count === 0) return;
    const { opens, ...window } = this.opened.take(b?.s);
    if (opens === 0) return;
    const rec: OpensRecord = {
      type: 'opens',
      s: b ? Math.min(ctx.now(), Math.max(b.s, window.lastS ?? b.s)) : ctx.now(),
      count: opens,
      distinctFiles: this.detector.distinctFiles,
      epoch: b ? b.epoch - 1 : this.detector.epoch,
      epochFiles: b ? b.previousEpochFiles : this.detector.epochFiles,
      ...window,
    };
    ctx.sink.emit(rec);
  }
}
