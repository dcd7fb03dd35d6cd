/**
 * The ranks of a multi-rank job: per rank its data stall (its own exact or estimated windows), its
 * epochs, the dataset bytes its process and workers read, its workers and loaders. In DDP every
 * step waits for the slowest rank, so the job's stall is the slowest rank's; the spread between
 * ranks and the straggler are named.
 *
 * A rank's number comes from the best source that named its process: the hook (RANK or
 * torch.distributed inside the process) over the environment over start order; records tagged with
 * a pid follow their process when it is renumbered. Records without a rank belong to rank 0 (a
 * single-process job, or the first process that drove a loader).
 */
import type {
  DataStallSummary,
  EpochMarkRecord,
  LoaderRecord,
  RankRecord,
  RankSummary,
  StallRecord,
  TreeRecord,
} from '../../shared/model';
import { StallAggregator } from './stallAggregator';

const SOURCE_PRIORITY: Record<RankRecord['source'], number> = { hook: 3, env: 2, order: 1 };
/** Marks of one source closer than this are one boundary (workers of two loaders starting together). */
const SAME_MARK_S = 0.2;
const MAX_MARK_TIMES = 100_000;

interface RankState {
  stall: StallAggregator;
  /**
   * epoch starts: the hook's iterator creations per loader (exact; the loader that marks most is
   * the training one), else the workers' respawns
   */
  marks: { hook: Map<number, number[]>; respawn: number[] };
  loaders: Set<number>;
  workers: number;
  bytesRead: number;
  pid: number;
}

export class RankTracker {
  private readonly byPid = new Map<number, { rank: number; priority: number }>();
  private readonly states = new Map<number, RankState>();

  addRank(r: RankRecord): void {
    const known = this.byPid.get(r.pid);
    const priority = SOURCE_PRIORITY[r.source] ?? 0;
    if (known !== undefined && known.priority > priority) return;
    if (known !== undefined && known.rank !== r.rank) this.renumber(known.rank, r.rank, r.pid);
    this.byPid.set(r.pid, { rank: r.rank, priority });
    this.state(r.rank).pid = r.pid;
  }

  /** the rank a record belongs to */
  rankOf(r: { rank?: number; pid?: number }): number {
    if (r.pid !== undefined) {
      const known = this.byPid.get(r.pid);
      if (known !== undefined) return known.rank;
    }
    return r.rank ?? 0;
  }

  addStall(r: StallRecord): void {
    this.state(this.rankOf(r)).stall.add(r);
  }

  addMark(r: EpochMarkRecord): void {
    if (r.source === 'reopen') return;
    const st = this.state(this.rankOf(r));
    let marks = st.marks.respawn;
    if (r.source === 'hook') {
      const loader = r.loaderId ?? -1;
      marks = st.marks.hook.get(loader) ?? [];
      st.marks.hook.set(loader, marks);
    }
    const last = marks.at(-1);
    if (last !== undefined && Math.abs(r.s - last) < SAME_MARK_S) return;
    if (marks.length < MAX_MARK_TIMES) marks.push(r.s);
  }

  addLoader(r: LoaderRecord): void {
    const st = this.state(this.rankOf(r));
    st.loaders.add(r.id);
    st.workers = Math.max(st.workers, r.numWorkers);
  }

  addTree(r: TreeRecord): void {
    for (const t of r.ranks ?? []) {
      const st = this.state(this.rankOf({ rank: t.rank, pid: t.pid }));
      st.pid = t.pid;
      st.workers = Math.max(st.workers, t.workers);
      st.bytesRead = Math.max(st.bytesRead, t.io.rchar);
    }
  }

  /** a single-rank session's rank (one rank of a bigger job recorded alone): the one that recorded anything */
  private soleRank(): number {
    for (const [rank, st] of this.states) if (st.stall.hasWindows() || epochsOf(st) > 0) return rank;
    return 0;
  }

  /** true when two or more ranks recorded anything */
  get multiRank(): boolean {
    return [...this.states.values()].filter((s) => s.stall.hasWindows() || epochsOf(s) > 0).length >= 2;
  }

  /**
   * The job's stall: the slowest rank's, with the straggler and the spread; null for a
   * single-process job (the session's own aggregate stands).
   */
  jobStall(): DataStallSummary | null {
    if (!this.multiRank) return null;
    const rows = this.withStall();
    if (rows.length === 0) return null;
    const slowest = rows.reduce((a, b) => ((b.summary.pct ?? -1) > (a.summary.pct ?? -1) ? b : a));
    const fastest = rows.reduce((a, b) =>
      (b.summary.pct ?? Infinity) < (a.summary.pct ?? Infinity) ? b : a,
    );
    const out: DataStallSummary = { ...slowest.summary, slowestRank: slowest.rank };
    if (slowest.summary.pct !== null && fastest.summary.pct !== null) {
      out.spreadPct = Math.round((slowest.summary.pct - fastest.summary.pct) * 100) / 100;
    }
    return out;
  }

  /**
   * One row per rank. `single` fills the row of a single-process job from the session's own
   * figures, which see more than the per-rank sums (the whole tree).
   */
  summaries(host: string, single: Omit<RankSummary, 'rank' | 'host'>): RankSummary[] {
    if (!this.multiRank) return [{ rank: this.soleRank(), host, ...single }];
    // the job's dataset bytes (module imports and other reads left out) split by each rank's share
    // of the tree's reads
    const allReads = [...this.states.values()].reduce((a, st) => a + st.bytesRead, 0);
    const share = (st: RankState): number =>
      allReads > 0 ? Math.round((single.bytesRead * st.bytesRead) / allReads) : 0;
    return [...this.states.entries()]
      .sort(([a], [b]) => a - b)
      .map(([rank, st]) => {
        const summary = st.stall.summary();
        return {
          rank,
          pid: st.pid,
          host,
          dataStall: { pct: summary.pct, method: summary.method },
          epochs: epochsOf(st),
          bytesRead: share(st),
          workers: st.workers,
          loaders: st.loaders.size,
        };
      });
  }

  /** whether a record belongs to the rank whose epochs are the job's (rank 0, or the lowest) */
  isPrimary(r: { rank?: number; pid?: number }): boolean {
    const rank = this.rankOf(r);
    if (rank === 0) return true;
    const ranks = [...this.states.keys()];
    return ranks.length > 0 && !ranks.includes(0) && rank === Math.min(...ranks);
  }

  private withStall(): { rank: number; summary: DataStallSummary }[] {
    const out: { rank: number; summary: DataStallSummary }[] = [];
    for (const [rank, st] of this.states) {
      if (!st.stall.hasWindows()) continue;
      const summary = st.stall.summary();
      if (summary.pct !== null) out.push({ rank, summary });
    }
    return out;
  }

  private state(rank: number): RankState {
    let st = this.states.get(rank);
    if (st === undefined) {
      st = {
        stall: new StallAggregator(),
        marks: { hook: new Map(), respawn: [] },
        loaders: new Set(),
        workers: 0,
        bytesRead: 0,
        pid: 0,
      };
      this.states.set(rank, st);
    }
    return st;
  }

  /** A process named by a better source moves its rank's state to the new number. */
  private renumber(from: number, to: number, pid: number): void {
    const st = this.states.get(from);
    if (st === undefined || st.pid !== pid) return;
    this.states.delete(from);
    const other = this.states.get(to);
    this.states.set(to, st);
    if (other !== undefined && other.pid !== pid) this.states.set(from, other);
  }
}

/** a rank's epochs: its iterator creations where the hook saw them, else its workers' respawns */
function epochsOf(st: RankState): number {
  let hook = 0;
  for (const marks of st.marks.hook.values()) hook = Math.max(hook, marks.length);
  return hook > 0 ? hook : st.marks.respawn.length;
}
