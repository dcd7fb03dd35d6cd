/**
 * Runs damaged session files through the real reader and every report format, and says what went
 * wrong: a crash (any exception but a one-line SESSION_CORRUPT refusal), a refusal of a file whose
 * header is intact, or a value that leaked into the text (`undefined`, `NaN`, `Infinity`,
 * `[object Object]`). Shared by test/unit/session-fuzz.test.ts and bench/fuzz-sessions.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTrainioError } from '../../src/core/errors';
import {
  renderComparisonHtml,
  renderComparisonMarkdown,
  renderCsv,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderTraceJson,
} from '../../src/core/report/index';
import { loadSession } from '../../src/core/session/sessionReader';
import type { SessionReport } from '../../src/shared/model';
import type { Mutant } from './sessionMutants';

/** what may never appear in a report: a value that was not formatted */
export const LEAK = /\bundefined\b|\bNaN\b|-?\bInfinity\b|\[object Object\]/;

/**
 * The panel's script and stylesheet are the same static files for every session (and hold the word
 * "undefined" in their own code); the report around them is what a session's data can change.
 */
const NO_ASSETS = { script: '/* panel bundle */', css: '' };

export interface FuzzOutcome {
  seed: number;
  kinds: string[];
  headerIntact: boolean;
  /** a one-line SESSION_CORRUPT error */
  refused?: string;
  crash?: string;
  /** format: the leaked text around the match */
  leaks: string[];
  /** damaged lines the report noted */
  notes: string[];
  ms: number;
}

export function renderAll(report: SessionReport, original: SessionReport): Record<string, string> {
  const csv = renderCsv(report);
  return {
    json: renderJson(report),
    md: renderMarkdown(report),
    csv: `${csv.series}\n${csv.epochs}\n${csv.checkpoints}`,
    trace: renderTraceJson(report),
    html: renderHtml(report, NO_ASSETS),
    'md-compare': renderComparisonMarkdown(original, report),
    'html-compare': renderComparisonHtml(original, report),
  };
}

export async function fuzzOne(mutant: Mutant, dir: string, original: SessionReport): Promise<FuzzOutcome> {
  const file = join(dir, `mutant-${mutant.seed}.trainio.jsonl`);
  writeFileSync(file, mutant.bytes);
  const started = performance.now();
  const outcome: FuzzOutcome = {
    seed: mutant.seed,
    kinds: mutant.kinds,
    headerIntact: mutant.headerIntact,
    leaks: [],
    notes: [],
    ms: 0,
  };
  let report: SessionReport;
  try {
    report = await loadSession(file);
  } catch (e) {
    outcome.ms = performance.now() - started;
    if (isTrainioError(e) && e.code === 'SESSION_CORRUPT' && !e.message.includes('\n')) {
      outcome.refused = e.message;
    } else outcome.crash = `load: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    return outcome;
  }
  outcome.notes = report.notes.map((n) => n.message);
  try {
    for (const [format, text] of Object.entries(renderAll(report, original))) {
      const m = LEAK.exec(text);
      if (m) outcome.leaks.push(`${format}: …${text.slice(Math.max(0, m.index - 80), m.index + 30)}…`);
    }
  } catch (e) {
    outcome.crash = `render: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  outcome.ms = performance.now() - started;
  return outcome;
}
