/**
 * `trainio report --merge SESSION...`: reads the session files of one job one at a time (each through
 * its own SessionAnalyzer, so memory holds one session's analyses plus a small row per rank, however
 * many files there are), merges their rows and writes the job report as html, md or json.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MergedReport, MergedRankRow } from '../../shared/mergedReport';
import type { SessionReport } from '../../shared/model';
import { TrainioError } from '../errors';
import { renderMergedHtml } from './mergeHtml';
import { renderMergedJson } from './mergeJson';
import { renderMergedMarkdown } from './mergeMarkdown';
import { mergeRows, rowsOf } from './mergeRows';

export type MergedFormat = 'html' | 'md' | 'json';

export const MERGED_FORMATS: readonly MergedFormat[] = ['html', 'md', 'json'];

export function isMergedFormat(x: unknown): x is MergedFormat {
  return typeof x === 'string' && (MERGED_FORMATS as readonly string[]).includes(x);
}

/** merges the sessions; `load` turns one file into its report (the session reader) */
export async function mergeSessionFiles(
  files: readonly string[],
  load: (file: string) => Promise<SessionReport>,
): Promise<MergedReport> {
  if (files.length === 0)
    throw new TrainioError('USAGE', 'report --merge: give the session files of the job');
  const rows: MergedRankRow[] = [];
  for (const file of files) rows.push(...rowsOf(await load(file), file));
  return mergeRows(rows, files.length);
}

export function renderMerged(format: MergedFormat, merged: MergedReport): string {
  switch (format) {
    case 'html':
      return renderMergedHtml(merged);
    case 'md':
      return renderMergedMarkdown(merged);
    case 'json':
      return renderMergedJson(merged);
  }
}

/** writes the merged report to a temporary name, then renames it into place */
export async function exportMergedReport(
  format: MergedFormat,
  merged: MergedReport,
  outFile: string,
): Promise<string> {
  const text = renderMerged(format, merged);
  await mkdir(dirname(outFile), { recursive: true });
  const temp = `${outFile}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, outFile);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  return outFile;
}
