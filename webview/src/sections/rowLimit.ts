/**
 * A long table collapsed to its last rows: "Last 10 of 120 epochs · Show all", and back. The table's
 * footer keeps the summary of every row, so a collapsed table still says what the whole run did.
 */
import { el, setHidden, setText } from '../dom.js';

/** rows a collapsed table shows */
export const LAST_ROWS = 10;

export class RowLimit {
  readonly element: HTMLElement;
  private readonly text = el('span', { className: 'rows-shown' });
  private readonly toggle = el('button', {
    className: 'action rows-toggle',
    attrs: { type: 'button', 'aria-expanded': 'false' },
  });
  private all = false;
  private total = 0;

  constructor(
    private readonly noun: string,
    private readonly onChange: () => void,
    private readonly last = LAST_ROWS,
  ) {
    this.toggle.addEventListener('click', () => {
      this.all = !this.all;
      this.onChange();
    });
    this.element = el('p', { className: 'row-limit' }, [this.text, this.toggle]);
    setHidden(this.element, true);
  }

  /** the index of the first row to show of `total` (the rows after it are shown) */
  firstShown(total: number): number {
    this.total = total;
    const collapsible = total > this.last;
    setHidden(this.element, !collapsible);
    if (!collapsible) return 0;
    setText(this.text, this.all ? `All ${total} ${this.noun}` : `Last ${this.last} of ${total} ${this.noun}`);
    setText(this.toggle, this.all ? `Show the last ${this.last}` : `Show all ${total}`);
    this.toggle.setAttribute('aria-expanded', String(this.all));
    return this.all ? 0 : total - this.last;
  }

  get rowsHidden(): number {
    return this.all ? 0 : Math.max(0, this.total - this.last);
  }
}
