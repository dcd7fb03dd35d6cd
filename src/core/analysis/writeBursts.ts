/**
 * Write bursts of the process tree: intervals whose writes (max of Δwchar and Δwrite_bytes) stand
 * well above the tree's usual write rate (pipe IPC of the workers, logs). A burst of at least
 * `minBytes` is a checkpoint candidate. Its start and end are refined inside the first and last
 * intervals from the burst's peak rate.
 *
 * Progress lost while it was written (`lostS`) — attach mode, no hook: the tree's read rate (rchar,
 * the DataLoader fetching samples) during the burst is compared to the 3 s before it:
 * lostS = duration × (1 − rateDuring ÷ rateBefore), clamped to [0, duration]; when nothing was read
 * before, or when the burst is too short to compare rates (< 0.5 s), the whole duration is counted
 * (a save inside the training loop blocks it). Workers keep prefetching while the main thread saves,
 * so the rate comparison tends to undercount.
 */
import type { TreeRecord } from '../../shared/model';
import type { CounterHistory } from './counterHistory';

export interface WriteBurst {
  startS: number;
  endS: number;
  /** bytes written above the baseline */
  bytes: number;
  lostS: number;
}

/** where one counter's excess sat inside a burst: its first and last intervals and peak rate */
interface Span {
  firstStartS: number;
  firstEndS: number;
  firstBytes: number;
  lastStartS: number;
  lastEndS: number;
  lastBytes: number;
  intervals: number;
  peakBps: number;
}

/**
 * A large write() counts in wchar when the call returns but in write_bytes as its pages are dirtied,
 * so one sample may see one and the next the other: each counter is summed on its own (bytes = the
 * larger sum) and the timing follows write_bytes where it exists (it tracks the write as it happens).
 */
interface OpenBurst {
  wchar: number;
  writeBytes: number;
  wcharSpan?: Span;
  writeSpan?: Span;
  startS: number;
  endS: number;
}

const MAX_BURSTS = 20_000;
/** writes above the usual rate in the interval just before or after a burst that belong to it */
const EDGE_BYTES = 16 * 1024;
const BEFORE_S = 3;
/** a burst shorter than this is within two tree samples: too short to compare rates, count it all */
const MIN_RATE_SPAN_S = 0.5;

export class WriteBurstDetector {
  private readonly closed: WriteBurst[] = [];
  private open: OpenBurst | undefined;
  private prev: TreeRecord | undefined;
  /** usual write rates (pipe traffic of the workers, logs), per counter, bytes/s */
  private baselineW = 0;
  private baselineWb = 0;
  /** the last interval below the threshold, when it wrote noticeably more than usual */
  private quiet: { t0: number; t1: number; overW: number; overWb: number } | undefined;
  private readonly thresholdBytes: number;

  constructor(
    private readonly history: CounterHistory,
    private readonly minBytes: number,
  ) {
    this.thresholdBytes = Math.max(128 * 1024, minBytes / 16);
  }

  add(r: TreeRecord): void {
    const prev = this.prev;
    this.prev = r;
    const prevS = prev?.s ?? 0;
    const dt = r.s - prevS;
    if (!(dt > 0)) return;
    const dw = Math.max(0, r.io.wchar - (prev?.io.wchar ?? 0));
    const dwb = Math.max(0, r.io.writeBytes - (prev?.io.writeBytes ?? 0));
    const overW = dw - this.baselineW * dt;
    const overWb = dwb - this.baselineWb * dt;
    if (Math.max(overW, overWb) >= this.thresholdBytes) {
      const lead = this.open ? undefined : this.quiet;
      if (lead) this.extend(lead.t0, lead.t1, lead.overW, lead.overWb);
      this.extend(prevS, r.s, Math.max(0, overW), Math.max(0, overWb));
      return;
    }
    // a save rarely starts or ends on a sample: the quiet intervals on either side carry its edges
    const edge = Math.max(overW, overWb) >= EDGE_BYTES;
    if (this.open && edge) this.extend(prevS, r.s, Math.max(0, overW), Math.max(0, overWb));
    this.quiet = edge
      ? { t0: prevS, t1: r.s, overW: Math.max(0, overW), overWb: Math.max(0, overWb) }
      : undefined;
    this.baselineW = ema(this.baselineW, dw / dt);
    this.baselineWb = ema(this.baselineWb, dwb / dt);
    this.close();
  }

  /** closed bursts, plus the one being written when it is already large enough */
  bursts(): WriteBurst[] {
    const out = [...this.closed];
    if (this.open && bytesOf(this.open) >= this.minBytes) out.push(this.finish(this.open));
    return out;
  }

  private extend(t0: number, t1: number, wchar: number, writeBytes: number): void {
    const b = (this.open ??= { wchar: 0, writeBytes: 0, startS: t0, endS: t1 });
    b.wchar += wchar;
    b.writeBytes += writeBytes;
    b.endS = t1;
    if (wchar >= this.thresholdBytes) b.wcharSpan = widen(b.wcharSpan, t0, t1, wchar);
    if (writeBytes >= this.thresholdBytes) b.writeSpan = widen(b.writeSpan, t0, t1, writeBytes);
  }

  private close(): void {
    const b = this.open;
    this.open = undefined;
    if (!b || bytesOf(b) < this.minBytes) return;
    if (this.closed.length >= MAX_BURSTS) this.closed.shift();
    this.closed.push(this.finish(b));
  }

  private finish(b: OpenBurst): WriteBurst {
    const span = b.writeSpan ?? b.wcharSpan;
    let startS = b.startS;
    let endS = b.endS;
    if (span) {
      startS = span.firstStartS;
      endS = span.lastEndS;
      if (span.intervals >= 2 && span.peakBps > 0) {
        startS = clamp(span.firstEndS - span.firstBytes / span.peakBps, span.firstStartS, span.firstEndS);
        endS = clamp(span.lastStartS + span.lastBytes / span.peakBps, span.lastStartS, span.lastEndS);
      }
    }
    return { startS, endS, bytes: Math.round(bytesOf(b)), lostS: this.lostDuring(startS, endS) };
  }

  private lostDuring(startS: number, endS: number): number {
    const dur = Math.max(0, endS - startS);
    if (dur === 0) return 0;
    if (dur < MIN_RATE_SPAN_S) return round3(dur);
    const from = Math.max(0, startS - BEFORE_S);
    const atStart = this.history.atOrLast(startS).rchar;
    const before = startS > from ? (atStart - this.history.atOrLast(from).rchar) / (startS - from) : 0;
    if (!(before > 1024)) return round3(dur);
    const during = (this.history.atOrLast(endS).rchar - atStart) / dur;
    return round3(dur * clamp(1 - during / before, 0, 1));
  }
}

function ema(prev: number, x: number): number {
  return prev === 0 ? x : 0.8 * prev + 0.2 * x;
}

function bytesOf(b: OpenBurst): number {
  return Math.max(b.wchar, b.writeBytes);
}

function widen(span: Span | undefined, t0: number, t1: number, bytes: number): Span {
  const bps = bytes / (t1 - t0);
  if (!span) {
    return {
      firstStartS: t0,
      firstEndS: t1,
      firstBytes: bytes,
      lastStartS: t0,
      lastEndS: t1,
      lastBytes: bytes,
      intervals: 1,
      peakBps: bps,
    };
  }
  span.lastStartS = t0;
  span.lastEndS = t1;
  span.lastBytes = bytes;
  span.intervals++;
  span.peakBps = Math.max(span.peakBps, bps);
  return span;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
