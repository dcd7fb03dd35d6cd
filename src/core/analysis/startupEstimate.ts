/**
 * Worker start-up seen from outside (attach mode): every new generation of DataLoader workers (their
 * spawns, or a respawn epoch mark) costs the loop the wait in the estimator's windows around it —
 * one window before the first spawn (the old workers' shutdown) to two after (start-up and the
 * first batch) — beyond the session's typical stall (the median window away from any generation).
 * The wait before the spawn counts as the shutdown, the rest as the first batch's extra wait;
 * iterator creation is not separable from outside and is part of the latter.
 */
import type { StallRecord, WorkerStartupEpoch } from '../../shared/model';

/** Spawns closer than this belong to one generation. */
const GENERATION_GAP_S = 0.5;
const WINDOWS_BEFORE = 1;
const WINDOWS_AFTER = 2;
const MAX_WINDOWS = 100_000;
const MAX_GENERATIONS = 10_000;

interface Window {
  from: number;
  to: number;
  waitS: number;
  loopS: number;
}

export class StartupEstimate {
  private readonly spawns: number[] = [];
  private readonly respawns: number[] = [];
  private readonly windows: Window[] = [];
  private readonly exactWindows: Window[] = [];

  addWorkerSpawn(s: number): void {
    const last = this.spawns.at(-1);
    if (last !== undefined && Math.abs(s - last) < GENERATION_GAP_S) return;
    if (this.spawns.length < MAX_GENERATIONS) this.spawns.push(s);
  }

  addRespawn(s: number): void {
    if (this.respawns.length < MAX_GENERATIONS) this.respawns.push(s);
  }

  /** A stall window; exact ones (launch mode) are preferred where a session has both. */
  addWindow(r: StallRecord): void {
    const into = r.method === 'exact' ? this.exactWindows : this.windows;
    if (into.length >= MAX_WINDOWS || !(r.windowS > 0)) return;
    into.push({ from: r.s - r.windowS, to: r.s, waitS: r.waitS, loopS: r.loopS });
  }

  /**
   * One row per generation the windows cover; null when there is nothing to estimate from, or when
   * epochs are too short for the windows (a generation's stretch would cover the whole epoch, and
   * no typical window would be left to compare with).
   */
  perGeneration(): WorkerStartupEpoch[] | null {
    const gens = (this.spawns.length ? this.spawns : this.respawns).slice().sort((a, b) => a - b);
    const windows = this.exactWindows.length ? this.exactWindows : this.windows;
    if (gens.length === 0 || windows.length === 0) return null;
    windows.sort((a, b) => a.to - b.to);
    const w = median(windows.map((x) => x.to - x.from));
    const spacing = gens.slice(1).map((g, i) => g - gens[i]);
    if (spacing.length && median(spacing) < (WINDOWS_BEFORE + WINDOWS_AFTER + 1) * w) return null;
    const near = (x: Window, g: number): boolean =>
      x.to > g - WINDOWS_BEFORE * w && x.from < g + WINDOWS_AFTER * w;
    const quiet = windows.filter((x) => x.loopS > 0 && !near(x, nearestGeneration(gens, x.to)));
    if (quiet.length === 0) return null;
    const base = median(quiet.map((x) => x.waitS / x.loopS));
    const out: WorkerStartupEpoch[] = [];
    const used = new Set<Window>();
    for (const g of gens) {
      let stopS = 0;
      let extraS = 0;
      let covered = false;
      for (let i = firstEndingAfter(windows, g - WINDOWS_BEFORE * w); i < windows.length; i++) {
        const x = windows[i];
        if (x.from >= g + WINDOWS_AFTER * w) break;
        if (used.has(x) || !near(x, g)) continue;
        used.add(x);
        covered = true;
        const excess = Math.max(0, x.waitS - base * x.loopS);
        const before = Math.min(1, Math.max(0, (g - x.from) / (x.to - x.from)));
        stopS += excess * before;
        extraS += excess * (1 - before);
      }
      if (!covered) continue;
      out.push({
        startS: round3(g),
        iterS: 0,
        firstBatchExtraS: round3(extraS),
        stopS: round3(stopS),
        totalS: round3(stopS + extraS),
      });
    }
    return out.length ? out : null;
  }
}

/** the generation closest to `t` (gens sorted) */
function nearestGeneration(gens: readonly number[], t: number): number {
  let lo = 0;
  let hi = gens.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (gens[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  const after = gens[lo];
  const before = lo > 0 ? gens[lo - 1] : after;
  return Math.abs(t - before) <= Math.abs(after - t) ? before : after;
}

/** index of the first window (in time order) that ends after `t` */
function firstEndingAfter(windows: readonly Window[], t: number): number {
  let lo = 0;
  let hi = windows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (windows[mid].to > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
