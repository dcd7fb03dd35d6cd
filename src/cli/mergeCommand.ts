/** `trainio report --merge SESSION... --format html|md|json --out FILE`: one report for one job. */
import { resolve } from 'node:path';
import { TrainioError } from '../core/errors';
import {
  exportMergedReport,
  isMergedFormat,
  MERGED_FORMATS,
  mergeSessionFiles,
} from '../core/report/mergeSessions';
import { loadSession } from '../core/session/sessionReader';
import { stringValue, type Parsed } from './args';

export async function mergeCommand(p: Parsed): Promise<number> {
  const sessions = p.positionals;
  if (sessions.length === 0) {
    throw new TrainioError(
      'USAGE',
      'report --merge: give the session files of the job (e.g. node*/session.trainio.jsonl)',
    );
  }
  const format = stringValue(p, 'format');
  if (!isMergedFormat(format)) {
    const got = format === undefined ? 'none' : `"${format}"`;
    throw new TrainioError(
      'USAGE',
      `report --merge: --format must be one of ${MERGED_FORMATS.join(', ')} (got ${got})`,
    );
  }
  const out = stringValue(p, 'out');
  if (!out) throw new TrainioError('USAGE', 'report: --out FILE is required');
  // the file names as given: they name the nodes in the report; read one at a time
  const merged = await mergeSessionFiles(sessions, (file) => loadSession(resolve(file)));
  const file = await exportMergedReport(format, merged, resolve(out));
  process.stdout.write(
    `trainio: wrote ${file} (${merged.ranks.length} rank(s), job data stall ${merged.dataStall.pct ?? '—'}%)\n`,
  );
  return 0;
}
