/**
 * The epochs table: one row per epoch (the last ones only, in a long run, with "show all"), and a
 * footer with the session's totals. The rows' byte columns share one unit; coverage is the epoch's bytes read
 * ÷ dataset bytes, the footer's the session's dataset passes.
 */
import type { SessionReport } from '../../../src/shared/model.js';
import { el, setHidden, setText, syncTextRows } from '../dom.js';
import {
  byteScale,
  formatBytes,
  formatBytesIn,
  formatDuration,
  formatPct,
} from '../../../src/shared/format.js';
import { coverageText, datasetPasses, epochColumn, passesText } from '../../../src/shared/vocabulary.js';
import { RowLimit } from './rowLimit.js';
import { buildTable, type TableParts } from './table.js';

export class EpochTable {
  readonly element: HTMLElement;
  private readonly parts: TableParts;
  private readonly empty = el('p', { className: 'empty', text: 'No epoch boundary seen yet.' });
  private readonly limit: RowLimit;
  private report: SessionReport | undefined;

  constructor() {
    this.parts = buildTable(
      'Epochs: bytes read, coverage of the dataset, page-cache share and data stall',
      [
        ['Epoch', 'num'],
        ['Duration', 'num'],
        ['Read', 'num'],
        ['Coverage', 'num'],
        ['From cache', 'num'],
        ['From disk', 'num'],
        ['Stall', 'num'],
      ],
      'epochs',
    );
    this.limit = new RowLimit('epochs', () => this.report && this.update(this.report));
    this.element = el('div', { className: 'table-wrap' }, [this.limit.element, this.parts.table, this.empty]);
  }

  update(report: SessionReport): void {
    this.report = report;
    const epochs = report.epochs;
    setHidden(this.parts.table, epochs.length === 0);
    setHidden(this.empty, epochs.length > 0);
    const head = this.parts.table.tHead?.rows[0]?.cells[0];
    if (head) setText(head, epochColumn(report));
    const bytes = epochs.reduce((sum, e) => sum + e.bytesRead, 0);
    const disk = epochs.reduce((sum, e) => sum + e.diskBytesRead, 0);
    const shown = epochs.slice(this.limit.firstShown(epochs.length));
    // one unit for the rows; the footer's totals are written in their own
    const scale = byteScale(shown.flatMap((e) => [e.bytesRead, e.diskBytesRead]));
    syncTextRows(
      this.parts.body,
      shown.map((e) => [
        String(e.index),
        formatDuration(e.endS - e.startS),
        formatBytesIn(e.bytesRead, scale),
        coverageText(e.rereadFactor),
        formatPct(e.pageCacheHitPct),
        formatBytesIn(e.diskBytesRead, scale),
        formatPct(e.stallPct),
      ]),
    );
    const first = epochs[0];
    const last = epochs[epochs.length - 1];
    syncTextRows(
      this.parts.foot,
      first && last
        ? [
            [
              `All ${epochs.length}`,
              formatDuration(last.endS - first.startS),
              formatBytes(bytes),
              `${passesText(datasetPasses(report))} passes`,
              formatPct(report.reread.pageCacheHitPct),
              formatBytes(disk),
              formatPct(report.dataStall.pct),
            ],
          ]
        : [],
    );
  }
}
