/** Checks the shape of what arrives on the window's message channel before the panel trusts it. */
import { isPanelSection, type HostToWebview } from '../../src/shared/protocol.js';
import type { SessionReport } from '../../src/shared/model.js';

function isReport(x: unknown): x is SessionReport {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  const series = r.series as Record<string, unknown> | undefined;
  return (
    typeof r.dataStall === 'object' &&
    r.dataStall !== null &&
    Array.isArray(r.epochs) &&
    Array.isArray(r.checkpoints) &&
    Array.isArray(r.datasets) &&
    Array.isArray(r.advice) &&
    typeof series === 'object' &&
    series !== null &&
    Array.isArray(series.t)
  );
}

export function isHostToWebview(x: unknown): x is HostToWebview {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  switch (m.type) {
    case 'init': {
      const t = m.thresholds as Record<string, unknown> | undefined;
      return (
        typeof m.title === 'string' &&
        typeof m.live === 'boolean' &&
        isReport(m.report) &&
        typeof t === 'object' &&
        t !== null &&
        typeof t.warningPct === 'number' &&
        typeof t.errorPct === 'number'
      );
    }
    case 'update':
    case 'ended':
      return isReport(m.report);
    case 'reveal':
      return isPanelSection(m.section);
    default:
      return false;
  }
}
