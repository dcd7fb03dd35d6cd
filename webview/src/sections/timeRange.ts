/**
 * The charts' time range: the whole run, the last 10 minutes or the last hour. A group of toggle
 * buttons (one pressed); ranges longer than the session so far are disabled (they would show the
 * whole run anyway).
 */
import type { SessionReport } from '../../../src/shared/model.js';
import { el, setText } from '../dom.js';
import type { TimeWindow } from '../charts/envelope.js';

export type TimeRange = 'all' | 'last10m' | 'last1h';

const RANGES: { id: TimeRange; label: string; seconds: number }[] = [
  { id: 'all', label: 'Whole run', seconds: Infinity },
  { id: 'last1h', label: 'Last hour', seconds: 3600 },
  { id: 'last10m', label: 'Last 10 min', seconds: 600 },
];

/** the end of what the charts can show: the session's duration or its last sample */
export function sessionEnd(report: SessionReport): number {
  const t = report.series.t;
  return Math.max(report.durationS, t[t.length - 1] ?? 0, 1);
}

export function windowOf(range: TimeRange, report: SessionReport): TimeWindow {
  const to = sessionEnd(report);
  const seconds = RANGES.find((r) => r.id === range)?.seconds ?? Infinity;
  return { from: Number.isFinite(seconds) ? Math.max(0, to - seconds) : 0, to };
}

export class TimeRangeControl {
  readonly element: HTMLElement;
  private readonly buttons = new Map<TimeRange, HTMLButtonElement>();
  private readonly shown = el('span', { className: 'range-shown', attrs: { 'aria-live': 'polite' } });
  private current: TimeRange = 'all';

  constructor(private readonly onChange: (range: TimeRange) => void) {
    const group = el('div', {
      className: 'range-buttons',
      attrs: { role: 'group', 'aria-label': 'Time range of the charts' },
    });
    for (const r of RANGES) {
      const button = el('button', {
        text: r.label,
        className: 'range',
        attrs: { type: 'button', 'data-range': r.id, 'aria-pressed': String(r.id === this.current) },
      });
      button.addEventListener('click', () => this.select(r.id));
      this.buttons.set(r.id, button);
      group.append(button);
    }
    this.element = el('div', { className: 'time-range' }, [
      el('span', { className: 'range-label', text: 'Charts:' }),
      group,
      this.shown,
    ]);
  }

  get range(): TimeRange {
    return this.current;
  }

  select(range: TimeRange): void {
    if (range === this.current) return;
    this.current = range;
    for (const [id, b] of this.buttons) b.setAttribute('aria-pressed', String(id === range));
    this.onChange(range);
  }

  /** disables ranges the session is not yet longer than; says what the charts show */
  update(report: SessionReport, text: string): void {
    const end = sessionEnd(report);
    for (const r of RANGES) {
      const button = this.buttons.get(r.id) as HTMLButtonElement;
      const useless = Number.isFinite(r.seconds) && end <= r.seconds && r.id !== this.current;
      if (button.disabled !== useless) button.disabled = useless;
    }
    setText(this.shown, text);
  }
}
