/**
 * Reopens a session file: streams its records through a SessionAnalyzer, so the report equals the
 * one the live session showed. A missing file, a file that is not a trainio session, or a bad line in
 * the middle are one-line TrainioErrors; a truncated last line (the recorder was killed while
 * writing) is tolerated and noted in the report.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { RECORDING_SCHEMA, type SessionRecord, type SessionReport } from '../../shared/model';
import { SessionAnalyzer, type AnalyzerOptions } from '../analysis/sessionAnalyzer';
import { TrainioError } from '../errors';

export interface RecordLine {
  record: SessionRecord;
  /** 1-based line number in the file */
  line: number;
}

export interface ReadOptions {
  /** called when the last line is cut short and was skipped */
  onTruncated?: (line: number) => void;
}

/** The records of a session file, header first, validated as they are read. */
export async function* readRecords(file: string, options: ReadOptions = {}): AsyncGenerator<RecordLine> {
  await checkFile(file);
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  let pending: { text: string; line: number } | undefined;
  let sawHeader = false;
  for await (const text of lines) {
    n++;
    if (pending) {
      const r = parseLine(file, pending.text, pending.line, sawHeader);
      sawHeader = true;
      if (r) yield { record: r, line: pending.line };
    }
    pending = text.trim() === '' ? undefined : { text, line: n };
    if (!sawHeader && !pending && n === 1) throw corrupt(file, 1, 'the first line is empty');
  }
  if (pending) {
    let last: SessionRecord | undefined;
    try {
      last = parseLine(file, pending.text, pending.line, sawHeader);
    } catch (e) {
      if (!sawHeader) throw e;
      options.onTruncated?.(pending.line);
      return;
    }
    sawHeader = true;
    if (last) yield { record: last, line: pending.line };
  }
  if (!sawHeader) throw new TrainioError('SESSION_CORRUPT', `${file} is empty: not a trainio session`);
}

/** Loads a session file into its report. */
export async function loadSession(file: string, options: AnalyzerOptions = {}): Promise<SessionReport> {
  const analyzer = new SessionAnalyzer(options);
  let truncatedAt: number | undefined;
  let sawEnd = false;
  for await (const { record } of readRecords(file, { onTruncated: (line) => (truncatedAt = line) })) {
    analyzer.add(record);
    if (record.type === 'end') sawEnd = true;
  }
  if (truncatedAt !== undefined) {
    analyzer.noteOnce(
      'warning',
      `the session file was cut short at line ${truncatedAt} (the recorder was stopped while writing); it covers ${analyzer.durationS.toFixed(1)} s`,
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

function parseLine(file: string, text: string, line: number, sawHeader: boolean): SessionRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (!sawHeader) throw corrupt(file, line, 'not a trainio session (the first line is not JSON)');
    throw corrupt(file, line, 'invalid JSON');
  }
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') {
    throw corrupt(file, line, sawHeader ? 'not a session record' : 'not a trainio session');
  }
  const record = value as SessionRecord;
  if (!sawHeader) {
    if (record.type !== 'header') throw corrupt(file, line, 'not a trainio session (no header line)');
    if (record.schema !== RECORDING_SCHEMA) {
      throw corrupt(file, line, `unsupported recording schema ${JSON.stringify(record.schema)}`);
    }
    return record;
  }
  if (record.type === 'header') throw corrupt(file, line, 'a second header');
  const time = record.type === 'save' ? record.endS : (record as { s?: unknown }).s;
  if (KNOWN_TYPES.has(record.type) && (typeof time !== 'number' || !Number.isFinite(time))) {
    throw corrupt(file, line, `a ${record.type} record without its time`);
  }
  return KNOWN_TYPES.has(record.type) ? record : undefined;
}

const KNOWN_TYPES = new Set<string>([
  'tree',
  'proc',
  'stall',
  'loader',
  'epochMark',
  'save',
  'fs',
  'opens',
  'dataset',
  'residency',
  'system',
  'gpu',
  'note',
  'end',
]);

function corrupt(file: string, line: number, what: string): TrainioError {
  return new TrainioError('SESSION_CORRUPT', `${file} line ${line}: ${what}`);
}
