/**
 * What to show next to a training script's code for one session: one annotation on each DataLoader
 * call ("Stall 23% (estimated) · num_workers=2 · …"), each `torch.save` ("5 checkpoints · 16.7 MB ·
 * 1.2 s lost") and the epoch loop ("3 epochs · epoch coverage 100% · 3.05 dataset passes · later
 * epochs 98% from page cache"), in the words of src/shared/vocabulary.ts.
 * Call sites recorded by the hook win over the parsed ones. Pure: the editor turns these into
 * CodeLenses, hovers and decorations.
 */
import { isAbsolute, resolve } from 'node:path';
import { savingsShort, savingsText } from '../../shared/adviceSavings';
import type { Advice, CallSite, CheckpointSummary, SessionReport } from '../../shared/model';
import type { PanelSection, Thresholds } from '../../shared/protocol';
import { coverageText, datasetPasses, epochName, passesPhrase, COVERAGE_NAME } from '../../shared/vocabulary';
import { formatBytes, formatSeconds } from '../report/units';
import { argumentValue } from './commandLinePaths';
import type { LoaderCall, SaveCall, TrainingScript } from './trainingScript';

export type AnnotationLevel = 'ok' | 'warning' | 'error';

export interface ScriptAnnotation {
  /** 1-based line */
  line: number;
  kind: 'loader' | 'save' | 'epoch';
  /** the one-line text (CodeLens title) */
  title: string;
  /** longer lines for a hover */
  details: string[];
  section: PanelSection;
  level: AnnotationLevel;
}

/** True when the session ran this file: a command argument or a recorded call site names it. */
export function sessionRanFile(report: SessionReport, file: string): boolean {
  const cwd = report.target.cwd;
  // without the job's cwd a relative script can only be matched by its trailing path
  const named = report.target.command.some(
    (arg) =>
      arg.endsWith('.py') &&
      (isAbsolute(arg) || cwd
        ? resolve(cwd ?? '/', arg) === file
        : file.endsWith(`/${arg.replace(/^\.\//, '')}`)),
  );
  const sites: (CallSite | undefined)[] = [
    ...report.loaders.map((l) => l.site),
    ...report.checkpoints.map((c) => c.site),
  ];
  return named || sites.some((s) => s?.file === file);
}

function stallLevel(pct: number | null, t: Thresholds): AnnotationLevel {
  if (pct === null) return 'ok';
  return pct >= t.errorPct ? 'error' : pct >= t.warningPct ? 'warning' : 'ok';
}

/** The parsed call whose lines contain the recorded line (Python may report any line of a call). */
function callAt<T extends { line: number; endLine: number }>(calls: T[], line: number): T | undefined {
  return calls.find((c) => line >= c.line && line <= c.endLine);
}

const LENS_ADVICE_CHARS = 70;

/** The action of an advice ("Raise num_workers…"): its last sentence, cut at a word to fit a lens. */
export function adviceAction(message: string): string {
  const sentences = message.split(/(?<=[.!?:])\s+(?=[A-Z])/);
  const action = sentences[sentences.length - 1].trim();
  if (action.length <= LENS_ADVICE_CHARS) return action;
  const cut = action.slice(0, LENS_ADVICE_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), LENS_ADVICE_CHARS / 2))}…`;
}

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

function loaderAdvice(advice: Advice[], file: string, call: LoaderCall): Advice | undefined {
  const here = advice.filter(
    (a) => a.site?.file === file && a.site.line >= call.line && a.site.line <= call.endLine,
  );
  const about = advice.filter((a) => !a.site && !/checkpoint|save/i.test(a.id));
  return [...here, ...about].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])[0];
}

function loaderAnnotations(
  script: TrainingScript,
  report: SessionReport,
  file: string,
  t: Thresholds,
): ScriptAnnotation[] {
  const recorded = report.loaders.filter((l) => l.site?.file === file);
  const calls = recorded.length
    ? recorded.map(
        (l) =>
          callAt(script.loaders, l.site!.line) ?? { line: l.site!.line, endLine: l.site!.line, column: 0 },
      )
    : script.loaders;
  const stall = report.dataStall;
  return calls.map((call) => {
    const seen = recorded.find((l) => l.site!.line >= call.line && l.site!.line <= call.endLine);
    const argv = report.target.command;
    const workers = seen ? String(seen.numWorkers) : argumentValue(call.numWorkers, script, argv);
    const parts = [stall.pct === null ? 'Stall —' : `Stall ${Math.round(stall.pct)}% (${stall.method})`];
    if (workers !== undefined) parts.push(`num_workers=${workers}`);
    const pin =
      seen?.pinMemory !== undefined
        ? seen.pinMemory
          ? 'True'
          : 'False'
        : argumentValue(call.pinMemory, script, argv);
    const advice = loaderAdvice(report.advice, file, call);
    if (advice) {
      const saves = savingsShort(advice);
      parts.push(`${adviceAction(advice.message)}${saves ? ` (${saves})` : ''}`);
    }
    const details = [
      stall.pct === null
        ? 'Data stall: not measured yet'
        : `Data stall ${stall.pct.toFixed(1)}% — ${stall.method}, ${stall.confidence} confidence`,
      `num_workers=${workers ?? 'default (0)'} · pin_memory=${pin ?? 'False'} · persistent_workers=${
        seen?.persistentWorkers !== undefined
          ? seen.persistentWorkers
            ? 'True'
            : 'False'
          : (argumentValue(call.persistentWorkers, script, argv) ?? 'False')
      }`,
      ...(stall.fetchPct != null && stall.prepPct != null
        ? [`waiting on file reads ${Math.round(stall.fetchPct)}% · on decoding ${Math.round(stall.prepPct)}%`]
        : []),
      ...report.advice
        .filter((a) => !/checkpoint|save/i.test(a.id))
        .map((a) => {
          const saves = savingsText(a);
          return `${a.severity}: ${a.message}${saves ? ` (${saves})` : ''}`;
        }),
    ];
    return {
      line: call.line,
      kind: 'loader',
      title: parts.join(' · '),
      details,
      section: 'stall',
      level: stallLevel(stall.pct, t),
    };
  });
}

function checkpointsOf(
  script: TrainingScript,
  report: SessionReport,
  file: string,
): Map<SaveCall, CheckpointSummary[]> {
  const byCall = new Map<SaveCall, CheckpointSummary[]>(script.saves.map((s) => [s, []]));
  const leftover: CheckpointSummary[] = [];
  for (const c of report.checkpoints) {
    const bySite = c.site?.file === file ? callAt(script.saves, c.site.line) : undefined;
    const byPath = script.saves.find((s) => s.path && c.path.endsWith(`/${s.path.replace(/^\.\//, '')}`));
    const call = bySite ?? byPath;
    if (call) byCall.get(call)!.push(c);
    else leftover.push(c);
  }
  const unmatched = script.saves.filter((s) => byCall.get(s)!.length === 0);
  if (leftover.length && unmatched.length === 1) byCall.get(unmatched[0])!.push(...leftover);
  return byCall;
}

function saveAnnotations(script: TrainingScript, report: SessionReport, file: string): ScriptAnnotation[] {
  const byCall = checkpointsOf(script, report, file);
  return script.saves.map((call) => {
    const saves = byCall.get(call)!;
    const bytes = saves.reduce((n, c) => n + c.bytes, 0);
    const lost = saves.reduce((n, c) => n + c.lostS, 0);
    const title = saves.length
      ? `${saves.length} checkpoint${saves.length === 1 ? '' : 's'} · ${formatBytes(bytes)} · ${formatSeconds(lost)} lost`
      : 'No checkpoint written yet';
    const last = saves[saves.length - 1];
    const details = saves.length
      ? [
          `${saves.length} saves, ${formatBytes(bytes)} in all, ${formatSeconds(lost)} of training lost while writing`,
          `last: ${last.path} (${formatBytes(last.bytes)}, ${formatSeconds(last.durationS)}, seen by ${last.source})`,
        ]
      : ['No checkpoint seen for this call in the session'];
    return { line: call.line, kind: 'save', title, details, section: 'checkpoints', level: 'ok' };
  });
}

/**
 * The epoch coverage (one epoch's bytes read ÷ dataset bytes; 1.00 = each byte once): the median over whole
 * epochs. An epoch cut by the session's start (no epoch mark: attached mid-epoch) or by its end (still running,
 * or recording stopped) is not whole; the last one is when the job exited by itself.
 */
export function rereadPerEpoch(report: SessionReport): number | null {
  if (report.reread.datasetBytes <= 0) return null;
  const whole = report.epochs.filter(
    (e, i) =>
      e.source !== 'session' && // no epoch mark: it began before the recording
      !(i === report.epochs.length - 1 && report.ended?.reason !== 'exited'),
  );
  if (whole.length === 0) return null;
  const factors = whole.map((e) => e.rereadFactor).sort((a, b) => a - b);
  const mid = factors.length >> 1;
  return factors.length % 2 ? factors[mid] : (factors[mid - 1] + factors[mid]) / 2;
}

function epochAnnotations(script: TrainingScript, report: SessionReport): ScriptAnnotation[] {
  const epochs = report.epochs;
  const later = epochs.filter((e) => e.index >= 1);
  const laterBytes = later.reduce((n, e) => n + e.bytesRead, 0);
  const laterCache =
    laterBytes > 0 ? later.reduce((n, e) => n + e.pageCacheHitPct * e.bytesRead, 0) / laterBytes : null;
  const parts = [`${epochs.length} epoch${epochs.length === 1 ? '' : 's'}`];
  const perEpoch = rereadPerEpoch(report);
  if (perEpoch !== null) parts.push(`${COVERAGE_NAME} ${coverageText(perEpoch)}`);
  const passes = datasetPasses(report);
  if (passes !== null) parts.push(passesPhrase(passes));
  if (laterCache !== null) parts.push(`later epochs ${Math.round(laterCache)}% from page cache`);
  else if (epochs.length) parts.push(`first epoch ${Math.round(epochs[0].pageCacheHitPct)}% from page cache`);
  const details = epochs.map(
    (e) =>
      `${epochName(report, e.index)}: ${formatSeconds(e.endS - e.startS)}, read ${formatBytes(e.bytesRead)} ` +
      `(coverage ${coverageText(e.rereadFactor)} of the dataset), ${Math.round(e.pageCacheHitPct)}% page cache` +
      (e.stallPct === null ? '' : `, stall ${Math.round(e.stallPct)}%`),
  );
  return script.epochLoops.map((loop) => ({
    line: loop.line,
    kind: 'epoch',
    title: parts.join(' · '),
    details: details.length ? details : ['No epoch boundary seen yet'],
    section: 'epochs',
    level: 'ok',
  }));
}

/** Everything to show in `file` (an absolute path) for one session. */
export function annotateScript(
  script: TrainingScript,
  report: SessionReport,
  file: string,
  thresholds: Thresholds,
): ScriptAnnotation[] {
  return [
    ...loaderAnnotations(script, report, file, thresholds),
    ...saveAnnotations(script, report, file),
    ...epochAnnotations(script, report),
  ].sort((a, b) => a.line - b.line);
}
