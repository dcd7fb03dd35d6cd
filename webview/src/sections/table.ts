/** A real, accessible table: caption, column headers with scope, a body and a footer. */
import { el } from '../dom.js';

export interface TableParts {
  table: HTMLTableElement;
  body: HTMLTableSectionElement;
  foot: HTMLTableSectionElement;
}

/** columns: [header text, 'num' for right-aligned numbers or 'text'] */
export function buildTable(
  caption: string,
  columns: [string, 'num' | 'text'][],
  className: string,
): TableParts {
  const head = el('thead', {}, [
    el(
      'tr',
      {},
      columns.map(([name, kind]) => el('th', { text: name, className: kind, attrs: { scope: 'col' } })),
    ),
  ]);
  const body = el('tbody');
  const foot = el('tfoot');
  const colgroup = el(
    'colgroup',
    {},
    columns.map(([, kind]) => el('col', { className: kind })),
  );
  const table = el('table', { className }, [el('caption', { text: caption }), colgroup, head, body, foot]);
  return { table, body, foot };
}
