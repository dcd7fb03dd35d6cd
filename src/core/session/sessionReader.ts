/**
 * Reopens a session file: streams its records through a SessionAnalyzer, so the report equals the
 * one the live session showed. Only a file whose header cannot be read is refused (a one-line
 * TrainioError); every later line that is damaged — not JSON, a field of the wrong type, a second
 * header — is skipped and noted with its line number, as are samples out of time order and a last
 * line cut short. `strict` keeps the old refusal of a damaged line.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { RECORDING_SCHEMA, type SessionRecord, type SessionReport } from '../../shared/model';
import { SessionAnalyzer, type AnalyzerOptions } from '../analysis/sessionAnalyzer';
import { TrainioError } from '../errors';
import { isPlainObject } from './fieldChecks';
import { checkRecord } from './recordValidation';
import { SalvageLog, type SalvageNote } from './salvageLog';

export interface RecordLine {
  record: SessionRecord;
  /** 1-based line number in the file */
  line: number;
}

export interface ReadOptions {
  /** refuse the file at its first damaged line (as `trainio report --strict`) */
  strict?: boolean;
  /** what was skipped; filled as the file is read */
  salvage?: SalvageLog;
  /** called when the last line is cut short and was skipped */
  onTruncated?: (line: number) => void;
}

export interface LoadOptions extends AnalyzerOptions {
  strict?: boolean;
  /** called once with the notes on what had to be skipped (not called when nothing was) */
  onSkipped?: (notes: SalvageNote[]) => void;
}

/** sampled series whose values are cumulative: one older than the one before it cannot be placed */
const ORDERED_TYPES = new Set<string>(['tree', 'system', 'opens']);

/** The records of a session file, header first, each validated field by field. */
export async function* readRecords(file: string, options: ReadOptions = {}): AsyncGenerator<RecordLine> {
  await checkFile(file);
  const salvage = options.salvage ?? new SalvageLog();
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const lastOfType = new Map<string, number>();
  let n = 0;
  let pending: { text: string; line: number } | undefined;
  let sawHeader = false;
  const take = (text: string, line: number, isLast: boolean): SessionRecord | undefined => {
    if (!sawHeader) {
      const header = readHeader(file, text, line);
      sawHeader = true;
      return header;
    }
    const r = readBody(text);
    if (r.kind === 'truncated' && isLast) {
      salvage.truncatedAt = line;
      options.onTruncated?.(line);
      return undefined;
    }
    if (r.kind === 'truncated' || r.kind === 'bad') {
      const reason = r.kind === 'bad' ? r.reason : 'invalid JSON';
      if (options.strict) throw corrupt(file, line, reason);
      salvage.damagedLine(line, reason);
      return undefined;
    }
    if (r.kind === 'unknown') {
      salvage.unknownRecord(line, r.type);
      return undefined;
    }
    const record = r.record;
    if (ORDERED_TYPES.has(record.type)) {
      const s = (record as { s: number }).s;
      const before = lastOfType.get(record.type);
      if (before !== undefined && s < before) {
        salvage.outOfOrderRecord(line, record.type);
        return undefined;
      }
      lastOfType.set(record.type, s);
    }
    return record;
  };
  for await (const text of lines) {
    n++;
    if (pending) {
      const r = take(pending.text, pending.line, false);
      if (r) yield { record: r, line: pending.line };
    }
    pending = text.trim() === '' ? undefined : { text, line: n };
    if (!sawHeader && !pending && n === 1) throw corrupt(file, 1, 'the first line is empty');
  }
  if (pending) {
    const r = take(pending.text, pending.line, true);
    if (r) yield { record: r, line: pending.line };
  }
  if (!sawHeader) throw new TrainioError('SESSION_CORRUPT', `${file} is empty: not a trainio session`);
}

/** Loads a session file into its report; what had to be skipped is in the report's notes. */
export async function loadSession(file: string, options: LoadOptions = {}): Promise<SessionReport> {
  const { strict, onSkipped, ...analyzerOptions } = options;
  const analyzer = new SessionAnalyzer(analyzerOptions);
  const salvage = new SalvageLog();
  let sawEnd = false;
  for await (const { record } of readRecords(file, { strict, salvage })) {
    analyzer.add(record);
    if (record.type === 'end') sawEnd = true;
  }
  const skipped = salvage.notes();
  for (const note of skipped) analyzer.noteOnce(note.level, note.message);
  if (skipped.length) onSkipped?.(skipped);
  if (salvage.truncatedAt !== undefined) {
    analyzer.noteOnce(
      'warning',
      `the session file was cut short at line ${salvage.truncatedAt} (the recorder was stopped while writing); it covers ${analyzer.durationS.toFixed(1)} s`,
    );
  } else if (!sawEnd) {
    analyzer.noteOnce(
      'warning',
      `the session has no end record (the recorder did not finish); it covers ${analyzer.durationS.toFixed(1)} s`,
    );
  }
  return analyzer.report();
}

async function checkFile(file: string): Promise<void> {
  try {
    const st = await stat(file);
    if (st.isDirectory())
      throw new TrainioError('SESSION_NOT_FOUND', `${file} is a folder, not a session file`);
  } catch (e) {
    if (e instanceof TrainioError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TrainioError('SESSION_NOT_FOUND', `no session file at ${file}`);
    throw new TrainioError('SESSION_NOT_FOUND', `cannot read the session file ${file}: ${code ?? String(e)}`);
  }
}

/** The first line: a header this version reads, or the file is refused. */
function readHeader(file: string, text: string, line: number): SessionRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt(file, line, 'not a trainio session (the first line is not JSON)');
  }
  if (!isPlainObject(value) || typeof value.type !== 'string')
    throw corrupt(file, line, 'not a trainio session');
  if (value.type !== 'header') throw corrupt(file, line, 'not a trainio session (no header line)');
  if (value.schema !== RECORDING_SCHEMA) {
    throw corrupt(file, line, `unsupported recording schema ${JSON.stringify(value.schema) ?? 'undefined'}`);
  }
  const checked = checkRecord(value);
  if (checked.kind !== 'record') {
    const why = checked.kind === 'bad' ? checked.reason : 'not a header';
    throw corrupt(file, line, `the header cannot be read: ${why}`);
  }
  return checked.record;
}

type BodyLine =
  | { kind: 'record'; record: SessionRecord }
  | { kind: 'unknown'; type: string }
  | { kind: 'bad'; reason: string }
  /** not JSON: cut short (tolerated as the last line) or garbage */
  | { kind: 'truncated' };

function readBody(text: string): BodyLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'truncated' };
  }
  const checked = checkRecord(value);
  if (checked.kind === 'record' && checked.record.type === 'header')
    return { kind: 'bad', reason: 'a second header' };
  return checked;
}

function corrupt(file: string, line: number, what: string): TrainioError {
  return new TrainioError('SESSION_CORRUPT', `${file} line ${line}: ${what}`);
}
