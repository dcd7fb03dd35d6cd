/**
 * `trainio demo`: makes a small dataset, records the bundled sample job (launch mode with the hook)
 * and writes the session and its reports, then shows the headline numbers next to the job's own
 * ground truth.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TrainioError } from '../core/errors';
import { exportReport, type ReportFormat } from '../core/report/index';
import type { SessionReport } from '../shared/model';
import { withDefaults } from '../shared/settings';
import { flag, parse, stringValue } from './args';
import { chooseDemoJob, DEMO_DATASET, makeDatasetCommand, trainCommand } from './demoJob';
import { EXIT_INTERRUPTED, recordSession } from './recordCommand';
import { summaryParagraph } from './summaryText';
import { DEMO_HELP } from './usage';

/**
 * Where the demo writes when no --out-dir is given, relative to the working directory. In the
 * repository it is ignored by git, prettier, eslint and the package files (a test checks it).
 */
export const DEFAULT_DEMO_DIR = 'trainio-demo';

const OPTIONS = {
  'out-dir': { type: 'string' },
  python: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function demoCommand(argv: string[]): Promise<number> {
  const p = parse('demo', argv, OPTIONS, false);
  if (flag(p, 'help')) {
    process.stdout.write(DEMO_HELP + '\n');
    return 0;
  }
  const dir = resolve(stringValue(p, 'out-dir') ?? DEFAULT_DEMO_DIR);
  const job = chooseDemoJob(stringValue(p, 'python'));
  const data = join(dir, 'data');
  const ckpt = join(dir, 'checkpoints');
  const truth = join(dir, 'truth.jsonl');
  const session = join(dir, 'session.trainio.jsonl');
  try {
    mkdirSync(dir, { recursive: true });
    for (const old of [data, ckpt, truth]) rmSync(old, { recursive: true, force: true });
    mkdirSync(ckpt, { recursive: true });
  } catch (e) {
    throw new TrainioError(
      'WRITE_FAILED',
      `cannot prepare ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  say(`making a dataset of ${DEMO_DATASET.files} files in ${data}`);
  const made = spawnSync(makeDatasetCommand(job, data)[0], makeDatasetCommand(job, data).slice(1), {
    encoding: 'utf8',
  });
  if (made.status !== 0)
    throw new TrainioError('LAUNCH_FAILED', `making the demo dataset failed: ${firstLine(made.stderr)}`);
  say(`recording ${job.torch ? 'the PyTorch' : 'the standard-library'} sample job (${job.python}), 3 epochs`);
  const log = join(dir, 'job.log');
  const { report, interrupted } = await recordSession(
    {
      target: { command: trainCommand(job, data, ckpt, truth), cwd: dir, env: process.env },
      out: session,
      datasets: [data],
      checkpoints: [ckpt],
      settings: withDefaults(),
      hook: true,
      stdio: 'pipe',
    },
    { progress: process.stderr.isTTY === true, onStart: (r) => pipeOutput(r.child, log) },
  );
  const written = [session, ...(await writeReports(report, dir))];
  process.stdout.write(summaryParagraph(report, session) + '\n');
  process.stdout.write(truthLine(report, truth) + '\n');
  process.stdout.write(`Files:\n${written.map((f) => `  ${f}`).join('\n')}\n`);
  if (interrupted) return EXIT_INTERRUPTED;
  if (report.ended?.exitCode !== 0) {
    process.stderr.write(`trainio: the sample job failed (see ${log})\n`);
    return 1;
  }
  return 0;
}

async function writeReports(report: SessionReport, dir: string): Promise<string[]> {
  const out: string[] = [];
  const formats: [ReportFormat, string][] = [
    ['json', 'report.json'],
    ['html', 'report.html'],
    ['md', 'report.md'],
  ];
  for (const [format, name] of formats) {
    try {
      out.push(...(await exportReport(format, [report], join(dir, name))));
    } catch (e) {
      say(`no ${format} report: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}

function pipeOutput(child: ChildProcess | undefined, log: string): void {
  if (!child) return;
  const file = createWriteStream(log);
  child.stdout?.pipe(file);
  child.stderr?.pipe(file);
}

/** the job's own measurements, to compare with the report */
function truthLine(report: SessionReport, truthFile: string): string {
  let lines: Record<string, unknown>[];
  try {
    lines = readFileSync(truthFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return 'The job wrote no ground truth.';
  }
  const end = lines.find((l) => l.ev === 'end');
  const epochs = lines.filter((l) => l.ev === 'epoch_start').length;
  const saves = lines.filter((l) => l.ev === 'ckpt').length;
  const stall = end ? (100 * Number(end.wait_s)) / Number(end.loop_s) : NaN;
  const measured = report.dataStall.pct === null ? '–' : report.dataStall.pct.toFixed(1);
  return (
    `Ground truth from the job: data stall ${Number.isFinite(stall) ? stall.toFixed(1) : '–'}% (trainio: ${measured}%), ` +
    `${epochs} epochs (trainio: ${report.epochs.length}), ${saves} checkpoints (trainio: ${report.checkpoints.length}).`
  );
}

function say(message: string): void {
  process.stderr.write(`trainio demo: ${message}\n`);
}

function firstLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
