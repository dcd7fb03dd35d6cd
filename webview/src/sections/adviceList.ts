/** Advice with the numbers behind it, each linking to the line of code it is about; then notes. */
import { savingsText } from '../../../src/shared/adviceSavings.js';
import type { SessionReport } from '../../../src/shared/model.js';
import { el, setHidden } from '../dom.js';
import type { HostConnection } from '../hostConnection.js';
import { siteLink } from './siteLink.js';

export class AdviceList {
  readonly element: HTMLElement;
  private readonly list = el('ul', { className: 'advice-list' });
  private readonly notes = el('ul', { className: 'notes' });
  private readonly empty = el('p', { className: 'empty', text: 'No advice: nothing stands out yet.' });
  private key = '';

  constructor(private readonly connection: HostConnection) {
    this.element = el('div', {}, [this.list, this.empty, this.notes]);
  }

  update(report: SessionReport): void {
    const missing = report.dataStall.missingSignals ?? [];
    const key = JSON.stringify([report.advice, report.notes, missing]);
    if (key === this.key) return;
    this.key = key;
    this.list.replaceChildren(
      ...report.advice.map((a) => {
        const item = el('li', { className: `advice severity-${a.severity}` }, [
          el('span', { className: 'severity', text: a.severity }),
          el('p', { className: 'message', text: a.message }),
        ]);
        const saves = savingsText(a);
        if (saves) item.append(el('p', { className: 'saves', text: saves }));
        if (a.evidence.length) {
          item.append(
            el(
              'ul',
              { className: 'evidence' },
              a.evidence.map((e) => el('li', { text: e })),
            ),
          );
        }
        if (a.site)
          item.append(
            el('p', { className: 'where' }, [
              document.createTextNode('At '),
              siteLink(a.site, this.connection),
            ]),
          );
        return item;
      }),
    );
    const notes = report.notes.map((n) => `${n.level === 'warning' ? 'Warning' : 'Note'}: ${n.message}`);
    if (missing.length) notes.push(`Not readable on this system: ${missing.join(', ')}`);
    this.notes.replaceChildren(...notes.map((n) => el('li', { text: n })));
    setHidden(this.list, report.advice.length === 0);
    setHidden(this.empty, report.advice.length > 0);
    setHidden(this.notes, notes.length === 0);
  }
}
