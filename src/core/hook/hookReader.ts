/**
 * Reads the Python hook's event file while the job runs and turns it into session records:
 * LoaderRecord (with the user's call site), EpochMarkRecord on every iterator creation, SaveRecord
 * for torch.save, exact StallRecords per window and OpensRecords per window.
 *
 * Transport: a regular file the hook appends to (O_APPEND, one write per flush) and this reader
 * tails. Unlike a FIFO it never drops events when the reader is slow or absent, never blocks the
 * job, survives forked workers sharing the descriptor, and leaves a record on disk.
 *
 * Every process that creates a DataLoader or an iterator drives a training loop: the job's only
 * process, or one rank of a multi-rank job (each rank runs the hook it inherited). Each gets its own
 * exact stall timeline; its windows, epoch marks, loaders and saves carry its rank — the hook's
 * RANK (environment or torch.distributed) where it has one, else the order in which the processes
 * first drove a loader. The first process without a rank of its own stays untagged (rank 0), so a
 * single-process job records exactly as before. Loader ids count per process in the hook; they are
 * renumbered here so that each rank's loaders stay apart.
 */
import type { SourceContext, Source } from '../source';
import type {
  CallSite,
  EpochMarkRecord,
  EpochWaitsRecord,
  LoaderRecord,
  SaveRecord,
  StallRecord,
} from '../../shared/model';
import { EpochWaits } from './epochWaits';
import { ExactStallWindows } from './exactStall';
import { FileTail } from './fileTail';
import { parseHookLine, type HookEvent, type LoaderEvent, type SaveEvent } from './hookEvents';
import { OpenCounts } from './openCounts';
import { loaderErrorRecord } from './loaderError';

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
  private readonly loops = new Map<number, LoopProcess>();
  private readonly loaderIds = new Map<string, number>();
  private opens: OpenCounts | null = null;
  private env: HookEnvironment = {};
  private malformed = 0;
  private stopped = false;

  constructor(opts: HookReaderOptions) {
    this.tail = new FileTail(opts.path);
    this.pollMs = opts.pollMs ?? 100;
  }

  start(ctx: SourceContext): void {
    this.ctx = ctx;
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
    if (!ctx || !this.opens) return;
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
    for (const loop of this.loops.values()) {
      const last = final ? loop.epochWaits.finish() : null;
      if (last) ctx.sink.emit(loop.tag(last));
      for (const r of final ? loop.windows.finish() : loop.windows.drain()) ctx.sink.emit(loop.tag(r));
    }
    for (const r of this.opens.drain(ctx.now(), final)) ctx.sink.emit(r);
  }

  private s(t: number): number {
    return round6(t - (this.ctx?.startedAtMs ?? 0) / 1000);
  }

  /** The training loop of a process that drives a loader; its rank from the hook or by order. */
  private loop(pid: number, hookRank: number | null = null): LoopProcess {
    let loop = this.loops.get(pid);
    if (loop === undefined) {
      const taken = new Set([...this.loops.values()].map((l) => l.rank));
      let rank = hookRank ?? 0;
      while (hookRank === null && taken.has(rank)) rank++;
      const tagged = hookRank !== null || this.loops.size > 0;
      loop = new LoopProcess(pid, rank, tagged, this.ctx!.settings.stallWindowMs);
      this.loops.set(pid, loop);
      if (tagged) this.emitRank(loop, hookRank !== null ? 'hook' : 'order');
    } else if (hookRank !== null && (loop.rank !== hookRank || !loop.tagged)) {
      loop.rank = hookRank;
      loop.tagged = true;
      this.emitRank(loop, 'hook');
    }
    return loop;
  }

  private emitRank(loop: LoopProcess, source: 'hook' | 'order'): void {
    this.ctx?.sink.emit({ type: 'rank', s: this.ctx.now(), rank: loop.rank, pid: loop.pid, source });
  }

  private loaderId(pid: number, id: number | null): number | undefined {
    if (id === null) return undefined;
    const key = `${pid}:${id}`;
    let global = this.loaderIds.get(key);
    if (global === undefined) this.loaderIds.set(key, (global = this.loaderIds.size + 1));
    return global;
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
      case 'loader': {
        const loop = this.loop(ev.pid, ev.rank);
        ctx.sink.emit(loop.tag(this.loaderRecord(ev)));
        return;
      }
      case 'iter': {
        const loop = this.loop(ev.pid);
        const loaderId = this.loaderId(ev.pid, ev.loader);
        loop.windows.addWait(this.s(ev.t0), this.s(ev.t1), false);
        this.emitWaits(ctx, loop, loop.epochWaits.addIter(this.s(ev.t0), this.s(ev.t1), loaderId ?? null));
        const mark: EpochMarkRecord = { type: 'epochMark', s: this.s(ev.t0), source: 'hook', loaderId };
        ctx.sink.emit(loop.tag(mark));
        return;
      }
      case 'next': {
        // a process that never created a loader or an iterator is not a training loop
        const loop = this.loops.get(ev.pid);
        if (loop === undefined) return;
        loop.windows.addWait(this.s(ev.t0), this.s(ev.t1), !ev.stop);
        this.emitWaits(ctx, loop, loop.epochWaits.addNext(this.s(ev.t0), this.s(ev.t1), ev.stop));
        return;
      }
      case 'handoff':
        this.loops.get(ev.pid)?.windows.addHandoff(this.s(ev.t0), this.s(ev.t1));
        return;
      case 'save': {
        const r = this.saveRecord(ev);
        const loop = this.loops.get(ev.pid);
        if (r) ctx.sink.emit(loop ? loop.tag(r) : r);
        return;
      }
      case 'open':
        this.opens?.add(this.s(ev.t), ev.path);
        return;
      case 'error':
        ctx.sink.emit(loaderErrorRecord(this.s(ev.t), ev));
        return;
    }
  }

  private emitWaits(ctx: SourceContext, loop: LoopProcess, r: EpochWaitsRecord | null): void {
    if (r) ctx.sink.emit(loop.tag(r));
  }

  private loaderRecord(ev: LoaderEvent): LoaderRecord {
    const r: LoaderRecord = {
      type: 'loader',
      s: this.s(ev.t),
      id: this.loaderId(ev.pid, ev.id) ?? ev.id,
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

/** One process's training loop as the hook sees it. */
class LoopProcess {
  readonly windows: ExactStallWindows;
  readonly epochWaits = new EpochWaits();

  constructor(
    readonly pid: number,
    public rank: number,
    /** false for the first process without a rank of its own: its records stay untagged */
    public tagged: boolean,
    windowMs: number,
  ) {
    this.windows = new ExactStallWindows(windowMs);
  }

  tag<T extends StallRecord | LoaderRecord | SaveRecord | EpochWaitsRecord | EpochMarkRecord>(r: T): T {
    if (!this.tagged) return r;
    const out = r as T & { rank?: number; pid?: number };
    out.rank = this.rank;
    if (r.type === 'stall' || r.type === 'epochMark') out.pid = this.pid;
    return out;
  }
}
