/**
 * The rows of a merged job report: each session's report gives one row per rank it holds (its
 * `ranks`, when it has them) or one row; `mergeRows` puts the rows of every session together and
 * names the slowest rank. Pure functions: the files are read one at a time by mergeSessions.ts.
 */
import { MERGED_SCHEMA, type MergedRankRow, type MergedReport } from '../../shared/mergedReport';
import type { SessionReport, StallMethod } from '../../shared/model';
import { formatPct } from './units';

/** a row's stall series is averaged down to this many points */
export const MAX_ROW_POINTS = 240;

export function rowsOf(report: SessionReport, session: string): MergedRankRow[] {
  const checkpoints = report.checkpoints.length;
  const checkpointBytes = report.checkpoints.reduce((a, c) => a + c.bytes, 0);
  const common = {
    session,
    pageCacheHitPct: report.reread.bytesRead > 0 ? report.reread.pageCacheHitPct : null,
    durationS: report.durationS,
    stallSeries: stallSeries(report),
  };
  const ranks = report.ranks ?? [];
  if (ranks.length === 0) {
    return [
      {
        ...common,
        host: report.env.host,
        rank: 0,
        pid: report.target.pid,
        dataStall: { pct: report.dataStall.pct, method: report.dataStall.method },
        epochs: report.epochs.length,
        bytesRead: report.reread.bytesRead,
        checkpoints,
        checkpointBytes,
      },
    ];
  }
  return [...ranks]
    .sort((a, b) => a.rank - b.rank)
    .map((r, i) => ({
      ...common,
      host: r.host || report.env.host,
      rank: r.rank,
      pid: r.pid,
      dataStall: { ...r.dataStall },
      epochs: r.epochs,
      bytesRead: r.bytesRead,
      // a session's checkpoints are counted once, on its first rank
      checkpoints: i === 0 ? checkpoints : null,
      checkpointBytes: i === 0 ? checkpointBytes : null,
      // a session that splits ranks has one stall series for the job: shown on its first rank only
      stallSeries: i === 0 || ranks.length === 1 ? common.stallSeries : { t: [], pct: [] },
    }));
}

export function mergeRows(rows: MergedRankRow[], sessions: number): MergedReport {
  const sorted = [...rows].sort((a, b) => a.rank - b.rank || a.host.localeCompare(b.host));
  const known = sorted.filter((r) => r.dataStall.pct !== null);
  const pcts = known.map((r) => r.dataStall.pct!).sort((a, b) => a - b);
  const slowest = known.reduce<MergedRankRow | undefined>(
    (s, r) => (s === undefined || r.dataStall.pct! > s.dataStall.pct! ? r : s),
    undefined,
  );
  const medianPct = pcts.length ? median(pcts) : null;
  const methods = new Set<StallMethod>(known.map((r) => r.dataStall.method));
  const notes: string[] = [];
  const ids = new Map<string, number>();
  for (const r of sorted) ids.set(`${r.host}\u0000${r.rank}`, (ids.get(`${r.host}\u0000${r.rank}`) ?? 0) + 1);
  for (const [id, n] of ids) {
    if (n < 2) continue;
    const [host, rank] = id.split('\u0000');
    notes.push(`rank ${rank} on ${host} appears in ${n} sessions: were the same node's files given twice?`);
  }
  if (methods.size > 1) {
    notes.push(
      'some ranks were measured exactly (hook) and others estimated from outside: compare with care',
    );
  }
  const unknown = sorted.length - known.length;
  if (unknown > 0) notes.push(`${unknown} rank(s) measured no stall window: left out of the job's stall`);
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    schema: MERGED_SCHEMA,
    sessions,
    ranks: sorted,
    dataStall: {
      pct: slowest?.dataStall.pct ?? null,
      method: methods.size > 1 ? 'mixed' : (known[0]?.dataStall.method ?? 'estimated'),
      spreadPct: pcts.length ? round(pcts.at(-1)! - pcts[0]) : 0,
      fastestPct: pcts[0] ?? null,
      medianPct: medianPct === null ? null : round(medianPct),
    },
    straggler:
      slowest && known.length >= 2
        ? {
            host: slowest.host,
            rank: slowest.rank,
            session: slowest.session,
            pct: slowest.dataStall.pct!,
            aboveMedianPct: round(slowest.dataStall.pct! - medianPct!),
          }
        : null,
    durationS: sorted.reduce((a, r) => Math.max(a, r.durationS), 0),
    totals: {
      bytesRead: sorted.reduce((a, r) => a + r.bytesRead, 0),
      checkpoints: sorted.reduce((a, r) => a + (r.checkpoints ?? 0), 0),
      checkpointBytes: sorted.reduce((a, r) => a + (r.checkpointBytes ?? 0), 0),
    },
    notes,
  };
}

/** "Data stall 31.2% (the slowest rank's: rank 5 on node-b, 9.8 points above the median)" */
export function mergedVerdict(m: MergedReport): string {
  const d = m.dataStall;
  if (d.pct === null) return 'Data stall unknown: no rank measured a stall window';
  const s = m.straggler;
  const who = s
    ? `the slowest rank's: rank ${s.rank} on ${s.host}, ${points(s.aboveMedianPct)} above the median`
    : 'one rank';
  return `Job data stall ${formatPct(d.pct)} (${who}); spread ${points(d.spreadPct)} across ${m.ranks.length} rank(s) in ${m.sessions} session(s)`;
}

function stallSeries(report: SessionReport): MergedRankRow['stallSeries'] {
  const { t, stallPct } = report.series;
  const n = t.length;
  const cells = Math.min(n, MAX_ROW_POINTS);
  const out: MergedRankRow['stallSeries'] = { t: [], pct: [] };
  for (let c = 0; c < cells; c++) {
    const from = Math.floor((c * n) / cells);
    const to = Math.floor(((c + 1) * n) / cells);
    let sum = 0;
    let count = 0;
    for (let i = from; i < to; i++) {
      const v = stallPct[i];
      if (v !== null && v !== undefined) {
        sum += v;
        count++;
      }
    }
    out.t.push(t[to - 1]);
    out.pct.push(count ? Math.round((100 * sum) / count) / 100 : null);
  }
  return out;
}

/** the row is the job's slowest rank */
export function isStraggler(m: MergedReport, r: MergedRankRow): boolean {
  const s = m.straggler;
  return s !== null && s.rank === r.rank && s.host === r.host && s.session === r.session;
}

/** a difference of percentages: "9.8 points" */
export function points(x: number): string {
  return `${x.toFixed(1)} point${x.toFixed(1) === '1.0' ? '' : 's'}`;
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
