/**
 * One report for one job recorded as many session files (a node each, or a rank each):
 * `trainio report --merge SESSION...`. The job waits for its slowest rank every step, so the job's
 * data stall is the slowest rank's; the rows say which rank that is and how far the others are.
 */
import type { StallMethod } from './model';

export const MERGED_SCHEMA = 'trainio.job/1';

/** One rank of the job: a session file's only rank, or one of the ranks a session file holds. */
export interface MergedRankRow {
  host: string;
  rank: number;
  pid: number;
  /** the session file it comes from, as given on the command line */
  session: string;
  dataStall: { pct: number | null; method: StallMethod };
  epochs: number;
  /** dataset bytes read (this rank's process and workers where the session splits them by rank) */
  bytesRead: number;
  /** share of the node's reads served by its page cache, 0–100 (a node-wide figure) */
  pageCacheHitPct: number | null;
  /** checkpoints of the session; null on the other ranks of a session holding several (counted once) */
  checkpoints: number | null;
  checkpointBytes: number | null;
  durationS: number;
  /** stall % over the session, a few hundred points at most (for the chart) */
  stallSeries: { t: number[]; pct: (number | null)[] };
}

export interface MergedReport {
  schema: typeof MERGED_SCHEMA;
  /** session files merged */
  sessions: number;
  /** sorted by rank, then host */
  ranks: MergedRankRow[];
  dataStall: {
    /** the slowest rank's stall: the job's */
    pct: number | null;
    method: StallMethod | 'mixed';
    /** slowest minus fastest rank's stall, in points (0 with one rank) */
    spreadPct: number;
    fastestPct: number | null;
    medianPct: number | null;
  };
  /** the slowest rank, named when the job has two ranks or more */
  straggler: { host: string; rank: number; session: string; pct: number; aboveMedianPct: number } | null;
  durationS: number;
  totals: { bytesRead: number; checkpoints: number; checkpointBytes: number };
  /** what the reader should know: duplicate ranks, mixed measurement methods, unreadable signals */
  notes: string[];
}
