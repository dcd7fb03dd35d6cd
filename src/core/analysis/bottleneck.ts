/**
 * Names what limits the training loop, from the evidence the session has. The loop's time splits
 * into waiting for workers to start and stop, checkpoint writes, waiting for batches in the steady
 * state, and the rest (compute). The biggest of the first three names the bottleneck when it is
 * above the stall warning line; otherwise the loop is compute (or GPU) bound. A steady-state data
 * stall is then told apart by what the workers did:
 * - on a CPU most of the time while the machine's CPUs are busy → worker CPU (more workers cannot help);
 * - blocked on storage (state D), or later epochs read from disk → storage;
 * - idle while each batch's wait is short (a few ms) → the main thread's hand-off (unpickling,
 *   receiving shared memory, the pin-memory thread);
 * - idle off-CPU otherwise → storage read latency (the workers wait for their reads);
 * - busy with CPUs to spare → worker CPU, where more workers help.
 */
import type {
  Bottleneck,
  CheckpointSummary,
  DataStallSummary,
  EpochSummary,
  WorkerStartupSummary,
} from '../../shared/model';
import type { LoopActivity } from './loopActivity';

export interface BottleneckInput {
  stall: DataStallSummary;
  /** seconds the training loop ran */
  trainingS: number;
  workers?: WorkerStartupSummary;
  checkpoints: readonly CheckpointSummary[];
  epochs: readonly EpochSummary[];
  activity?: LoopActivity;
  cpus?: number;
  /** median steady wait per batch, seconds (exact mode) */
  steadyBatchWaitS?: number | null;
  /** mean GPU utilisation, where there is a GPU */
  gpuUtilPct?: number | null;
  warningPct: number;
}

/** The split of the loop the verdict rests on, in % of the loop (shared with the advice). */
export interface LoopSplit {
  stallPct: number;
  startupPct: number;
  checkpointPct: number;
  /** data stall beyond the workers' start-up and shutdown */
  steadyStallPct: number;
}

const BUSY_WORKERS_PCT = 70;
const BUSY_CPU_PCT = 90;
const IO_WAIT_PCT = 30;
const FROM_DISK_PCT = 50;
const HANDOFF_WAIT_S = 0.005;
const IDLE_WORKERS_PCT = 40;
/** less than this much of a core left: the job saturates the CPUs */
const FREE_CORE = 0.5;

export function loopSplit(
  input: Pick<BottleneckInput, 'stall' | 'trainingS' | 'workers' | 'checkpoints'>,
): LoopSplit {
  const loopS = input.trainingS;
  const stallPct = input.stall.pct ?? 0;
  const share = (s: number): number => (loopS > 0 ? (100 * s) / loopS : 0);
  const startupPct = Math.min(stallPct, share(input.workers?.startupS ?? 0));
  const checkpointPct = share(input.checkpoints.reduce((a, c) => a + c.lostS, 0));
  return { stallPct, startupPct, checkpointPct, steadyStallPct: Math.max(0, stallPct - startupPct) };
}

export function findBottleneck(input: BottleneckInput): Bottleneck {
  if (input.stall.pct === null || !(input.trainingS > 0)) {
    return { kind: 'unknown', message: 'Not enough of the training loop was seen to tell.', evidence: [] };
  }
  const split = loopSplit(input);
  const evidence = [`data stall ${pct(split.stallPct)} (${input.stall.method})`];
  if (split.startupPct > 0)
    evidence.push(`worker start-up and shutdown ${pct(split.startupPct)} of the loop`);
  if (split.checkpointPct > 0) evidence.push(`checkpoints ${pct(split.checkpointPct)} of the loop`);
  const worst = Math.max(split.startupPct, split.checkpointPct, split.steadyStallPct);
  if (worst < input.warningPct) {
    if (input.gpuUtilPct !== null && input.gpuUtilPct !== undefined)
      evidence.push(`GPU busy ${pct(input.gpuUtilPct)}`);
    return {
      kind: 'compute',
      message: 'The loop is compute (or GPU) bound: data loading keeps up.',
      evidence,
    };
  }
  if (worst === split.startupPct) {
    const how = input.workers?.startMethod ? ` (${input.workers.startMethod})` : '';
    return {
      kind: 'worker-startup',
      message: `Waiting for DataLoader workers${how} to start and stop at every epoch is the biggest cost.`,
      evidence,
    };
  }
  if (worst === split.checkpointPct) {
    return {
      kind: 'checkpoints',
      message: 'Writing checkpoints stops the loop longer than anything else.',
      evidence,
    };
  }
  return steadyBottleneck(input, evidence);
}

function steadyBottleneck(input: BottleneckInput, evidence: string[]): Bottleneck {
  const a = input.activity;
  const running = a?.workersRunningPct ?? null;
  const ioWait = a?.workersIoWaitPct ?? null;
  const cpu = a?.systemCpuPct ?? null;
  if (running !== null) evidence.push(`workers on a CPU ${pct(running)} of the time`);
  if (ioWait !== null && ioWait > 0) evidence.push(`workers blocked on storage ${pct(ioWait)} of the time`);
  if (cpu !== null) evidence.push(`all CPUs ${pct(cpu)} busy${input.cpus ? ` (${input.cpus} CPUs)` : ''}`);
  const fromDisk = laterEpochsFromDiskPct(input.epochs);
  if (fromDisk !== null) evidence.push(`epochs after the first: ${pct(fromDisk)} read from disk`);
  const wait = input.steadyBatchWaitS;
  if (wait !== null && wait !== undefined)
    evidence.push(`steady wait per batch ${(wait * 1000).toFixed(1)} ms`);
  const cores = a?.jobCores ?? null;
  if (cores !== null && input.cpus)
    evidence.push(`the job kept ${cores.toFixed(2)} of ${input.cpus} CPUs busy`);
  const saturated =
    (cpu !== null && cpu >= BUSY_CPU_PCT) ||
    (cores !== null && !!input.cpus && cores >= input.cpus - FREE_CORE);
  if (running !== null && running >= BUSY_WORKERS_PCT && saturated) {
    return {
      kind: 'worker-cpu',
      message:
        'The workers are CPU bound and every CPU is busy: more workers will not help; make each sample cheaper.',
      evidence,
    };
  }
  if ((ioWait !== null && ioWait >= IO_WAIT_PCT) || (fromDisk !== null && fromDisk >= FROM_DISK_PCT)) {
    return { kind: 'storage', message: 'The workers wait for storage: reads come from disk.', evidence };
  }
  if (running !== null && running < IDLE_WORKERS_PCT) {
    if (wait !== null && wait !== undefined && wait <= HANDOFF_WAIT_S) {
      return {
        kind: 'main-thread',
        message:
          'The workers are mostly idle and each batch waits only a few ms: the main thread’s hand-off ' +
          '(unpickling, shared memory, the pin-memory thread) is the limit.',
        evidence,
      };
    }
    return {
      kind: 'storage',
      message: 'The workers are mostly idle off-CPU: they wait for their reads (storage latency).',
      evidence,
    };
  }
  return {
    kind: 'worker-cpu',
    message: 'The workers are busy preparing samples and CPUs are free: more workers would help.',
    evidence,
  };
}

/** share of the bytes read from disk in the epochs after the first, null when unknown */
export function laterEpochsFromDiskPct(epochs: readonly EpochSummary[]): number | null {
  const later = epochs.filter((e) => e.index >= 1 && e.bytesRead > 0);
  if (later.length === 0) return null;
  return later.reduce((s, e) => s + (100 - e.pageCacheHitPct), 0) / later.length;
}

function pct(x: number): string {
  return `${x.toFixed(1)}%`;
}
