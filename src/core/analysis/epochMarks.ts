/**
 * Chooses the epoch boundaries among the marks of several sources. The hook's marks (iterator
 * created) are exact: when any exist, those of the primary loader are the boundaries. Otherwise the
 * marks from files opened again (`reopen`) and from worker respawns (`respawn`) are merged, and a
 * respawn mark within `toleranceS` of a reopen mark is the same boundary (the earlier one is kept).
 */
import type { EpochSummary } from '../../shared/model';

export interface Mark {
  s: number;
  /** 'session': no mark; the first read of the session */
  source: EpochSummary['source'];
  loaderId?: number;
  /** 'reopen' marks: distinct files the epoch that ends here opened */
  previousEpochFiles?: number;
}

/** marks of two sources closer than this are one boundary (at most; see `markTolerance`) */
export const MARK_TOLERANCE_S = 1.0;

/**
 * Two sources see the same boundary within tens of ms (worker start-up), while epochs can be
 * shorter than a second: the tolerance is 30% of the median spacing of the marks, 0.1–1 s.
 */
export function markTolerance(marks: readonly Mark[]): number {
  const times = [...marks].map((m) => m.s).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++)
    if (times[i] - times[i - 1] > 0.05) gaps.push(times[i] - times[i - 1]);
  if (gaps.length === 0) return MARK_TOLERANCE_S;
  gaps.sort((a, b) => a - b);
  const median = gaps[gaps.length >> 1];
  return Math.min(MARK_TOLERANCE_S, Math.max(0.1, 0.3 * median));
}

/** which loader's iterators mark epochs: the one with most marks, then the largest dataset, then the first */
export function primaryLoader(
  marks: readonly Mark[],
  datasetLen: ReadonlyMap<number, number>,
): number | undefined {
  const counts = new Map<number, number>();
  for (const m of marks) {
    if (m.source !== 'hook' || m.loaderId === undefined) continue;
    counts.set(m.loaderId, (counts.get(m.loaderId) ?? 0) + 1);
  }
  let best: number | undefined;
  for (const [id, n] of counts) {
    if (best === undefined) {
      best = id;
      continue;
    }
    const bn = counts.get(best) ?? 0;
    const better =
      n > bn ||
      (n === bn && (datasetLen.get(id) ?? 0) > (datasetLen.get(best) ?? 0)) ||
      (n === bn && (datasetLen.get(id) ?? 0) === (datasetLen.get(best) ?? 0) && id < best);
    if (better) best = id;
  }
  return best;
}

export function chooseBoundaries(
  marks: readonly Mark[],
  datasetLen: ReadonlyMap<number, number> = new Map(),
  toleranceS?: number,
): Mark[] {
  const hook = marks.filter((m) => m.source === 'hook');
  if (hook.length > 0) {
    const loader = primaryLoader(hook, datasetLen);
    const mine = hook.filter(
      (m) => loader === undefined || m.loaderId === undefined || m.loaderId === loader,
    );
    return dedupe(mine, toleranceS ?? Math.min(0.1, markTolerance(mine)));
  }
  const reopenAll = withoutStrayReopens(marks.filter((m) => m.source === 'reopen'));
  const respawnAll = marks.filter((m) => m.source === 'respawn');
  const gapTol = markTolerance([...dedupe(reopenAll, 0.1), ...dedupe(respawnAll, 0.1)]);
  const tol = toleranceS ?? gapTol;
  return mergeReopenRespawn(dedupe(reopenAll, tol), dedupe(respawnAll, tol), tol);
}

/**
 * Reopen and respawn marks that agree (within `tol`) are one boundary, dated by the earlier of the two.
 * When they disagree — a mark of one source with a mark of the other nearby that does not match
 * it — the respawn mark wins: a new worker generation is a fact, while files opened again can
 * mislead (attached in the middle of an epoch, the files read before the attach look new).
 * A mark with no mark of the other source anywhere near stands alone — except a reopen mark among
 * regular respawns (two or more: the workers are not persistent, so every epoch starts with a new
 * generation): a boundary without a respawn there is a stray re-open (worker start-up reads, late
 * file events), not an epoch.
 */
function mergeReopenRespawn(reopen: Mark[], respawn: Mark[], tol: number): Mark[] {
  if (reopen.length === 0) return respawn;
  if (respawn.length === 0) return reopen;
  const near = (a: Mark, list: Mark[], within: number): Mark | undefined =>
    list.find((b) => Math.abs(b.s - a.s) <= within);
  const typical = medianGap(
    respawn.length >= 2 ? respawn : reopen.length >= 2 ? reopen : [...reopen, ...respawn],
  );
  const conflict = Math.max(tol, CONFLICT_SHARE * typical);
  const out: Mark[] = [];
  const agreed = new Set<Mark>();
  for (const r of reopen) {
    const match = near(r, respawn, tol);
    if (match) {
      agreed.add(match);
      // the earlier evidence dates the boundary: a reopen seen late (attached mid-epoch) must not
      // move bytes of the new epoch into the old one
      out.push(match.s < r.s ? match : r);
    } else if (!near(r, respawn, conflict) && !amongRespawns(r, respawn, typical, tol)) {
      out.push(r);
    }
  }
  for (const m of respawn) if (!agreed.has(m)) out.push(m);
  return dedupe(out, tol);
}

/** a run of reopen marks whose epochs together opened less than this share of a full epoch is one epoch */
const STRAY_SHARE = 0.7;

/**
 * Files opened again mark a boundary when an epoch has opened its files once; a stray re-open (a
 * file opened twice by the loader, late file events) marks one too early, splitting an epoch into
 * parts that each opened only a share of the files (0.61 and 0.41 of a full pass, seen). With three
 * or more such marks the fullest epoch tells a full pass: marks are kept once the files opened since
 * the last kept one reach STRAY_SHARE of it; the ones before are strays. The first mark stands (the
 * epoch before it may be partial: attached mid-epoch).
 */
export function withoutStrayReopens(reopen: readonly Mark[]): Mark[] {
  const counted = reopen.filter((m) => m.previousEpochFiles !== undefined);
  if (counted.length < 3) return [...reopen];
  const sorted = [...reopen].sort((a, b) => a.s - b.s);
  const full = Math.max(...sorted.slice(1).map((m) => m.previousEpochFiles ?? 0));
  if (!(full > 0)) return sorted;
  const out: Mark[] = [sorted[0]];
  let since = 0;
  for (const m of sorted.slice(1)) {
    since += m.previousEpochFiles ?? full;
    if (since >= STRAY_SHARE * full) {
      out.push(m);
      since = 0;
    }
  }
  return out;
}

/** within the span that regular respawns mark (their last epoch included) */
function amongRespawns(r: Mark, respawn: readonly Mark[], typical: number, tol: number): boolean {
  if (respawn.length < 2) return false;
  const times = respawn.map((m) => m.s);
  return r.s >= Math.min(...times) - tol && r.s <= Math.max(...times) + typical;
}

/** a mark of the other source closer than this share of an epoch contradicts a mark */
const CONFLICT_SHARE = 0.4;

function medianGap(marks: readonly Mark[]): number {
  const times = marks.map((m) => m.s).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++)
    if (times[i] - times[i - 1] > MARK_TOLERANCE_S / 10) gaps.push(times[i] - times[i - 1]);
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1];
}

/** keeps the first mark of each cluster of marks closer than `toleranceS` */
export function dedupe(marks: readonly Mark[], toleranceS: number): Mark[] {
  const sorted = [...marks].sort((a, b) => a.s - b.s);
  const out: Mark[] = [];
  for (const m of sorted) {
    const prev = out.at(-1);
    if (prev && m.s - prev.s <= toleranceS) continue;
    out.push(m);
  }
  return out;
}
