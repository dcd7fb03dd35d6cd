/**
 * Advice, each with the numbers that triggered it and, where known, the call site to change
 * (the DataLoader's or the save's). Pure: it reads the rest of the report.
 */
import type {
  Advice,
  CheckpointSummary,
  DataStallSummary,
  DatasetIndex,
  EpochSummary,
  LoaderSummary,
  SizeBucket,
} from '../../shared/model';
import type { Settings } from '../../shared/settings';
import type { MemoryState } from './pageCache';

export interface AdviceInput {
  settings: Settings;
  datasets: readonly DatasetIndex[];
  epochs: readonly EpochSummary[];
  /** stall % in the first seconds of each epoch (same order as epochs) */
  epochStartStallPct: readonly (number | null)[];
  checkpoints: readonly CheckpointSummary[];
  /** seconds the training loop ran (denominator of the checkpoint cost) */
  trainingS: number;
  stall: DataStallSummary;
  loaders: readonly LoaderSummary[];
  /** most DataLoader-like workers seen in the tree at once */
  treeWorkers?: number;
  cpus?: number;
  memory?: MemoryState;
}

const MANY_FILES = 1_000_000;
const SMALL_FILE_COUNT = 10_000;
const SMALL_FILE_BYTES = 128 * 1024;
const CHECKPOINT_COST_PCT = 5;
const FROM_DISK_PCT = 50;

export function adviseOn(input: AdviceInput): Advice[] {
  const out: Advice[] = [];
  for (const rule of [pageCacheAdvice, smallFilesAdvice, checkpointAdvice, workersAdvice, persistentAdvice]) {
    const a = rule(input);
    if (a) out.push(a);
  }
  const rank = { critical: 0, warning: 1, info: 2 };
  return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

function pageCacheAdvice(input: AdviceInput): Advice | undefined {
  const datasetBytes = sum(input.datasets.map((d) => d.bytes));
  const later = input.epochs.filter((e) => e.index >= 1 && e.bytesRead > 0);
  const laterHit = later.length ? sum(later.map((e) => e.pageCacheHitPct)) / later.length : null;
  const available = input.memory?.memAvailableBytes;
  const evidence: string[] = [`dataset: ${gb(datasetBytes)}`];
  if (available !== undefined) evidence.push(`memory available for the page cache: ${gb(available)}`);
  if (laterHit !== null) evidence.push(`epochs after the first: ${fixed(100 - laterHit)}% read from disk`);
  if (datasetBytes > 0 && available !== undefined && datasetBytes > available) {
    if (laterHit !== null && laterHit >= 100 - FROM_DISK_PCT) return undefined;
    return {
      id: 'dataset-larger-than-page-cache',
      severity: laterHit === null ? 'info' : 'warning',
      message:
        `The dataset (${gb(datasetBytes)}) is larger than the memory available for the page cache ` +
        `(${gb(available)}), so every epoch reads it from disk again. Use faster local storage, ` +
        'a smaller or compressed copy, or a node with more memory.',
      evidence,
    };
  }
  if (laterHit !== null && laterHit < 100 - FROM_DISK_PCT) {
    return {
      id: 'epochs-read-from-disk',
      severity: 'warning',
      message:
        'Epochs after the first still read most of the dataset from disk although it would fit in memory: ' +
        'something evicts it from the page cache (memory pressure, other jobs, direct I/O).',
      evidence,
    };
  }
  return undefined;
}

function smallFilesAdvice(input: AdviceInput): Advice | undefined {
  const files = sum(input.datasets.map((d) => d.files));
  const median = medianFileBytes(input.datasets.flatMap((d) => d.histogram));
  const evidence = [`${files.toLocaleString('en-US')} files`];
  if (median !== null) evidence.push(`median file size ≈ ${kb(median)}`);
  const many = files >= MANY_FILES;
  const small = files >= SMALL_FILE_COUNT && median !== null && median <= SMALL_FILE_BYTES;
  if (!many && !small) return undefined;
  return {
    id: 'pack-small-files',
    severity: many ? 'warning' : 'info',
    message:
      `The dataset is ${many ? 'millions of' : 'many small'} files: opening and listing them costs more than ` +
      'reading them. Pack them into large shards (WebDataset tar shards, LMDB, TFRecord, Parquet).',
    evidence,
  };
}

function checkpointAdvice(input: AdviceInput): Advice | undefined {
  if (!(input.trainingS > 0) || input.checkpoints.length === 0) return undefined;
  const lost = sum(input.checkpoints.map((c) => c.lostS));
  const pct = (100 * lost) / input.trainingS;
  if (pct <= CHECKPOINT_COST_PCT) return undefined;
  const worst = [...input.checkpoints].sort((a, b) => b.lostS - a.lostS)[0];
  const bytes = sum(input.checkpoints.map((c) => c.bytes));
  const advice: Advice = {
    id: 'checkpoint-cost',
    severity: pct >= 4 * CHECKPOINT_COST_PCT ? 'critical' : 'warning',
    message:
      `Checkpoints cost ${fixed(pct)}% of training time (${fixed(lost)} s lost over ${input.checkpoints.length} saves). ` +
      'Save less often, or save asynchronously (copy the state to CPU, write it in a background thread).',
    evidence: [
      `${input.checkpoints.length} saves, ${mb(bytes)} written`,
      `${fixed(lost)} s lost of ${fixed(input.trainingS)} s of training`,
      `largest loss: ${fixed(worst.lostS)} s writing ${worst.path}`,
    ],
  };
  const site = input.checkpoints.find((c) => c.site)?.site;
  if (worst.site ?? site) advice.site = worst.site ?? site;
  return advice;
}

function workersAdvice(input: AdviceInput): Advice | undefined {
  const pct = input.stall.pct;
  if (pct === null || pct < input.settings.stallWarningPct) return undefined;
  const loader = input.loaders[0];
  const workers = loader?.numWorkers ?? input.treeWorkers;
  if (workers === undefined) return undefined;
  const cpus = input.cpus ?? 0;
  const few = workers <= 2 || (cpus > 0 && workers < cpus / 2);
  if (!few) return undefined;
  const evidence = [`data stall ${fixed(pct)}% (${input.stall.method})`, `num_workers=${workers}`];
  if (cpus > 0) evidence.push(`${cpus} CPUs`);
  if (loader?.pinMemory === false) evidence.push('pin_memory=False');
  const advice: Advice = {
    id: 'more-workers',
    severity: pct >= input.settings.stallErrorPct ? 'critical' : 'warning',
    message:
      `Training waits for data ${fixed(pct)}% of the time with ${workers === 0 ? 'no DataLoader workers' : `only ${workers} DataLoader worker${workers === 1 ? '' : 's'}`}. ` +
      'Raise num_workers' +
      (loader?.pinMemory === false ? ', set pin_memory=True' : '') +
      ' and check the per-sample decode cost.',
    evidence,
  };
  if (loader?.site) advice.site = loader.site;
  return advice;
}

function persistentAdvice(input: AdviceInput): Advice | undefined {
  const loader = input.loaders[0];
  if (loader?.persistentWorkers === true || (loader && loader.numWorkers === 0)) return undefined;
  const respawning = loader?.persistentWorkers === false || input.epochs.some((e) => e.source === 'respawn');
  if (!respawning || input.epochs.length < 2) return undefined;
  const spikes: number[] = [];
  const whole: number[] = [];
  input.epochs.forEach((e, i) => {
    const start = input.epochStartStallPct[i];
    if (i >= 1 && start !== null && start !== undefined && e.stallPct !== null) {
      spikes.push(start);
      whole.push(e.stallPct);
    }
  });
  if (spikes.length === 0) return undefined;
  const spike = median(spikes);
  const base = median(whole);
  if (spike < input.settings.stallWarningPct || spike < 2 * base) return undefined;
  const advice: Advice = {
    id: 'persistent-workers',
    severity: 'info',
    message:
      `Each epoch starts with a stall (${fixed(spike)}% vs ${fixed(base)}% over the epoch) while DataLoader workers ` +
      'restart. Set persistent_workers=True to keep them between epochs.',
    evidence: [
      `epoch-start stall ${fixed(spike)}%`,
      `epoch stall ${fixed(base)}%`,
      'persistent_workers=False',
    ],
  };
  if (loader?.site) advice.site = loader.site;
  return advice;
}

export function medianFileBytes(buckets: readonly SizeBucket[]): number | null {
  const merged = new Map<number | null, SizeBucket>();
  for (const b of buckets) {
    const m = merged.get(b.le) ?? { le: b.le, count: 0, bytes: 0 };
    m.count += b.count;
    m.bytes += b.bytes;
    merged.set(b.le, m);
  }
  const sorted = [...merged.values()].sort((a, b) => (a.le ?? Infinity) - (b.le ?? Infinity));
  const total = sum(sorted.map((b) => b.count));
  if (total === 0) return null;
  let seen = 0;
  for (const b of sorted) {
    seen += b.count;
    if (seen >= total / 2) return b.le ?? (b.count > 0 ? b.bytes / b.count : null);
  }
  return null;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function fixed(x: number): string {
  return x.toFixed(1);
}

function gb(b: number): string {
  return `${(b / 1e9).toFixed(2)} GB`;
}

function mb(b: number): string {
  return `${(b / 1e6).toFixed(1)} MB`;
}

function kb(b: number): string {
  return `${Math.round(b / 1024)} KB`;
}
