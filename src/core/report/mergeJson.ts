/** The merged job report as JSON (schema `trainio.job/1`, src/shared/mergedReport.ts). */
import type { MergedReport } from '../../shared/mergedReport';

export function renderMergedJson(merged: MergedReport): string {
  return JSON.stringify(merged, null, 2) + '\n';
}
