/**
 * The health strip at the top of the panel: one chip per health check (/dev/shm, descriptors,
 * memory, workers' memory, a worker that died) coloured by its state — the current one while
 * recording, the worst once the session ended — with the check's message as its title, and the
 * line that says why the job died when it did. Hidden while no check has spoken.
 */
import { alertLevel, healthAlerts, healthName, healthShort } from '../../../src/shared/healthText.js';
import type { HealthItem, SessionReport } from '../../../src/shared/model.js';
import { el, setHidden } from '../dom.js';

export class HealthStrip {
  readonly element: HTMLElement;
  private readonly chips = el('ul', { className: 'health-chips' });
  private readonly cause = el('p', { className: 'exit-cause' });
  private key = '';

  constructor() {
    this.element = el('section', { className: 'health-strip', attrs: { 'aria-label': 'Health' } }, [
      this.chips,
      this.cause,
    ]);
    setHidden(this.element, true);
  }

  update(report: SessionReport, live: boolean): void {
    const items = report.health ?? [];
    const key = JSON.stringify([items, report.exitCause, live]);
    if (key === this.key) return;
    this.key = key;
    this.chips.replaceChildren(...items.map((h) => chip(h, live)));
    this.cause.textContent = report.exitCause ? `Why the job died: ${report.exitCause}` : '';
    const level = alertLevel(healthAlerts(report, live), live);
    this.element.className = `health-strip${level ? ` severity-${level}` : ''}`;
    setHidden(this.cause, !report.exitCause);
    setHidden(this.element, items.length === 0 && !report.exitCause);
  }
}

function chip(h: HealthItem, live: boolean): HTMLElement {
  const state = live ? h.current : h.severity;
  const level = state === 'ok' || state === 'info' ? 'ok' : state;
  return el('li', { className: `health-chip severity-${level}`, title: `${level}: ${h.message}` }, [
    el('span', { className: 'health-name', text: healthName(h) }),
    el('span', { className: 'health-value', text: healthShort(h, live ? h.currentValue : h.value) }),
  ]);
}
