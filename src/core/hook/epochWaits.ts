/**
 * The waits at the edges of each epoch, from the main process's timed `iter()` and `next()` calls:
 * creating the iterator, the first batch, the steady batches (their median) and the `next()` that
 * raised StopIteration. One `EpochWaitsRecord` per epoch, handed out when the epoch ends (its
 * StopIteration), when the next `iter()` starts one (a loop that broke out early) or at the finish.
 */
import type { EpochWaitsRecord } from '../../shared/model';

/** Steady waits kept per epoch for the median (a long epoch is judged by its first ones). */
const MAX_STEADY_WAITS = 4096;

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

interface OpenEpoch {
  s: number;
  endS: number;
  loaderId?: number;
  iterS: number;
  firstNextS: number | null;
  steady: number[];
  batches: number;
}

export class EpochWaits {
  private open: OpenEpoch | null = null;

  /** `iter(loader)` ran over [t0, t1] (session seconds): a new epoch starts. */
  addIter(t0: number, t1: number, loaderId: number | null): EpochWaitsRecord | null {
    const done = this.close(null);
    this.open = { s: t0, endS: t1, iterS: t1 - t0, firstNextS: null, steady: [], batches: 0 };
    if (loaderId !== null) this.open.loaderId = loaderId;
    return done;
  }

  /** A `next()` over [t0, t1]; `stop` when it raised StopIteration (which ends the epoch). */
  addNext(t0: number, t1: number, stop: boolean): EpochWaitsRecord | null {
    const e = this.open;
    if (e === null) return null;
    e.endS = Math.max(e.endS, t1);
    if (stop) return this.close(t1 - t0);
    if (e.firstNextS === null) e.firstNextS = t1 - t0;
    else if (e.steady.length < MAX_STEADY_WAITS) e.steady.push(t1 - t0);
    e.batches += 1;
    return null;
  }

  /** The epoch still open at the end of the session (its loop broke out or the job stopped). */
  finish(): EpochWaitsRecord | null {
    return this.close(null);
  }

  private close(stopS: number | null): EpochWaitsRecord | null {
    const e = this.open;
    this.open = null;
    if (e === null) return null;
    const r: EpochWaitsRecord = {
      type: 'epochWaits',
      s: round6(e.s),
      endS: round6(e.endS),
      iterS: round6(e.iterS),
      firstNextS: e.firstNextS === null ? null : round6(e.firstNextS),
      typicalNextS: e.steady.length ? round6(median(e.steady)) : null,
      stopS: stopS === null ? null : round6(stopS),
      batches: e.batches,
    };
    if (e.loaderId !== undefined) r.loaderId = e.loaderId;
    return r;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
