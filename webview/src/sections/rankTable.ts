/**
 * The ranks of a multi-rank job: one row per rank with its own stall, epochs, bytes and workers, the
 * slowest rank marked (in DDP every step waits for it). Hidden for a single-process job.
 */
import type { SessionReport } from '../../../src/shared/model.js';
import { formatBytes, formatCount, formatPct } from '../../../src/shared/format.js';
import { el, setHidden, setText, syncTextRows } from '../dom.js';
import { buildTable, type TableParts } from './table.js';

export class RankTable {
  readonly element: HTMLElement;
  private readonly parts: TableParts;
  private readonly lead = el('p', { className: 'rank-lead' });

  constructor() {
    this.parts = buildTable(
      'Ranks: data stall, epochs, bytes read and workers of each rank',
      [
        ['Rank', 'text'],
        ['PID', 'num'],
        ['Data stall', 'num'],
        ['Method', 'text'],
        ['Epochs', 'num'],
        ['Bytes read', 'num'],
        ['Workers', 'num'],
      ],
      'ranks',
    );
    this.element = el('div', { className: 'table-wrap' }, [this.lead, this.parts.table]);
  }

  /** false when the job has a single rank (the section stays hidden) */
  update(report: SessionReport): boolean {
    const ranks = report.ranks ?? [];
    const multi = ranks.length >= 2;
    setHidden(this.element, !multi);
    if (!multi) return false;
    const slowest = report.dataStall.slowestRank;
    const spread = report.dataStall.spreadPct;
    setText(
      this.lead,
      slowest === undefined
        ? `${ranks.length} ranks`
        : `The job waits for its slowest rank: rank ${slowest}` +
            (spread !== undefined ? `, ${spread.toFixed(1)} points above the fastest.` : '.'),
    );
    syncTextRows(
      this.parts.body,
      ranks.map((r) => [
        r.rank === slowest ? `${r.rank} (slowest)` : String(r.rank),
        String(r.pid),
        formatPct(r.dataStall.pct),
        r.dataStall.method,
        formatCount(r.epochs),
        formatBytes(r.bytesRead),
        formatCount(r.workers),
      ]),
    );
    return true;
  }
}
