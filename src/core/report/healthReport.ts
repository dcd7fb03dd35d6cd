/**
 * The health checks in the reports: why the job died (when it did), then one row per check with its
 * worst moment. The same words as the panel's health strip and the status bar (shared/healthText).
 */
import { healthName, healthShort } from '../../shared/healthText';
import type { SessionReport } from '../../shared/model';
import { html, type SafeHtml } from './htmlText';
import { markdownLine, markdownTable, markdownText } from './markdownText';
import { formatSeconds } from './units';

const ICON = { critical: '🔴', warning: '🟠', info: '🟢' } as const;

export function healthMarkdown(report: SessionReport): string {
  const items = report.health ?? [];
  if (items.length === 0 && !report.exitCause) return '';
  const parts = ['## Health'];
  if (report.exitCause) parts.push(markdownLine(`**Why the job died:** ${report.exitCause}`));
  if (items.length) {
    parts.push(
      markdownTable(
        ['', 'check', 'worst', 'at', 'what'],
        items.map((h) => [
          ICON[h.severity],
          markdownText(healthName(h)),
          markdownText(healthShort(h, h.value)),
          formatSeconds(h.s),
          markdownText(h.message),
        ]),
      ),
    );
  }
  return parts.join('\n\n');
}

export function healthHtml(report: SessionReport): SafeHtml | '' {
  const items = report.health ?? [];
  if (items.length === 0 && !report.exitCause) return '';
  return html`<h2>Health</h2>
    ${report.exitCause ? html`<p class="tio-exit-cause"><strong>Why the job died:</strong> ${report.exitCause}</p>` : ''}
    <ul class="tio-health-list">
      ${items.map(
        (h) =>
          html`<li class="tio-health tio-${h.severity}">
            <span class="tio-severity">${h.severity === 'info' ? 'ok' : h.severity}</span>
            <strong>${healthShort(h, h.value)}</strong> at ${formatSeconds(h.s)} — ${h.message}
          </li>`,
      )}
    </ul>`;
}
