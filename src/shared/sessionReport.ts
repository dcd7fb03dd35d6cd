/**
 * The report built from a session's records: what every consumer (CLI, status bar, panel, CodeLens,
 * exporters) reads.
 */

import type { DatasetIndex, RereadMethod } from './datasetRecords';
import type {
  CallSite,
  Confidence,
  EndRecord,
  EnvironmentInfo,
  EpochMarkRecord,
  HealthId,
  HealthRecord,
  IoCounters,
  NoteRecord,
  SaveRecord,
  Severity,
  StallMethod,
  StartMethod,
  TargetInfo,
} from './sessionRecords';

export const REPORT_SCHEMA = 'trainio.session/1';

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
  /** what following it would save over this session, seconds of the training loop */
  savesS?: number;
  /** the same as a share of the training loop, 0–100 */
  savesPct?: number;
  /** the same per epoch, where the saving recurs every epoch */
  savesPerEpochS?: number;
}

/** What limits the training loop, judged from the evidence of the session. */
export interface Bottleneck {
  kind: 'storage' | 'worker-cpu' | 'main-thread' | 'worker-startup' | 'checkpoints' | 'compute' | 'unknown';
  message: string;
  /** the numbers behind the verdict */
  evidence: string[];
}

/** Time the loop waited for DataLoader workers to start and stop. */
export interface WorkerStartupSummary {
  /** all epochs together: iterator creation + the first batch's extra wait + the end-of-epoch shutdown */
  startupS: number | null;
  startMethod: StartMethod | null;
  method: StallMethod;
  /** workers kept between epochs (persistent_workers), where known */
  persistent?: boolean;
  perEpoch: WorkerStartupEpoch[];
}

export interface WorkerStartupEpoch {
  /** the epoch's start, session seconds */
  startS: number;
  iterS: number;
  /** the first batch's wait beyond a steady batch's */
  firstBatchExtraS: number;
  /** the end-of-epoch StopIteration (worker shutdown) */
  stopS: number;
  totalS: number;
  /** batches the epoch returned (exact mode) */
  batches?: number;
}

/** From the process's start to its first batch, and where that time went. */
export interface StartupSummary {
  /** seconds from the process's start to the first batch it received; null when not seen */
  firstBatchS: number | null;
  /** the main process's start, session seconds (0 when trainio launched it) */
  processStartS: number | null;
  /** process start → torch imported (hook) */
  importS?: number | null;
  /** torch imported → first DataLoader created: building the dataset (its listing and stat calls) and the rest of the set-up */
  setupS?: number | null;
  /** what listing the dataset cost trainio's own index (the metadata cost on this filesystem) */
  datasetListingS?: number | null;
  /** the first iter(loader): worker start-up */
  workerStartS?: number | null;
  /** the first next(): waiting for the first batch */
  firstBatchWaitS?: number | null;
  method: StallMethod;
}

/** One health check in the report: its worst moment, and where it stands now. */
export interface HealthItem {
  id: HealthId;
  /** the worst severity seen */
  severity: Severity;
  /** at the worst moment */
  value: number;
  limit: number;
  unit: HealthRecord['unit'];
  message: string;
  /** when the worst was seen */
  s: number;
  pid?: number;
  signal?: string;
  /** the state at the last record: 'ok' once recovered */
  current: Severity | 'ok';
  /** the value at the last record (live display) */
  currentValue: number;
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
  /**
   * exact: the part of `pct` spent releasing the previous batch as the loop rebound its variables
   * (outside the iterator's __next__, inside a stopwatch around `x, y = next(it)`)
   */
  handoffPct?: number | null;
  /** multi-rank jobs: `pct` is the slowest rank's; this names it */
  slowestRank?: number;
  /** multi-rank jobs: slowest minus fastest rank's stall, in points */
  spreadPct?: number;
  /** the speed-up if the loader kept up: 1 ÷ (1 − stall) */
  idealSpeedup?: number | null;
}

/** One rank of a multi-rank job in the report. */
export interface RankSummary {
  rank: number;
  pid: number;
  host: string;
  dataStall: { pct: number | null; method: StallMethod };
  epochs: number;
  /**
   * dataset bytes this rank's process and workers read: the job's dataset bytes split by the rank's
   * share of the tree's reads
   */
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
  /** len(dataset) and its class, as the hook saw them */
  datasetLen?: number;
  datasetClass?: string;
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
    /** how bytesRead was counted (see RereadMethod) */
    method?: RereadMethod;
  };
  checkpoints: CheckpointSummary[];
  datasets: (DatasetIndex & { filesRead?: number })[];
  loaders: LoaderSummary[];
  /** one row per rank; a single-process job has one (rank 0) */
  ranks?: RankSummary[];
  advice: Advice[];
  /** the health checks, worst first (absent in reports built before they existed) */
  health?: HealthItem[];
  /** why the job died, in one line, where the evidence allows */
  exitCause?: string;
  /** what limits the loop */
  bottleneck?: Bottleneck;
  /** DataLoader workers' start-up and shutdown waits */
  workers?: WorkerStartupSummary;
  /** process start to the first batch */
  startup?: StartupSummary;
  series: SessionSeries;
  totals: IoCounters & { cpuS: number };
  notes: NoteRecord[];
}
