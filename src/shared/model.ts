/**
 * The data model every layer shares: the records of a session file and the report built from them.
 *
 * A session is a stream of `SessionRecord`s. The recorder writes them to disk as JSON lines while it
 * runs and feeds the very same records to the analyses, so a session file reopened later produces
 * exactly the report the live session showed. Times (`s`) are seconds since the session start;
 * byte counts are integers.
 */

import type { Settings } from './settings';

export const RECORDING_SCHEMA = 'trainio.recording/1';
export const REPORT_SCHEMA = 'trainio.session/1';

export type MeasurementMode = 'attach' | 'launch';
export type StallMethod = 'exact' | 'estimated';
export type Confidence = 'high' | 'medium' | 'low';
export type Severity = 'info' | 'warning' | 'critical';

/** A place in the user's code (from the hook's call sites or from parsing the source). */
export interface CallSite {
  file: string;
  line: number;
}

export interface TargetInfo {
  mode: MeasurementMode;
  pid: number;
  command: string[];
  cwd?: string;
}

export interface EnvironmentInfo {
  host: string;
  kernel: string;
  cpus: number;
  memBytes: number;
  python?: string;
  torch?: string;
  disks?: { name: string; type: string; sizeBytes: number }[];
  gpus?: string[];
}

/** Cumulative I/O counters of the whole process tree since the session start (never decreasing). */
export interface IoCounters {
  /** bytes returned by read calls (page-cache hits included) */
  rchar: number;
  wchar: number;
  /** bytes fetched from storage */
  readBytes: number;
  /** write_bytes − cancelled_write_bytes */
  writeBytes: number;
  majorFaults: number;
}

export interface HeaderRecord {
  type: 'header';
  schema: typeof RECORDING_SCHEMA;
  startedAtMs: number;
  target: TargetInfo;
  datasets: string[];
  checkpoints: string[];
  intervalMs: number;
  hook: boolean;
  env: EnvironmentInfo;
  /** the settings the session was recorded with, so a reopened file is analysed the same way */
  settings?: Partial<Settings>;
}

/** The process tree, sampled at a few Hz. */
export interface TreeRecord {
  type: 'tree';
  s: number;
  /** per rank of a multi-rank job (each rank's process with its own workers), when there are ≥ 2 */
  ranks?: RankTree[];
  /** live PIDs of the tree, main first */
  pids: number[];
  io: IoCounters;
  /** CPU seconds of the tree, cumulative */
  cpuS: number;
  rssBytes: number;
  /** live children of the main process that look like DataLoader workers */
  workers: number;
  /** workers by state over the last tree interval: running on CPU vs blocked on I/O */
  workersRunning?: number;
  workersIoWait?: number;
}

/** One rank's share of a tree sample: its process and its own workers. */
export interface RankTree {
  rank: number;
  pid: number;
  io: IoCounters;
  cpuS: number;
  workers: number;
}

/**
 * A rank of a multi-rank job was recognised: a process of the tree that drives its own DataLoader
 * (its own workers or its own hook events), numbered by RANK from its environment where readable,
 * else by start order.
 */
export interface RankRecord {
  type: 'rank';
  s: number;
  rank: number;
  pid: number;
  localRank?: number;
  worldSize?: number;
  /** how the number was learned */
  source: 'env' | 'hook' | 'order';
  /** the launcher, when recognised: 'torchrun', 'mp.spawn', 'accelerate', 'lightning', … */
  launcher?: string;
}

/** A process joined or left the tree. */
export interface ProcessRecord {
  type: 'proc';
  s: number;
  event: 'spawn' | 'exit';
  pid: number;
  ppid: number;
  comm: string;
}

/**
 * Data-stall over one window. `exact` windows come from the hook (time inside `next()`),
 * `estimated` windows from the main thread's state seen from outside.
 */
export interface StallRecord {
  type: 'stall';
  /** window end */
  s: number;
  /** the rank whose main thread this window measures (absent: a single-process job) */
  rank?: number;
  windowS: number;
  method: StallMethod;
  /** seconds of the window spent waiting for the next batch */
  waitS: number;
  /** seconds of the window the training loop was active (denominator); ≤ windowS */
  loopS: number;
  batches?: number;
  confidence: Confidence;
  /** split of the wait, where the workers' states allow it */
  fetchS?: number;
  prepS?: number;
  /** signals that could not be read (e.g. 'syscall' under Yama ptrace_scope) */
  missing?: string[];
}

/** A DataLoader was created (hook). */
export interface LoaderRecord {
  type: 'loader';
  s: number;
  id: number;
  pid: number;
  rank?: number;
  site?: CallSite;
  numWorkers: number;
  batchSize?: number;
  pinMemory?: boolean;
  persistentWorkers?: boolean;
  prefetchFactor?: number;
  datasetLen?: number;
  datasetClass?: string;
}

/** An epoch boundary signal: iterator created (hook), worker respawn, files opened again. */
export interface EpochMarkRecord {
  type: 'epochMark';
  s: number;
  source: 'hook' | 'respawn' | 'reopen';
  loaderId?: number;
  /** the rank whose loader started an epoch here (absent: the job's only or first rank) */
  rank?: number;
  /** 'reopen' marks: distinct dataset files the epoch that ends here opened */
  previousEpochFiles?: number;
}

/** A checkpoint write seen by the hook (`torch.save`) or by the burst detector. */
export interface SaveRecord {
  type: 'save';
  startS: number;
  endS: number;
  path: string;
  bytes: number;
  source: 'hook' | 'burst';
  site?: CallSite;
  rank?: number;
}

/** A file appeared, grew or disappeared under a watched directory. */
export interface FsRecord {
  type: 'fs';
  s: number;
  event: 'add' | 'change' | 'unlink';
  root: 'dataset' | 'checkpoint';
  path: string;
  bytes: number;
  /** the file's last modification (seconds since session start), when the watcher has it */
  mtimeS?: number;
}

/** Files of the datasets opened during one window (inotify open events). */
export interface OpensRecord {
  type: 'opens';
  s: number;
  /** opens during the window */
  count: number;
  /** distinct dataset files opened at least once since the session start */
  distinctFiles: number;
  /** epochs counted from re-opens so far (0 during the first epoch seen) */
  epoch?: number;
  /** distinct dataset files opened in the current epoch so far */
  epochFiles?: number;
}

export interface SizeBucket {
  /** upper bound in bytes (inclusive); the last bucket is Infinity, written as null in JSON */
  le: number | null;
  count: number;
  bytes: number;
}

export interface DatasetIndex {
  path: string;
  /** regular files (symlinks not followed) */
  files: number;
  /** their apparent sizes */
  bytes: number;
  /** directories below `path` (the root itself not counted) */
  dirs: number;
  histogram: SizeBucket[];
  /** the directories holding the most files */
  largestDirs: { path: string; files: number }[];
  indexS: number;
  /** true when indexing stopped early (limit reached or cancelled) */
  partial: boolean;
  /** directories that could not be listed (their content is missing from the counts) */
  unreadableDirs?: number;
  /** symbolic links met (never followed, not counted as files) */
  symlinks?: number;
}

export interface DatasetRecord extends DatasetIndex {
  type: 'dataset';
  s: number;
}

/** How much of a dataset is resident in the page cache now (sampled files). */
export interface ResidencyRecord {
  type: 'residency';
  s: number;
  path: string;
  sampledFiles: number;
  sampledBytes: number;
  residentBytes: number;
}

/** System-wide counters (systeminformation / /proc/meminfo). Disk counters are cumulative. */
export interface SystemRecord {
  type: 'system';
  s: number;
  diskReadBytes: number;
  diskWriteBytes: number;
  memTotalBytes: number;
  memAvailableBytes: number;
  pageCacheBytes: number;
  cpuPct: number;
}

export interface GpuRecord {
  type: 'gpu';
  s: number;
  index: number;
  utilPct: number;
  memUsedBytes: number;
}

export interface NoteRecord {
  type: 'note';
  s: number;
  level: 'info' | 'warning';
  message: string;
}

/** What the in-process hook learned about the job's runtime (arrives after the header). */
export interface RuntimeRecord {
  type: 'runtime';
  s: number;
  pid: number;
  python?: string;
  torch?: string;
}

export interface EndRecord {
  type: 'end';
  s: number;
  reason: 'exited' | 'stopped' | 'duration' | 'lost';
  exitCode?: number | null;
  signal?: string | null;
}

export type SessionRecord =
  | HeaderRecord
  | TreeRecord
  | RankRecord
  | ProcessRecord
  | StallRecord
  | LoaderRecord
  | EpochMarkRecord
  | SaveRecord
  | FsRecord
  | OpensRecord
  | DatasetRecord
  | ResidencyRecord
  | SystemRecord
  | GpuRecord
  | NoteRecord
  | RuntimeRecord
  | EndRecord;

export type SessionRecordType = SessionRecord['type'];

// ---------------------------------------------------------------------------------------------
// The report: what every consumer (CLI, status bar, panel, CodeLens, exporters) reads.
// ---------------------------------------------------------------------------------------------

export interface EpochSummary {
  index: number;
  startS: number;
  endS: number;
  /** Δ tree rchar over the epoch */
  bytesRead: number;
  /** Δ tree read_bytes over the epoch (fetched from storage) */
  diskBytesRead: number;
  /** bytesRead ÷ dataset bytes */
  rereadFactor: number;
  /** share of bytesRead served by the page cache, 0–100 */
  pageCacheHitPct: number;
  stallPct: number | null;
  filesRead?: number;
  source: EpochMarkRecord['source'] | 'session';
}

export interface CheckpointSummary {
  path: string;
  bytes: number;
  startS: number;
  durationS: number;
  /** training progress lost while it was written, in seconds */
  lostS: number;
  source: SaveRecord['source'];
  site?: CallSite;
}

export interface Advice {
  id: string;
  severity: Severity;
  message: string;
  /** the numbers that triggered it */
  evidence: string[];
  site?: CallSite;
}

/** Time series on a common grid (one point per sample window). */
export interface SessionSeries {
  t: number[];
  /** tree read throughput (rchar), bytes/s */
  readBps: number[];
  /** tree reads fetched from storage (read_bytes), bytes/s */
  diskReadBps: number[];
  /** tree write throughput (write_bytes), bytes/s */
  writeBps: number[];
  /** system-wide disk read throughput, bytes/s */
  systemDiskReadBps: number[];
  /** stall % per window, null where unknown */
  stallPct: (number | null)[];
  gpuUtilPct?: (number | null)[];
}

export interface DataStallSummary {
  pct: number | null;
  method: StallMethod;
  confidence: Confidence;
  /** both modes when launch mode recorded both */
  exactPct?: number | null;
  estimatedPct?: number | null;
  /** current (last window) value for live display */
  windowPct: number | null;
  fetchPct?: number | null;
  prepPct?: number | null;
  missingSignals?: string[];
  /** multi-rank jobs: `pct` is the slowest rank's; this names it */
  slowestRank?: number;
  /** multi-rank jobs: slowest minus fastest rank's stall, in points */
  spreadPct?: number;
}

/** One rank of a multi-rank job in the report. */
export interface RankSummary {
  rank: number;
  pid: number;
  host: string;
  dataStall: { pct: number | null; method: StallMethod };
  epochs: number;
  /** dataset bytes this rank's process and workers read */
  bytesRead: number;
  workers: number;
  loaders: number;
}

export interface LoaderSummary {
  id: number;
  site?: CallSite;
  numWorkers: number;
  batchSize?: number;
  pinMemory?: boolean;
  persistentWorkers?: boolean;
}

export interface SessionReport {
  schema: typeof REPORT_SCHEMA;
  startedAt: string;
  target: TargetInfo;
  env: EnvironmentInfo;
  durationS: number;
  ended: EndRecord | null;
  dataStall: DataStallSummary;
  epochs: EpochSummary[];
  reread: {
    factor: number;
    datasetBytes: number;
    bytesRead: number;
    pageCacheHitPct: number;
    /** share of the dataset resident in the page cache at the last residency sample, 0–100 */
    residentPct?: number | null;
  };
  checkpoints: CheckpointSummary[];
  datasets: (DatasetIndex & { filesRead?: number })[];
  loaders: LoaderSummary[];
  /** one row per rank; a single-process job has one (rank 0) */
  ranks?: RankSummary[];
  advice: Advice[];
  series: SessionSeries;
  totals: IoCounters & { cpuS: number };
  notes: NoteRecord[];
}
