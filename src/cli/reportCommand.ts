/** `trainio report SESSION [SESSION2] --format F --out FILE` */
import { resolve } from 'node:path';
import { TrainioError } from '../core/errors';
import { exportReport, isReportFormat, REPORT_FORMATS } from '../core/report/index';
import { loadSession } from '../core/session/sessionReader';
import { flag, parse, stringValue } from './args';
import { REPORT_HELP } from './usage';

const OPTIONS = {
  format: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function reportCommand(argv: string[]): Promise<number> {
  const p = parse('report', argv, OPTIONS, true);
  if (flag(p, 'help')) {
    process.stdout.write(REPORT_HELP + '\n');
    return 0;
  }
  const sessions = p.positionals;
  if (sessions.length === 0 || sessions.length > 2) {
    throw new TrainioError(
      'USAGE',
      'report: give one SESSION file, or two to compare (see trainio report --help)',
    );
  }
  const format = stringValue(p, 'format');
  if (!isReportFormat(format)) {
    const got = format === undefined ? 'none' : `"${format}"`;
    throw new TrainioError(
      'USAGE',
      `report: --format must be one of ${REPORT_FORMATS.join(', ')} (got ${got})`,
    );
  }
  const out = stringValue(p, 'out');
  if (!out) throw new TrainioError('USAGE', 'report: --out FILE is required');
  const reports = [];
  for (const s of sessions) reports.push(await loadSession(resolve(s)));
  const files = await exportReport(format, reports, resolve(out));
  process.stdout.write(`trainio: wrote ${files.join(', ')}\n`);
  return 0;
}
