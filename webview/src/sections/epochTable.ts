/** The epochs table: one row per epoch, and a footer with the session's totals. */
import type { SessionReport } from '../../../src/shared/model.js';
import { el, setHidden, syncTextRows } from '../dom.js';
import { formatBytes, formatDuration, formatFactor, formatPct } from '../../../src/shared/format.js';
import { buildTable, type TableParts } from './table.js';

export class EpochTable {
  readonly element: HTMLElement;
  private readonly parts: TableParts;
  private readonly empty = el('p', { className: 'empty', text: 'No epoch boundary seen yet.' });

  constructor() {
    this.parts = buildTable(
      'Epochs: bytes read, re-read factor, page-cache share and data stall',
      [
        ['Epoch', 'num'],
        ['Duration', 'num'],
        ['Read', 'num'],
        ['Re-read', 'num'],
        ['From cache', 'num'],
        ['From disk', 'num'],
        ['Stall', 'num'],
      ],
      'epochs',
    );
    this.element = el('div', { className: 'table-wrap' }, [this.parts.table, this.empty]);
  }

  update(report: SessionReport): void {
    const epochs = report.epochs;
    setHidden(this.parts.table, epochs.length === 0);
    setHidden(this.empty, epochs.length > 0);
    syncTextRows(
      this.parts.body,
      epochs.map((e) => [
        String(e.index),
        formatDuration(e.endS - e.startS),
        formatBytes(e.bytesRead),
        formatFactor(e.rereadFactor),
        formatPct(e.pageCacheHitPct),
        formatBytes(e.diskBytesRead),
        formatPct(e.stallPct),
      ]),
    );
    const first = epochs[0];
    const last = epochs[epochs.length - 1];
    const r = report.reread;
    syncTextRows(
      this.parts.foot,
      first && last
        ? [
            [
              'All',
              formatDuration(last.endS - first.startS),
              formatBytes(epochs.reduce((sum, e) => sum + e.bytesRead, 0)),
              formatFactor(r.factor),
              formatPct(r.pageCacheHitPct),
              formatBytes(epochs.reduce((sum, e) => sum + e.diskBytesRead, 0)),
              formatPct(report.dataStall.pct),
            ],
          ]
        : [],
    );
  }
}
