/**
 * The JSON export: the SessionReport itself (schema `trainio.session/1`, documented field by field in
 * docs/report-schema.md). Numbers that JSON cannot hold (NaN, ±Infinity) are written as null, which is
 * what the schema says for an open-ended histogram bucket and an unknown value.
 */
import type { SessionReport } from '../../shared/model';

/** JSON.stringify itself writes NaN and ±Infinity as null. */
export function renderJson(report: SessionReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
