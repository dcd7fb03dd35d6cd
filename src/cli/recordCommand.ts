/**
 * `trainio record`: argv → RecordRequest → Recorder; live progress on a TTY, a final summary,
 * Ctrl-C stops cleanly (exit 130). A launched job that fails makes the command fail too.
 */
import { resolve } from 'node:path';
import { TrainioError } from '../core/errors';
import { Recorder, type RecordRequest } from '../core/session/recorder';
import type { SessionReport } from '../shared/model';
import { withDefaults } from '../shared/settings';
import { flag, listValue, numberValue, parse, splitAtDashDash, stringValue } from './args';
import { progressLine, summaryParagraph } from './summaryText';
import { isRootAlive as isRunning } from '../core/session/rootWatch';
import { sayFileWarnings } from './fileWarnings';
import { sayFoundPaths } from './pathNotes';
import { absorbUncaught } from './uncaught';
import { RECORD_HELP } from './usage';
import { DEFAULT_FALLBACK_AFTER_S, moveWhenStopped } from './fallbackOut';
import { closeMetrics, METRICS_OPTIONS, openMetrics } from './metricsOptions';

export const EXIT_INTERRUPTED = 130;

const OPTIONS = {
  out: { type: 'string' },
  pid: { type: 'string' },
  dataset: { type: 'string', multiple: true },
  checkpoints: { type: 'string', multiple: true },
  interval: { type: 'string' },
  duration: { type: 'string' },
  'no-hook': { type: 'boolean' },
  'hook-out': { type: 'string' },
  'fallback-out': { type: 'string' },
  'fallback-after': { type: 'string' },
  ...METRICS_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

export async function recordCommand(argv: string[]): Promise<number> {
  const [own, command] = splitAtDashDash(argv);
  const p = parse('record', own, OPTIONS, false);
  if (flag(p, 'help')) {
    process.stdout.write(RECORD_HELP + '\n');
    return 0;
  }
  const out = stringValue(p, 'out');
  if (!out) throw new TrainioError('USAGE', 'record: --out SESSION is required (see trainio record --help)');
  const pid = numberValue('record', p, 'pid', { integer: true, min: 1 });
  if (pid !== undefined && command !== undefined) {
    throw new TrainioError('USAGE', 'record: give either --pid PID or -- CMD ARGS..., not both');
  }
  if (pid === undefined && (command === undefined || command.length === 0)) {
    throw new TrainioError('USAGE', 'record: give --pid PID or -- CMD ARGS... (see trainio record --help)');
  }
  const interval = numberValue('record', p, 'interval', { integer: true, min: 10 });
  const hookOut = stringValue(p, 'hook-out');
  const request: RecordRequest = {
    target: pid !== undefined ? { pid } : { command: command ?? [], cwd: process.cwd(), env: process.env },
    out: resolve(out),
    datasets: listValue(p, 'dataset').map((d) => resolve(d)),
    checkpoints: listValue(p, 'checkpoints').map((d) => resolve(d)),
    settings: withDefaults(interval !== undefined ? { treeIntervalMs: interval } : {}),
    durationS: numberValue('record', p, 'duration', { min: 0 }),
    hook: !flag(p, 'no-hook'),
    hookOut: hookOut ? resolve(hookOut) : undefined,
    stdio: 'inherit',
    findPaths: true,
  };
  const fallbackOut = stringValue(p, 'fallback-out');
  const fallbackAfterS = numberValue('record', p, 'fallback-after', { min: 0 }) ?? DEFAULT_FALLBACK_AFTER_S;
  const metrics = await openMetrics(p, request.settings);
  let recorded: Awaited<ReturnType<typeof recordSession>> | undefined;
  try {
    recorded = await recordSession(request, {
      progress: process.stderr.isTTY === true,
      onStart: (recorder) => metrics?.attach(recorder),
      fallback: fallbackOut ? { file: resolve(fallbackOut), afterS: fallbackAfterS } : undefined,
    });
  } finally {
    if (metrics) await closeMetrics(metrics, recorded?.report);
  }
  const { report, interrupted } = recorded;
  process.stdout.write(summaryParagraph(report, report.ended?.file?.path ?? request.out) + '\n');
  if (report.ended?.reason !== 'exited' && report.target.mode === 'launch' && isRunning(report.target.pid)) {
    process.stderr.write(`trainio: recording stopped; the job (PID ${report.target.pid}) keeps running\n`);
  }
  if (interrupted) return EXIT_INTERRUPTED;
  return exitCodeOf(report, request.target);
}

export interface RecordIo {
  /** rewrite one progress line on stderr every second */
  progress: boolean;
  /** called once the target runs (e.g. to pipe a launched job's output somewhere) */
  onStart?: (recorder: Recorder) => void;
  /** move the session here when its file has stopped for `afterS` seconds (or on SIGUSR2) */
  fallback?: { file: string; afterS: number };
}

/** Runs a recording to its end; Ctrl-C stops it cleanly (a second Ctrl-C exits at once). */
export async function recordSession(
  request: RecordRequest,
  io: RecordIo,
): Promise<{ report: SessionReport; interrupted: boolean; recorder: Recorder }> {
  const recorder = await Recorder.start(request);
  io.onStart?.(recorder);
  const stopFileWarnings = sayFileWarnings(recorder);
  const stopPathNotes = sayFoundPaths(recorder);
  const stopFallback = io.fallback
    ? moveWhenStopped(recorder, io.fallback.file, io.fallback.afterS)
    : () => undefined;
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    void recorder.stop();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const stopProgress = io.progress ? showProgress(recorder) : () => undefined;
  const restore = absorbUncaught((e) => recorder.noteFailure(e));
  try {
    const report = await recorder.finished;
    return { report, interrupted, recorder };
  } finally {
    stopProgress();
    stopFileWarnings();
    stopPathNotes();
    stopFallback();
    restore();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

function showProgress(recorder: Recorder): () => void {
  let lastRchar = 0;
  let lastMs = Date.now();
  const timer = setInterval(() => {
    const r = recorder.report();
    const now = Date.now();
    const bps = ((r.totals.rchar - lastRchar) * 1000) / Math.max(1, now - lastMs);
    lastRchar = r.totals.rchar;
    lastMs = now;
    process.stderr.write(`\r\x1b[K${progressLine(r, bps)}`);
  }, 1000);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}

/** 0 when the job ended well (or was attached to), else a one-line reason and 1 */
function exitCodeOf(report: SessionReport, target: RecordRequest['target']): number {
  const end = report.ended;
  if ('pid' in target || !end || end.reason !== 'exited') return 0;
  if (end.signal) {
    process.stderr.write(
      `trainio: the job was killed by ${end.signal} after ${report.durationS.toFixed(1)} s; the session keeps what was recorded until then\n`,
    );
    return 1;
  }
  if (end.exitCode !== 0 && end.exitCode !== undefined && end.exitCode !== null) {
    process.stderr.write(`trainio: the job exited with code ${end.exitCode}\n`);
    return 1;
  }
  return 0;
}
