/**
 * Epochs from the boundary marks: epoch i spans boundary i → boundary i+1, the last one ends where
 * the training loop stopped (its last read, or the hook's last active window). Per epoch the bytes
 * come from the tree's cumulative counters interpolated at the boundary times (captured when each
 * mark is first covered by a sample, so they stay exact however long the session runs).
 */
import type {
  EpochMarkRecord,
  EpochSummary,
  IoCounters,
  LoaderRecord,
  MeasurementMode,
  OpensRecord,
  StallMethod,
  StallRecord,
  TreeRecord,
} from '../../shared/model';
import { CounterHistory, subtractIo } from './counterHistory';
import { DatasetBytes, type SpanBytes } from './datasetBytes';
import { chooseBoundaries, type Mark } from './epochMarks';
import type { SeriesBuilder } from './seriesBuilder';

const MAX_MARKS = 100_000;
/** a boundary is dropped when less data than this share of the dataset was read before it */
const LEADING_READ_SHARE = 0.2;

interface StoredMark extends Mark {
  io?: IoCounters;
}

export interface EpochContext {
  datasetBytes: number;
  /** session end (or now) */
  endS: number;
  primary: StallMethod;
}

export class EpochTracker {
  private readonly marks: StoredMark[] = [];
  private readonly unsettled: StoredMark[] = [];
  private readonly datasetLen = new Map<number, number>();
  private prevTree: TreeRecord | undefined;
  private prevRateBps = 0;
  private firstReadS: number | undefined;
  private lastReadS: number | undefined;
  /** end of the last tree interval with reads (the counters are complete there) */
  private lastReadSampleS: number | undefined;
  private lastHookLoopS: number | undefined;
  private firstOpenS: number | undefined;
  private lastOpensS = 0;
  private mode: MeasurementMode = 'attach';
  /** launched with the hook: it sees every loader, so reads before any are the interpreter's own */
  private hooked = false;
  private dropped = 0;

  /** the byte counts of the epochs last built, one per epoch */
  spans: SpanBytes[] = [];

  constructor(
    private readonly history: CounterHistory,
    private readonly series: SeriesBuilder,
    /** mapped and opened bytes; without it, bytes come from the read counters alone */
    private readonly bytes: DatasetBytes = new DatasetBytes(),
  ) {}

  addMark(r: EpochMarkRecord): void {
    if (this.marks.length >= MAX_MARKS) {
      this.dropped++;
      return;
    }
    const m: StoredMark = { s: r.s, source: r.source, loaderId: r.loaderId };
    if (r.previousEpochFiles !== undefined) m.previousEpochFiles = r.previousEpochFiles;
    const io = this.history.atBoundary(r.s);
    if (io) m.io = io;
    else this.unsettled.push(m);
    this.marks.push(m);
  }

  setMode(mode: MeasurementMode, hooked = false): void {
    this.mode = mode;
    this.hooked = hooked;
  }

  addOpens(r: OpensRecord): void {
    if (this.firstOpenS === undefined && r.count > 0) this.firstOpenS = Math.max(this.lastOpensS, r.s - 1);
    this.lastOpensS = r.s;
  }

  addLoader(r: LoaderRecord): void {
    if (r.datasetLen !== undefined) this.datasetLen.set(r.id, r.datasetLen);
  }

  /** call after the shared CounterHistory has the sample */
  addTree(r: TreeRecord): void {
    for (let i = this.unsettled.length - 1; i >= 0; i--) {
      const m = this.unsettled[i];
      const io = this.history.atBoundary(m.s);
      if (io) {
        m.io = io;
        this.unsettled.splice(i, 1);
      }
    }
    this.trackReads(r);
    this.prevTree = r;
  }

  addStall(r: StallRecord): void {
    if (r.method !== 'exact' || !(r.loopS > 0)) return;
    const end = r.s - r.windowS + Math.min(r.loopS, r.windowS);
    if (this.lastHookLoopS === undefined || end > this.lastHookLoopS) this.lastHookLoopS = end;
  }

  get droppedMarks(): number {
    return this.dropped;
  }

  /** when the training loop was last seen active */
  loopEndS(endS: number): number {
    const hook = this.lastHookLoopS;
    const read = this.lastReadS;
    const last = hook !== undefined ? Math.max(hook, read ?? 0) : (read ?? endS);
    return Math.min(endS, last);
  }

  boundaries(datasetBytes: number): Mark[] {
    const chosen = chooseBoundaries(this.marks, this.datasetLen);
    return this.withLeadingEpoch(chosen, datasetBytes);
  }

  epochs(ctx: EpochContext): EpochSummary[] {
    const bounds = this.boundaries(ctx.datasetBytes);
    if (bounds.length === 0) {
      // a hooked launch that never opened the dataset nor made a loader read only its imports
      const readsAreImports = this.mode === 'launch' && this.hooked && this.datasetLen.size === 0;
      const startS = this.firstOpenS ?? (readsAreImports ? undefined : this.firstReadS);
      if (startS === undefined) return [];
      bounds.push({ s: startS, source: 'session' });
    }
    const loopEnd = this.loopEndS(ctx.endS);
    const out: EpochSummary[] = [];
    this.spans = [];
    const parts = bounds.map((start, i) => {
      const next = bounds[i + 1];
      const endS = next ? next.s : Math.max(start.s, loopEnd);
      const countTo = next ? endS : Math.max(endS, Math.min(ctx.endS, this.lastReadSampleS ?? endS));
      const delta = subtractIo(this.counterAt(next, countTo), this.counterAt(start, start.s));
      // the last epoch's mapped pages and opens count until the session end: the loop's end is
      // dated from rchar, which a mapped dataset hardly moves
      return {
        start,
        endS,
        delta,
        a: start.s,
        b: next ? endS : Math.max(countTo, ctx.endS),
        rchar: delta.rchar,
      };
    });
    const openedShare = this.bytes.openedShare(parts, ctx.datasetBytes);
    for (let i = 0; i < parts.length; i++) {
      const { start, endS, delta } = parts[i];
      const split = this.bytes.span(parts[i].a, parts[i].b, delta, ctx.datasetBytes, openedShare);
      this.spans.push(split);
      const summary: EpochSummary = {
        index: i,
        startS: round3(start.s),
        endS: round3(endS),
        bytesRead: split.bytesRead,
        diskBytesRead: split.diskBytesRead,
        rereadFactor: ctx.datasetBytes > 0 ? round4(split.bytesRead / ctx.datasetBytes) : 0,
        pageCacheHitPct: split.pageCacheHitPct,
        stallPct: this.series.stallPct(ctx.primary, start.s, endS),
        source: start.source,
      };
      const opens = this.series.grid.sum('opens', start.s, endS);
      if (opens > 0) summary.filesRead = Math.round(opens);
      out.push(summary);
    }
    return out;
  }

  private counterAt(mark: StoredMark | undefined, s: number): IoCounters {
    // a boundary found from files opened again: the opens around it, each at its moment, tell
    // which side of it the interval's reads were on better than the read rates either side
    if (mark?.source === 'reopen' && mark.s === s) {
      const io = this.history.atBoundary(s, (a, b) => this.bytes.openedBefore(a, s, b));
      if (io) return io;
    }
    if (mark?.io && mark.s === s) return mark.io;
    return (mark ? this.history.atBoundary(s) : undefined) ?? this.history.atOrLast(s);
  }

  /**
   * Sources that mark only re-reads (reopen; respawn when attached mid-run) miss the first epoch's
   * start: when much data was read before the first boundary, an epoch starting at the first
   * dataset open leads — or, attached to a running job, at the first read.
   */
  private withLeadingEpoch(bounds: Mark[], datasetBytes: number): Mark[] {
    const first = bounds[0];
    const startS = this.firstOpenS ?? (this.mode === 'attach' ? this.firstReadS : undefined);
    if (!first || startS === undefined || first.source === 'hook') return bounds;
    if (startS >= first.s - 0.5) return bounds;
    // the dataset's bytes read before the first boundary: module imports read() in that stretch
    // (torch's, slow on a cold cache) and a mapped dataset's untouched file are not the dataset's
    const delta = subtractIo(this.history.atOrLast(first.s), this.history.atOrLast(startS));
    const share =
      datasetBytes > 0 ? this.bytes.span(startS, first.s, delta, datasetBytes).bytesRead / datasetBytes : 1;
    if (share < LEADING_READ_SHARE) return bounds;
    return [{ s: startS, source: 'session' }, ...bounds];
  }

  private trackReads(r: TreeRecord): void {
    const prevS = this.prevTree?.s ?? 0;
    const dt = r.s - prevS;
    const d = r.io.rchar - (this.prevTree?.io.rchar ?? 0);
    if (!(dt > 0)) return;
    const rate = d / dt;
    const avg = r.s > 0 ? r.io.rchar / r.s : 0;
    const active = d > 0 && rate >= Math.max(4096, 0.1 * avg);
    if (active) {
      if (this.firstReadS === undefined) this.firstReadS = prevS;
      const est = this.prevRateBps > 0 ? prevS + d / this.prevRateBps : r.s;
      this.lastReadS = Math.min(r.s, Math.max(prevS, est));
      this.lastReadSampleS = r.s;
      this.prevRateBps = rate;
    } else {
      this.prevRateBps = 0;
    }
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
