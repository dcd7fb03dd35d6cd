/**
 * Every field of every record read back from a session file is checked before it reaches the
 * analyses: one table per record type, one check per field. The table's type lists every field of
 * every record type in src/shared/model.ts, so a record type or field added there without its check
 * here fails the typecheck. A record with a bad field is refused (the reader skips it and says so);
 * a record type this version does not know is reported as unknown, not as damage.
 */
import type { SessionRecord, SessionRecordType } from '../../shared/model';
import { RECORDING_SCHEMA } from '../../shared/model';
import { DEFAULTS, type Settings } from '../../shared/settings';
import {
  amount,
  bool,
  isPlainObject,
  listOf,
  nullable,
  oneOf,
  optional,
  shape,
  text,
  time,
  whole,
  type Check,
} from './fieldChecks';

type RecordOf<T extends SessionRecordType> = Extract<SessionRecord, { type: T }>;
/** a check for each field of a record type (`type` itself is the table's key) */
type FieldTable<R> = { readonly [K in Exclude<keyof R, 'type'>]-?: Check };
type RecordTable = { readonly [T in SessionRecordType]: FieldTable<RecordOf<T>> };

const io = shape({
  rchar: amount,
  wchar: amount,
  readBytes: amount,
  writeBytes: amount,
  majorFaults: amount,
});
const site = optional(shape({ file: text, line: whole }));
const rank = optional(whole);
const strings = listOf(text);
const settings: Check = (v) => (v === undefined || isPlainObject(v) ? undefined : 'not an object');

const env = shape({
  host: text,
  kernel: text,
  cpus: amount,
  memBytes: amount,
  python: optional(text),
  torch: optional(text),
  disks: optional(listOf(shape({ name: text, type: text, sizeBytes: amount }))),
  gpus: optional(strings),
});

const FIELDS: RecordTable = {
  header: {
    schema: oneOf(RECORDING_SCHEMA),
    startedAtMs: amount,
    target: shape({ mode: oneOf('attach', 'launch'), pid: whole, command: strings, cwd: optional(text) }),
    datasets: strings,
    checkpoints: strings,
    intervalMs: amount,
    hook: bool,
    env,
    settings,
  },
  tree: {
    s: time,
    ranks: optional(listOf(shape({ rank: whole, pid: whole, io, cpuS: amount, workers: amount }))),
    pids: listOf(whole),
    io,
    cpuS: amount,
    rssBytes: amount,
    workers: amount,
    workersRunning: optional(amount),
    workersIoWait: optional(amount),
    born: optional(shape({ s: time, io })),
  },
  rank: {
    s: time,
    rank: whole,
    pid: whole,
    localRank: optional(whole),
    worldSize: optional(whole),
    source: oneOf('env', 'hook', 'order'),
    launcher: optional(text),
  },
  proc: {
    s: time,
    event: oneOf('spawn', 'exit'),
    pid: whole,
    ppid: whole,
    comm: text,
    worker: optional(bool),
    startMethod: optional(oneOf('fork', 'spawn', 'forkserver')),
  },
  stall: {
    s: time,
    rank,
    pid: optional(whole),
    windowS: amount,
    method: oneOf('exact', 'estimated'),
    waitS: amount,
    loopS: amount,
    batches: optional(amount),
    confidence: oneOf('high', 'medium', 'low'),
    handoffS: optional(amount),
    fetchS: optional(amount),
    prepS: optional(amount),
    missing: optional(strings),
  },
  loader: {
    s: time,
    id: whole,
    pid: whole,
    rank,
    site,
    numWorkers: amount,
    batchSize: optional(amount),
    pinMemory: optional(bool),
    persistentWorkers: optional(bool),
    prefetchFactor: optional(amount),
    datasetLen: optional(amount),
    datasetClass: optional(text),
  },
  epochMark: {
    s: time,
    source: oneOf('hook', 'respawn', 'reopen'),
    loaderId: optional(whole),
    rank,
    pid: optional(whole),
    previousEpochFiles: optional(amount),
  },
  epochWaits: {
    s: time,
    endS: time,
    loaderId: optional(whole),
    rank,
    iterS: amount,
    firstNextS: nullable(amount),
    typicalNextS: nullable(amount),
    stopS: nullable(amount),
    batches: amount,
  },
  save: {
    startS: time,
    endS: time,
    path: text,
    bytes: amount,
    source: oneOf('hook', 'burst'),
    site,
    rank,
  },
  fs: {
    s: time,
    event: oneOf('add', 'change', 'unlink'),
    root: oneOf('dataset', 'checkpoint'),
    path: text,
    bytes: amount,
    mtimeS: optional(time),
  },
  opens: {
    s: time,
    count: amount,
    distinctFiles: amount,
    epoch: optional(amount),
    epochFiles: optional(amount),
    bytes: optional(amount),
    firstS: optional(time),
    lastS: optional(time),
  },
  mapped: {
    s: time,
    files: amount,
    mappedBytes: amount,
    heldBytes: amount,
    residentBytes: amount,
    processes: amount,
    majorFaults: amount,
    minorFaults: amount,
    paths: optional(strings),
  },
  dataset: {
    s: time,
    path: text,
    files: amount,
    bytes: amount,
    dirs: amount,
    histogram: listOf(shape({ le: nullable(amount), count: amount, bytes: amount })),
    largestDirs: listOf(shape({ path: text, files: amount })),
    indexS: amount,
    partial: bool,
    unreadableDirs: optional(amount),
    symlinks: optional(amount),
  },
  residency: {
    s: time,
    path: text,
    sampledFiles: amount,
    sampledBytes: amount,
    residentBytes: amount,
  },
  system: {
    s: time,
    diskReadBytes: amount,
    diskWriteBytes: amount,
    memTotalBytes: amount,
    memAvailableBytes: amount,
    pageCacheBytes: amount,
    cpuPct: amount,
  },
  gpu: { s: time, index: whole, utilPct: amount, memUsedBytes: amount },
  note: {
    s: time,
    level: oneOf('info', 'warning'),
    message: text,
    about: optional(oneOf('session-file', 'paths')),
  },
  health: {
    s: time,
    id: oneOf('shm', 'fds', 'worker-memory', 'memory', 'worker-died', 'loader-error'),
    severity: oneOf('info', 'warning', 'critical'),
    value: amount,
    limit: amount,
    unit: oneOf('bytes', 'fds', 'count'),
    message: text,
    pid: optional(whole),
    signal: optional(text),
    recovered: optional(bool),
    oomKills: optional(whole),
  },
  runtime: { s: time, pid: whole, python: optional(text), torch: optional(text) },
  end: {
    s: time,
    reason: oneOf('exited', 'stopped', 'duration', 'lost'),
    exitCode: optional(nullable(whole)),
    signal: optional(nullable(text)),
    stderrTail: optional(text),
    file: optional(
      shape({
        writtenRecords: amount,
        lostRecords: amount,
        error: optional(text),
        stoppedAtS: optional(time),
        resumedAtS: optional(time),
        lostFromS: optional(time),
        lostToS: optional(time),
        path: optional(text),
        movedFrom: optional(text),
        movedAtS: optional(time),
      }),
    ),
  },
};

export type CheckedRecord =
  | { kind: 'record'; record: SessionRecord }
  /** a record type this version does not know (a newer trainio wrote it): skipped, not damage */
  | { kind: 'unknown'; type: string }
  | { kind: 'bad'; reason: string };

export function isKnownRecordType(type: string): type is SessionRecordType {
  return Object.prototype.hasOwnProperty.call(FIELDS, type);
}

/** Checks one parsed JSON line against its record type's table. */
export function checkRecord(value: unknown): CheckedRecord {
  if (!isPlainObject(value)) return { kind: 'bad', reason: 'not a session record' };
  const type = value.type;
  if (typeof type !== 'string') return { kind: 'bad', reason: 'not a session record (no type)' };
  if (!isKnownRecordType(type)) return { kind: 'unknown', type };
  const fields = FIELDS[type] as Readonly<Record<string, Check>>;
  for (const [name, check] of Object.entries(fields)) {
    const bad = check(value[name]);
    if (bad)
      return {
        kind: 'bad',
        reason: `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} record with a bad ${name}${fieldTail(bad)}`,
      };
  }
  const record = (type === 'header' ? withCleanSettings(value) : value) as unknown as SessionRecord;
  return { kind: 'record', record };
}

function fieldTail(bad: string): string {
  return bad.startsWith('.') || bad.startsWith('[') ? bad : ` (${bad})`;
}

/**
 * A header's saved settings, keeping only the known ones with the type of their default: a damaged
 * setting falls back to the default rather than refusing the whole session.
 */
function withCleanSettings(header: Record<string, unknown>): Record<string, unknown> {
  const saved = header.settings;
  if (!isPlainObject(saved)) return header;
  const clean: Partial<Record<keyof Settings, unknown>> = {};
  for (const key of Object.keys(DEFAULTS) as (keyof Settings)[]) {
    const value = saved[key];
    if (value === undefined) continue;
    const def: unknown = DEFAULTS[key];
    const ok = Array.isArray(def)
      ? Array.isArray(value) && value.every((x) => typeof x === 'string')
      : typeof def === 'number'
        ? amount(value) === undefined
        : typeof value === typeof def;
    if (ok) clean[key] = value;
  }
  return { ...header, settings: clean };
}
