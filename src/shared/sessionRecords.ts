/**
 * The records of a session file: what the recorder writes as JSON lines and feeds to the analyses.
 * Times (`s`) are seconds since the session start; byte counts are integers.
 */

import type { DatasetRecord, FsRecord, MappedRecord, OpensRecord, ResidencyRecord } from './datasetRecords';
import type { Settings } from './settings';

export const RECORDING_SCHEMA = 'trainio.recording/1';

export type MeasurementMode = 'attach' | 'launch';
export type StallMethod = 'exact' | 'estimated';
export type Confidence = 'high' | 'medium' | 'low';
export type Severity = 'info' | 'warning' | 'critical';
/** how Python's multiprocessing started the DataLoader workers */
export type StartMethod = 'fork' | 'spawn' | 'forkserver';

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
  /**
   * of the increase since the last tree record, what the processes first seen in this one did
   * (workers forked meanwhile): all of it after `s`, the earliest of their starts — so that an
   * epoch boundary inside the interval (a new worker generation) gets their reads on its side
   */
  born?: { s: number; io: IoCounters };
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
  /** the process looks like a DataLoader worker */
  worker?: boolean;
  /** a worker's start method, read from its command line */
  startMethod?: StartMethod;
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
  /** that rank's process (lets a reader renumber ranks when a better source names them) */
  pid?: number;
  windowS: number;
  method: StallMethod;
  /** seconds of the window spent waiting for the next batch */
  waitS: number;
  /** seconds of the window the training loop was active (denominator); ≤ windowS */
  loopS: number;
  batches?: number;
  confidence: Confidence;
  /**
   * exact windows: the part of waitS spent releasing the previous batch as the loop rebound its
   * variables to the next one (shared-memory tensors unmapped), outside the iterator's __next__
   */
  handoffS?: number;
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
  pid?: number;
  /** 'reopen' marks: distinct dataset files the epoch that ends here opened */
  previousEpochFiles?: number;
}

/**
 * How one epoch's loop waited at its edges (hook, launch mode): creating the iterator, the first
 * batch, and the next() that raised StopIteration. Emitted when the epoch ends (or the next starts).
 */
export interface EpochWaitsRecord {
  type: 'epochWaits';
  /** the epoch's iter() started */
  s: number;
  /** the epoch's last timed wait ended */
  endS: number;
  loaderId?: number;
  rank?: number;
  /** seconds inside iter(loader) (worker start-up when workers are not persistent) */
  iterS: number;
  /** seconds waiting for the first batch; null when the epoch returned none */
  firstNextS: number | null;
  /** median wait for the other batches (the steady state); null with fewer than two batches */
  typicalNextS: number | null;
  /** seconds in the next() that raised StopIteration (worker shutdown); null when the loop broke out */
  stopS: number | null;
  batches: number;
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

/** What a health check watches: /dev/shm, descriptors, the workers' memory, memory, workers dying. */
export type HealthId = 'shm' | 'fds' | 'worker-memory' | 'memory' | 'worker-died' | 'loader-error';

/**
 * A health check crossed a threshold, reached a new worst value above it, or came back under it
 * (`recovered`). Its first look at a resource is an `info` record (the size of /dev/shm, the limit).
 * `value` and `limit` count `unit`s: shm bytes used of the mount's size, descriptors open of
 * RLIMIT_NOFILE, a worker's private bytes of the memory limit, bytes in use of the limit.
 */
export interface HealthRecord {
  type: 'health';
  s: number;
  id: HealthId;
  severity: Severity;
  value: number;
  limit: number;
  unit: 'bytes' | 'fds' | 'count';
  message: string;
  pid?: number;
  /** worker-died / loader-error: the signal that ended the worker (SIGBUS, SIGKILL, …), where known */
  signal?: string;
  /** the condition is over (severity is then 'info') */
  recovered?: boolean;
  /** memory: processes of the job's cgroup the kernel's OOM killer killed since the last record */
  oomKills?: number;
}

export interface NoteRecord {
  type: 'note';
  s: number;
  level: 'info' | 'warning';
  message: string;
  /**
   * what the note is about, where a view shows it on its own ('session-file': writing the file
   * failed or resumed; 'paths': the dataset / checkpoint folders found from what the job does, or a
   * dataset the job does not read)
   */
  about?: 'session-file' | 'paths';
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
  /** the last lines the job wrote to stderr, when it failed and whoever launched it kept them (the editor's terminal) */
  stderrTail?: string;
  /** what the session file holds, when writing it failed at some point (absent: every record was written) */
  file?: SessionFileState;
}

/** The session file after write failures (disk full, I/O errors): what it holds and what it lacks. */
export interface SessionFileState {
  /** records in the file, this end record included (when it could be written) */
  writtenRecords: number;
  /** records that never reached the file (more than the memory bound while writing failed) */
  lostRecords: number;
  /** the first write error, e.g. 'ENOSPC' */
  error?: string;
  /** when writing first failed, and when it worked again */
  stoppedAtS?: number;
  resumedAtS?: number;
  /** the span of the session whose records are missing from the file */
  lostFromS?: number;
  lostToS?: number;
  /** after the session was moved (the old place full): where it is now, where it was, and when */
  path?: string;
  movedFrom?: string;
  movedAtS?: number;
}

export type SessionRecord =
  | HeaderRecord
  | TreeRecord
  | RankRecord
  | ProcessRecord
  | StallRecord
  | LoaderRecord
  | EpochMarkRecord
  | EpochWaitsRecord
  | SaveRecord
  | FsRecord
  | OpensRecord
  | MappedRecord
  | DatasetRecord
  | ResidencyRecord
  | SystemRecord
  | GpuRecord
  | NoteRecord
  | HealthRecord
  | RuntimeRecord
  | EndRecord;

export type SessionRecordType = SessionRecord['type'];
