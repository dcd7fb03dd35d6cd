/**
 * Reads the Python hook's event file while the job runs and turns it into session records:
 * LoaderRecord (with the user's call site), EpochMarkRecord on every iterator creation, SaveRecord
 * for torch.save, exact StallRecords per window and OpensRecords per window.
 *
 * Transport: a regular file the hook appends to (O_APPEND, one write per flush) and this reader
 * tails. Unlike a FIFO it never drops events when the reader is slow or absent, never blocks the
 * job, survives forked workers sharing the descriptor, and leaves a record on disk.
 *
 * The main process is the first PID that creates a DataLoader or an iterator (rank 0 under a
 * multi-process launcher); stall windows follow it only.
 */
import type { SourceContext, Source } from '../source';
import type { CallSite, LoaderRecord, SaveRecord } from '../../shared/model';
import { ExactStallWindows } from './exactStall';
import { FileTail } from './fileTail';
import { parseHookLine, type HookEvent, type LoaderEvent, type SaveEvent } from './hookEvents';
import { OpenCounts } from './openCounts';

export interface HookReaderOptions {
  /** the file given to the hook as TRAINIO_HOOK_OUT (created if missing) */
  path: string;
  /** how often the file is read, ms */
  pollMs?: number;
}

/** What the hook said about the job's interpreter (for EnvironmentInfo). */
export interface HookEnvironment {
  python?: string;
  torch?: string;
  pid?: number;
import { loaderErrorRecord } from './loaderError';
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

function site(file: string | null, line: number | null): CallSite | undefined {
  return file !== null && line !== null ? { file, line } : undefined;
}

export class HookReader implements Source {
  readonly name = 'hook';
  private readonly tail: FileTail;
  private readonly pollMs: number;
  private ctx: SourceContext | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stall: ExactStallWindows | null = null;
  private opens: OpenCounts | null = null;
  private mainPid: number | null = null;
  private env: HookEnvironment = {};
  private malformed = 0;
  private stopped = false;

  constructor(opts: HookReaderOptions) {
    this.tail = new FileTail(opts.path);
    this.pollMs = opts.pollMs ?? 100;
  }

  start(ctx: SourceContext): void {
    this.ctx = ctx;
    this.stall = new ExactStallWindows(ctx.settings.stallWindowMs);
    this.opens = new OpenCounts(ctx.settings.stallWindowMs);
    this.tail.open();
    this.timer = setInterval(() => this.poll(false), this.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      this.poll(true);
    } catch (e) {
      this.ctx?.note('warning', `hook events could not be read at the end: ${String(e)}`);
    }
    this.tail.close();
  }

  /** Python and torch versions from the hook's hello (empty until the job imported torch). */
  environment(): HookEnvironment {
    return { ...this.env };
  }

  /** Lines of the event file that were not hook events. */
  get malformedLines(): number {
    return this.malformed;
  }

  private poll(final: boolean): void {
    const ctx = this.ctx;
    if (!ctx || !this.stall || !this.opens) return;
    let lines: string[];
    try {
      lines = this.tail.readLines();
    } catch (e) {
      if (final) throw e;
      return;
    }
    for (const line of lines) {
      const ev = parseHookLine(line);
      if (ev) this.handle(ev, ctx);
      else this.malformed += 1;
    }
    const stalls = final ? this.stall.finish() : this.stall.drain();
    for (const r of stalls) ctx.sink.emit(r);
    for (const r of this.opens.drain(ctx.now(), final)) ctx.sink.emit(r);
  }

  private s(t: number): number {
    return round6(t - (this.ctx?.startedAtMs ?? 0) / 1000);
  }

  private isMain(pid: number): boolean {
    if (this.mainPid === null) this.mainPid = pid;
    return this.mainPid === pid;
  }

  private handle(ev: HookEvent, ctx: SourceContext): void {
    switch (ev.ev) {
      case 'hello':
        if (this.env.pid === undefined) {
          this.env = { python: ev.python ?? undefined, torch: ev.torch ?? undefined, pid: ev.pid };
          ctx.sink.emit({
            type: 'runtime',
            s: this.s(ev.t),
            pid: ev.pid,
            ...(ev.python ? { python: ev.python } : {}),
            ...(ev.torch ? { torch: ev.torch } : {}),
          });
          ctx.note(
            'info',
            `Python hook active in PID ${ev.pid}: Python ${ev.python ?? '?'}, torch ${ev.torch ?? '?'}`,
          );
        }
        return;
      case 'loader':
        this.isMain(ev.pid);
        ctx.sink.emit(this.loaderRecord(ev));
        return;
      case 'iter':
        if (!this.isMain(ev.pid)) return;
        this.stall?.addWait(this.s(ev.t0), this.s(ev.t1), false);
        ctx.sink.emit({
          type: 'epochMark',
          s: this.s(ev.t0),
          source: 'hook',
          loaderId: ev.loader ?? undefined,
        });
        return;
      case 'next':
        if (this.isMain(ev.pid)) this.stall?.addWait(this.s(ev.t0), this.s(ev.t1), !ev.stop);
        return;
      case 'save': {
        const r = this.saveRecord(ev);
        if (r) ctx.sink.emit(r);
        return;
      }
      case 'open':
        this.opens?.add(this.s(ev.t), ev.path);
        return;
    }
  }

  private loaderRecord(ev: LoaderEvent): LoaderRecord {
    const r: LoaderRecord = {
      type: 'loader',
      s: this.s(ev.t),
      id: ev.id,
      pid: ev.pid,
      numWorkers: ev.num_workers ?? 0,
    };
    const at = site(ev.file, ev.line);
    if (at) r.site = at;
    if (ev.batch_size !== null) r.batchSize = ev.batch_size;
    if (ev.pin_memory !== null) r.pinMemory = ev.pin_memory;
    if (ev.persistent_workers !== null) r.persistentWorkers = ev.persistent_workers;
    if (ev.prefetch_factor !== null) r.prefetchFactor = ev.prefetch_factor;
    if (ev.dataset_len !== null) r.datasetLen = ev.dataset_len;
    if (ev.dataset_class !== null) r.datasetClass = ev.dataset_class;
    return r;
  }

  /** torch.save into memory (no path) is not a checkpoint write and gives no record. */
  private saveRecord(ev: SaveEvent): SaveRecord | null {
    if (ev.path === null) return null;
    const r: SaveRecord = {
      type: 'save',
      startS: this.s(ev.t0),
      endS: this.s(ev.t1),
      path: ev.path,
      bytes: ev.bytes ?? 0,
      source: 'hook',
    };
    const at = site(ev.file, ev.line);
    if (at) r.site = at;
    return r;
  }
}
      case 'error':
        ctx.sink.emit(loaderErrorRecord(this.s(ev.t), ev));
        return;
