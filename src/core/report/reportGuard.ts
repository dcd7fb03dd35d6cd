/**
 * The one guard every report format goes through: a copy of the report in which no number is NaN or
 * ±Infinity (they become null, which every formatter writes as "—" and JSON writes as null), so no
 * writer can print `NaN` or `Infinity` whatever the analyses computed. Text that is not text is made
 * harmless where it is written (visibleText), an unknown end reason by endText.
 */
import type { SessionReport } from '../../shared/model';

export function guardReport(report: SessionReport): SessionReport {
  return finiteCopy(report) as SessionReport;
}

function finiteCopy(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(finiteCopy);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = finiteCopy(v);
    return out;
  }
  return value;
}

/** a renderer that sees only guarded reports */
export function guarded<A extends unknown[], R>(render: (...reports: A) => R): (...reports: A) => R {
  return (...args: A) => render(...(args.map((a) => (isReport(a) ? guardReport(a) : a)) as A));
}

function isReport(x: unknown): x is SessionReport {
  return typeof x === 'object' && x !== null && 'schema' in x && 'dataStall' in x;
}
