/**
 * Worker start-up and time to the first batch.
 *
 * Per epoch, the seconds the loop waited for DataLoader workers to start and stop: creating the
 * iterator, the first batch's wait beyond a steady batch's, and the end-of-epoch StopIteration.
 * Launch mode has them exactly from the hook's timed calls (`epochWaits` records). Attach mode
 * estimates them from the stall windows around each new generation of workers: the wait in the
 * windows from one window before to two after the generation's first spawn, beyond the session's
 * typical stall.
 *
 * From the process's start to its first batch (launch mode): imports until torch is ready (the
 * hook's hello), the set-up until the first DataLoader exists (the dataset's own listing and stat
 * work happens here), the first iter() and the first next(). The start method comes from the
 * workers' command lines.
 */
import type {
  EpochWaitsRecord,
  LoaderRecord,
  MeasurementMode,
  ProcessRecord,
  RuntimeRecord,
  StallRecord,
  StartMethod,
  StartupSummary,
  WorkerStartupEpoch,
  WorkerStartupSummary,
} from '../../shared/model';
import { StartupEstimate } from './startupEstimate';

export interface WorkerStartupResult {
  workers: WorkerStartupSummary;
  startup: StartupSummary;
  /** median steady wait per batch (exact), seconds; null when unknown (the diagnosis uses the mean where it has the batches) */
  steadyBatchWaitS: number | null;
  /** batches the loop received (exact), null when unknown */
  batches: number | null;
}

/** Epochs kept in the report (the sums cover every epoch). */
const MAX_EPOCHS = 1000;

export class WorkerStartupTracker {
  private mode: MeasurementMode = 'attach';
  private readonly epochs: WorkerStartupEpoch[] = [];
  private exactTotalS = 0;
  private exactEpochs = 0;
  private first: EpochWaitsRecord | undefined;
  private readonly steadyWaits: number[] = [];
  private batches = 0;
  private readonly methods = new Set<StartMethod>();
  private runtimeS: number | undefined;
  private firstLoader: LoaderRecord | undefined;
  private readonly listing = new Map<string, number>();
  private readonly estimate = new StartupEstimate();

  setMode(mode: MeasurementMode): void {
    this.mode = mode;
  }

  addEpochWaits(r: EpochWaitsRecord): void {
    this.first ??= r;
    const extra = Math.max(0, (r.firstNextS ?? 0) - (r.typicalNextS ?? 0));
    const e: WorkerStartupEpoch = {
      startS: r.s,
      iterS: r.iterS,
      firstBatchExtraS: round3(extra),
      stopS: r.stopS ?? 0,
      totalS: round3(r.iterS + extra + (r.stopS ?? 0)),
      batches: r.batches,
    };
    this.exactTotalS += e.totalS;
    this.exactEpochs += 1;
    if (this.epochs.length < MAX_EPOCHS) this.epochs.push(e);
    if (r.typicalNextS !== null && this.steadyWaits.length < MAX_EPOCHS)
      this.steadyWaits.push(r.typicalNextS);
    this.batches += r.batches;
  }

  addProcess(r: ProcessRecord): void {
    if (r.event !== 'spawn') return;
    if (r.startMethod) this.methods.add(r.startMethod);
    if (r.worker) this.estimate.addWorkerSpawn(r.s);
  }

  /** A respawn epoch mark: a generation time for sessions recorded before spawns carried `worker`. */
  addRespawn(s: number): void {
    this.estimate.addRespawn(s);
  }

  addStall(r: StallRecord): void {
    this.estimate.addWindow(r);
  }

  addRuntime(r: RuntimeRecord): void {
    this.runtimeS ??= r.s;
  }

  addLoader(r: LoaderRecord): void {
    this.firstLoader ??= r;
  }

  addDatasetIndex(path: string, indexS: number): void {
    this.listing.set(path, indexS);
  }

  result(): WorkerStartupResult {
    const exact = this.exactEpochs > 0;
    const estimated = exact ? null : this.estimate.perGeneration();
    const perEpoch = exact ? this.epochs : (estimated ?? []);
    const startupS = exact
      ? round3(this.exactTotalS)
      : estimated
        ? round3(sum(estimated.map((e) => e.totalS)))
        : null;
    const workers: WorkerStartupSummary = {
      startupS,
      startMethod: this.startMethod(),
      method: exact ? 'exact' : 'estimated',
      perEpoch,
    };
    if (this.firstLoader?.persistentWorkers !== undefined)
      workers.persistent = this.firstLoader.persistentWorkers;
    return {
      workers,
      startup: this.startup(),
      steadyBatchWaitS: this.steadyWaits.length ? round6(median(this.steadyWaits)) : null,
      batches: exact ? this.batches : null,
    };
  }

  /** any spawned worker means spawn (a spawned worker seen before its exec looks like a fork) */
  private startMethod(): StartMethod | null {
    for (const m of ['spawn', 'forkserver', 'fork'] as const) if (this.methods.has(m)) return m;
    return null;
  }

  private startup(): StartupSummary {
    const launched = this.mode === 'launch';
    const processStartS = launched ? 0 : null;
    const f = this.first;
    const firstBatchAt = f && f.firstNextS !== null ? f.s + f.iterS + f.firstNextS : null;
    const out: StartupSummary = {
      firstBatchS:
        processStartS !== null && firstBatchAt !== null ? round3(firstBatchAt - processStartS) : null,
      processStartS,
      datasetListingS: this.listing.size ? round3(sum([...this.listing.values()])) : null,
      method: f ? 'exact' : 'estimated',
    };
    if (processStartS !== null && this.runtimeS !== undefined)
      out.importS = round3(this.runtimeS - processStartS);
    if (this.runtimeS !== undefined && this.firstLoader) {
      out.setupS = round3(Math.max(0, this.firstLoader.s - this.runtimeS));
    }
    if (f) {
      out.workerStartS = f.iterS;
      out.firstBatchWaitS = f.firstNextS;
    }
    return out;
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
