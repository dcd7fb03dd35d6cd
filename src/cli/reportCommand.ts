/** `trainio report SESSION [SESSION2] --format F --out FILE` */
import { resolve } from 'node:path';
import { TrainioError } from '../core/errors';
import { exportReport, isReportFormat, REPORT_FORMATS } from '../core/report/index';
import { loadSession } from '../core/session/sessionReader';
import type { SalvageNote } from '../core/session/salvageLog';
import { flag, parse, stringValue } from './args';
import { REPORT_HELP } from './usage';
import { mergeCommand } from './mergeCommand';

const OPTIONS = {
  format: { type: 'string' },
  out: { type: 'string' },
  strict: { type: 'boolean' },
  merge: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function reportCommand(argv: string[]): Promise<number> {
  const p = parse('report', argv, OPTIONS, true);
  if (flag(p, 'help')) {
    process.stdout.write(REPORT_HELP + '\n');
    return 0;
  }
  if (flag(p, 'merge')) return mergeCommand(p);
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
  const strict = flag(p, 'strict');
  for (const s of sessions) {
    // what reading had to skip is in the report's notes, and said on stderr too
    const onSkipped = (notes: SalvageNote[]): void => {
      for (const n of notes) process.stderr.write(`trainio: ${s}: ${n.message}\n`);
    };
    reports.push(await loadSession(resolve(s), { strict, onSkipped }));
  }
  const files = await exportReport(format, reports, resolve(out));
  process.stdout.write(`trainio: wrote ${files.join(', ')}\n`);
  return 0;
}
