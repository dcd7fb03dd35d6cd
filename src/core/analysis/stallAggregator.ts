/**
 * Data-stall % of the session: Σ waitS ÷ Σ loopS over the stall windows of the primary method —
 * `exact` (the hook's time inside `next()`) as soon as any exact window exists, else `estimated`
 * (the main thread seen from outside). Both are reported when both were recorded, so attach-mode
 * estimates can be checked against the exact figure.
 */
import type { Confidence, DataStallSummary, StallMethod, StallRecord } from '../../shared/model';
import { round2 } from './pageCache';

interface MethodTotals {
  windows: number;
  waitS: number;
  loopS: number;
  fetchS: number;
  prepS: number;
  handoffS: number;
  /** loopS of the windows that carry the fetch/prep split */
  splitLoopS: number;
  batches: number;
  /** loop seconds by confidence, to weigh the session's confidence */
  byConfidence: Record<Confidence, number>;
  last: StallRecord | undefined;
  /** the last window at least half as long as the longest seen (a final 84 ms window never headlines) */
  lastFull: StallRecord | undefined;
  longestWindowS: number;
}

function emptyTotals(): MethodTotals {
  return {
    windows: 0,
    waitS: 0,
    loopS: 0,
    fetchS: 0,
    prepS: 0,
    handoffS: 0,
    splitLoopS: 0,
    batches: 0,
    byConfidence: { high: 0, medium: 0, low: 0 },
    last: undefined,
    lastFull: undefined,
    longestWindowS: 0,
  };
}

export class StallAggregator {
  private readonly totals: Record<StallMethod, MethodTotals> = {
    exact: emptyTotals(),
    estimated: emptyTotals(),
  };
  private readonly missing = new Set<string>();

  add(r: StallRecord): void {
    const t = this.totals[r.method];
    if (!t) return;
    t.windows++;
    t.waitS += nonNegative(r.waitS);
    t.loopS += nonNegative(r.loopS);
    t.batches += nonNegative(r.batches ?? 0);
    t.handoffS += nonNegative(r.handoffS ?? 0);
    if (r.fetchS !== undefined || r.prepS !== undefined) {
      t.fetchS += nonNegative(r.fetchS ?? 0);
      t.prepS += nonNegative(r.prepS ?? 0);
      t.splitLoopS += nonNegative(r.loopS);
    }
    if (t.byConfidence[r.confidence] !== undefined) t.byConfidence[r.confidence] += Math.max(r.loopS, 1e-3);
    t.last = r;
    if (r.windowS > t.longestWindowS) t.longestWindowS = r.windowS;
    if (r.windowS >= 0.5 * t.longestWindowS) t.lastFull = r;
    for (const m of r.missing ?? []) this.missing.add(m);
  }

  /** exact when any exact window exists, else estimated */
  get primary(): StallMethod {
    return this.totals.exact.windows > 0 ? 'exact' : 'estimated';
  }

  hasWindows(): boolean {
    return this.totals.exact.windows + this.totals.estimated.windows > 0;
  }

  /** Σ batches of the primary method's windows (0 when the source does not count them) */
  get batches(): number {
    return this.totals[this.primary].batches;
  }

  summary(): DataStallSummary {
    const method = this.primary;
    const t = this.totals[method];
    const out: DataStallSummary = {
      pct: pct(t.waitS, t.loopS),
      method,
      confidence: method === 'exact' ? 'high' : dominantConfidence(t.byConfidence),
      windowPct: t.lastFull ? pct(t.lastFull.waitS, t.lastFull.loopS) : null,
    };
    if (this.totals.exact.windows > 0 && this.totals.estimated.windows > 0) {
      out.exactPct = pct(this.totals.exact.waitS, this.totals.exact.loopS);
      out.estimatedPct = pct(this.totals.estimated.waitS, this.totals.estimated.loopS);
    }
    const split = t.splitLoopS > 0 ? t : this.totals[method === 'exact' ? 'estimated' : 'exact'];
    if (split.splitLoopS > 0) {
      out.fetchPct = pct(split.fetchS, split.splitLoopS);
      out.prepPct = pct(split.prepS, split.splitLoopS);
    }
    if (t.handoffS > 0) out.handoffPct = pct(t.handoffS, t.loopS);
    if (this.missing.size > 0) out.missingSignals = [...this.missing].sort();
    return out;
  }
}

function pct(wait: number, loop: number): number | null {
  if (!(loop > 1e-6)) return null;
  return round2(Math.min(100, (100 * wait) / loop));
}

function nonNegative(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}

function dominantConfidence(by: Record<Confidence, number>): Confidence {
  const order: Confidence[] = ['low', 'medium', 'high'];
  let best: Confidence = 'low';
  let bestV = -1;
  for (const c of order) {
    if (by[c] > bestV) {
      best = c;
      bestV = by[c];
    }
  }
  return best;
}
