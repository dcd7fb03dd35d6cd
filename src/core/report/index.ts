/**
 * Session reports a colleague can open: `exportReport(format, reports, outFile)` writes one session, or
 * a comparison of two (html and md), to a file. The renderers are pure and exported for the extension,
 * the CLI and tests. Every file is written to a temporary name first and renamed into place, so a
 * failed export never leaves half a report behind.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SessionReport } from '../../shared/model';
import type { Thresholds } from '../../shared/protocol';
import { TrainioError } from '../errors';
import { renderComparisonHtml as comparisonHtml } from './comparisonHtml';
import { renderComparisonMarkdown as comparisonMarkdown } from './comparisonMarkdown';
import { csvFileNames, renderCsv as csv } from './csv';
import { renderHtml as htmlReport } from './html';
import { renderJson as json } from './json';
import { renderMarkdown as markdown } from './markdown';
import { findAssetsRoot, loadPanelAssets } from './panelAssets';
import { guarded } from './reportGuard';
import { renderTrace as trace, renderTraceJson as traceJson } from './trace';

export type ReportFormat = 'html' | 'md' | 'csv' | 'json' | 'trace';

export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'md', 'csv', 'json', 'trace'];

export function isReportFormat(x: unknown): x is ReportFormat {
  return typeof x === 'string' && (REPORT_FORMATS as readonly string[]).includes(x);
}

// every format sees the report through the one guard: no NaN or Infinity reaches any writer
export const renderJson = guarded(json);
export const renderMarkdown = guarded(markdown);
export const renderComparisonMarkdown = guarded(comparisonMarkdown);
export const renderCsv = guarded(csv);
export const renderTrace = guarded(trace);
export const renderTraceJson = guarded(traceJson);
export const renderHtml = guarded(htmlReport);
export const renderComparisonHtml = guarded(comparisonHtml);
export { csvFileNames, type CsvTables } from './csv';
export { type TraceDocument, type TraceEvent } from './trace';
export { type HtmlOptions } from './html';
export { compareReports, compareSetup, type ComparisonRow } from './comparison';
export { findAssetsRoot, loadPanelAssets, type PanelAssets } from './panelAssets';

export interface ExportOptions {
  /** folder holding dist/webview/panel.js and media/panel.css (default: found next to the running code) */
  assetsRoot?: string;
  /** stall levels the HTML report's panel colours by (default: the settings' defaults) */
  thresholds?: Thresholds;
}

/**
 * Writes `reports` (one session, or two to compare: html and md only) to `outFile` in `format` and
 * returns the files written (csv writes three). Throws TrainioError('USAGE') for a request it cannot
 * honour and TrainioError('UNSUPPORTED') when the HTML report's panel bundle is not built.
 */
export async function exportReport(
  format: ReportFormat,
  reports: SessionReport[],
  outFile: string,
  options: ExportOptions = {},
): Promise<string[]> {
  if (!isReportFormat(format)) {
    throw new TrainioError(
      'USAGE',
      `unknown report format "${String(format)}": use one of ${REPORT_FORMATS.join(', ')}.`,
    );
  }
  if (reports.length === 0 || reports.length > 2) {
    throw new TrainioError('USAGE', `a report takes one session, or two to compare (got ${reports.length}).`);
  }
  if (reports.length === 2 && format !== 'html' && format !== 'md') {
    throw new TrainioError(
      'USAGE',
      `comparing two sessions works with --format html or md, not ${format}: export each session separately.`,
    );
  }
  const files = await renderFiles(format, reports, outFile, options);
  await mkdir(dirname(outFile), { recursive: true });
  for (const [file, text] of files) await writeAtomically(file, text);
  return files.map(([file]) => file);
}

async function renderFiles(
  format: ReportFormat,
  reports: SessionReport[],
  outFile: string,
  options: ExportOptions,
): Promise<[string, string][]> {
  const [a, b] = reports;
  switch (format) {
    case 'json':
      return [[outFile, renderJson(a)]];
    case 'md':
      return [[outFile, b ? renderComparisonMarkdown(a, b) : renderMarkdown(a)]];
    case 'html': {
      if (b) return [[outFile, renderComparisonHtml(a, b)]];
      const assets = await loadPanelAssets(options.assetsRoot ?? findAssetsRoot());
      return [[outFile, renderHtml(a, assets, { thresholds: options.thresholds })]];
    }
    case 'csv': {
      const tables = renderCsv(a);
      const names = csvFileNames(outFile);
      return [
        [names.series, tables.series],
        [names.epochs, tables.epochs],
        [names.checkpoints, tables.checkpoints],
      ];
    }
    case 'trace':
      return [[outFile, renderTraceJson(a)]];
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
