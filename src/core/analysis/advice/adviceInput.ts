/**
 * What every advice rule reads: the rest of the report and the evidence behind the bottleneck.
 * Each rule is a pure function of this input returning one advice or none.
 */
import type {
  Advice,
  Bottleneck,
  CheckpointSummary,
  DataStallSummary,
  DatasetIndex,
  EpochSummary,
  LoaderSummary,
  Severity,
  StartupSummary,
  WorkerStartupSummary,
} from '../../../shared/model';
import type { Settings } from '../../../shared/settings';
import type { LoopSplit } from '../bottleneck';
import type { LoopActivity } from '../loopActivity';
import type { MemoryState } from '../pageCache';

/** A health finding (shared /dev/shm, descriptors, workers' memory, …) as the health checks report it. */
export interface HealthFinding {
  id: string;
  severity: Severity;
  value: number;
  limit: number;
  /** what value and limit count ('bytes', 'fds', …) */
  unit?: string;
  message: string;
}

export interface AdviceInput {
  settings: Settings;
  datasets: readonly DatasetIndex[];
  epochs: readonly EpochSummary[];
  /** stall % in the first seconds of each epoch (same order as epochs) */
  epochStartStallPct: readonly (number | null)[];
  checkpoints: readonly CheckpointSummary[];
  /** seconds the training loop ran (denominator of every saving) */
  trainingS: number;
  stall: DataStallSummary;
  loaders: readonly LoaderSummary[];
  /** most DataLoader-like workers seen in the tree at once */
  treeWorkers?: number;
  cpus?: number;
  memory?: MemoryState;
  workers?: WorkerStartupSummary;
  startup?: StartupSummary;
  bottleneck?: Bottleneck;
  split?: LoopSplit;
  activity?: LoopActivity;
  /** median steady wait per batch, seconds (exact mode) */
  steadyBatchWaitS?: number | null;
  /** GPUs on the machine */
  gpus?: number;
  health?: readonly HealthFinding[];
}

export type AdviceRule = (input: AdviceInput) => Advice | undefined;

/** Adds what following an advice would save: seconds, share of the loop, and per epoch when it recurs. */
export function withSavings(a: Advice, input: AdviceInput, savesS: number, perEpoch?: number): Advice {
  if (!(savesS > 0)) return a;
  a.savesS = round2(savesS);
  if (input.trainingS > 0) a.savesPct = round1(Math.min(100, (100 * savesS) / input.trainingS));
  if (perEpoch !== undefined && perEpoch > 0) a.savesPerEpochS = round2(perEpoch);
  return a;
}

export function severityFor(savesPct: number, input: AdviceInput): Severity {
  if (savesPct >= input.settings.stallErrorPct) return 'critical';
  if (savesPct >= input.settings.stallWarningPct) return 'warning';
  return 'info';
}

export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function fixed(x: number): string {
  return x.toFixed(1);
}

export function gb(b: number): string {
  return `${(b / 1e9).toFixed(2)} GB`;
}

export function mb(b: number): string {
  return `${(b / 1e6).toFixed(1)} MB`;
}

export function kb(b: number): string {
  return `${Math.round(b / 1024)} KB`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
