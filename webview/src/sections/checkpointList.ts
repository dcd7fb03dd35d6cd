/**
 * The checkpoints: when, where, how big, how long, and the training time each one cost (the last
 * ones only in a long run, with "show all"; the footer sums them all). An entry with a call site
 * reveals the `torch.save` line when clicked.
 */
import type { CheckpointSummary, SessionReport } from '../../../src/shared/model.js';
import { el, setHidden, setText, syncTextRows, toggleClass } from '../dom.js';
import {
  byteScale,
  formatBytes,
  formatBytesIn,
  formatClock,
  formatDuration,
} from '../../../src/shared/format.js';
import type { HostConnection } from '../hostConnection.js';
import { RowLimit } from './rowLimit.js';
import { siteLink } from './siteLink.js';
import { buildTable, type TableParts } from './table.js';

const SITE_COLUMN = 5;

function siteKey(c: CheckpointSummary): string {
  return c.site ? `${c.site.file}:${c.site.line}` : '';
}

export class CheckpointList {
  readonly element: HTMLElement;
  private readonly parts: TableParts;
  private readonly empty = el('p', { className: 'empty', text: 'No checkpoint written yet.' });
  private checkpoints: readonly CheckpointSummary[] = [];
  private readonly limit: RowLimit;
  private report: SessionReport | undefined;
  /** the index in the report of the first row shown */
  private offset = 0;

  constructor(private readonly connection: HostConnection) {
    this.parts = buildTable(
      'Checkpoints: time, file, size, write duration and training time lost',
      [
        ['Time', 'num'],
        ['File', 'text'],
        ['Size', 'num'],
        ['Duration', 'num'],
        ['Training lost', 'num'],
        ['Saved at', 'text'],
      ],
      'checkpoints',
    );
    this.parts.body.addEventListener('click', (event) => this.onClick(event));
    this.limit = new RowLimit('checkpoints', () => this.report && this.update(this.report));
    this.element = el('div', { className: 'table-wrap' }, [this.limit.element, this.parts.table, this.empty]);
  }

  update(report: SessionReport): void {
    this.report = report;
    const all = report.checkpoints;
    this.checkpoints = all;
    setHidden(this.parts.table, all.length === 0);
    setHidden(this.empty, all.length > 0);
    this.offset = this.limit.firstShown(all.length);
    const list = all.slice(this.offset);
    const bytes = all.reduce((sum, c) => sum + c.bytes, 0);
    // one unit for the rows; the footer's total is written in its own
    const scale = byteScale(list.map((c) => c.bytes));
    const body = this.parts.body;
    while (body.rows.length > list.length) body.deleteRow(body.rows.length - 1);
    list.forEach((c, i) => {
      const row = body.rows[i] ?? body.insertRow();
      const texts = [
        formatClock(c.startS),
        c.path,
        formatBytesIn(c.bytes, scale),
        formatDuration(c.durationS),
        formatDuration(c.lostS),
      ];
      texts.forEach((text, j) => setText(row.cells[j] ?? row.insertCell(), text));
      const pathCell = row.cells[1];
      if (pathCell && pathCell.title !== c.path) {
        pathCell.title = c.path;
        pathCell.className = 'path';
      }
      const siteCell = row.cells[SITE_COLUMN] ?? row.insertCell();
      const key = siteKey(c);
      if (siteCell.dataset.site !== key) {
        siteCell.dataset.site = key;
        siteCell.replaceChildren(
          c.site ? siteLink(c.site, this.connection) : document.createTextNode(c.source),
        );
      }
      toggleClass(row, 'has-site', c.site !== undefined && this.connection.interactive);
    });
    const lost = all.reduce((sum, c) => sum + c.lostS, 0);
    const took = all.reduce((sum, c) => sum + c.durationS, 0);
    syncTextRows(
      this.parts.foot,
      all.length
        ? [[`${all.length} saved`, '', formatBytes(bytes), formatDuration(took), formatDuration(lost), '']]
        : [],
    );
  }

  /** a click anywhere on a row with a call site opens it (the button inside handles itself) */
  private onClick(event: MouseEvent): void {
    if (!this.connection.interactive || !(event.target instanceof Element)) return;
    const row = event.target.closest('tr');
    if (!row || row.parentElement !== this.parts.body) return;
    const site = this.checkpoints[this.offset + row.sectionRowIndex]?.site;
    if (site) this.connection.post({ type: 'openSite', site: { file: site.file, line: site.line } });
  }
}
