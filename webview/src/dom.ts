/**
 * Building and updating the DOM without innerHTML: every string from a report goes through
 * textContent, so paths and command lines are always shown as text, and control characters and
 * bidirectional overrides in them are made visible (they could otherwise reorder what is shown).
 */
import { visibleText } from '../../src/shared/visibleText.js';

export interface ElementOptions {
  className?: string;
  text?: string;
  id?: string;
  title?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: Node[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = visibleText(options.text);
  if (options.id) node.id = options.id;
  if (options.title) node.title = options.title;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) node.appendChild(child);
  return node;
}

/** sets the text only when it changed (no layout work for unchanged cells) */
export function setText(node: Node, text: string): void {
  const shown = visibleText(text);
  if (node.textContent !== shown) node.textContent = shown;
}

export function toggleClass(node: Element, className: string, on: boolean): void {
  if (node.classList.contains(className) !== on) node.classList.toggle(className, on);
}

export function setHidden(node: HTMLElement, hidden: boolean): void {
  if (node.hidden !== hidden) node.hidden = hidden;
}

/**
 * Makes a table body show `rows` (cell texts), reusing existing rows and cells: only cells whose
 * text changed are touched, rows are appended or removed at the end.
 */
export function syncTextRows(body: HTMLTableSectionElement, rows: string[][]): void {
  while (body.rows.length > rows.length) body.deleteRow(body.rows.length - 1);
  rows.forEach((cells, i) => {
    const row = body.rows[i] ?? body.insertRow();
    while (row.cells.length > cells.length) row.deleteCell(row.cells.length - 1);
    cells.forEach((text, j) => setText(row.cells[j] ?? row.insertCell(), text));
  });
}
