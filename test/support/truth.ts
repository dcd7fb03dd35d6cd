/**
 * Reads the ground truth that the reference training jobs (test/workloads/) write, so that every
 * test compares trainio's numbers against the same facts. Times stay wall-clock epoch seconds;
 * `toSessionS` converts them to session seconds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface TruthStart {
  t: number;
  pid: number;
  config: Record<string, unknown>;
  /** a DDP rank's (train_ddp.py): config.rank / config.world_size; undefined for one-process jobs */
  rank?: number;
  worldSize?: number;
}

export interface TruthEpoch {
  index: number;
  startT: number;
  /** NaN when the job stopped before the epoch ended */
  endT: number;
  /** payload bytes the batches brought this epoch (train_shapes.py); undefined when not counted */
  sampleBytes?: number;
}

export interface TruthStep {
  epoch: number;
  step: number;
  /** step end (after compute) */
  t: number;
  /** time in the next() that returned this batch */
  waitS: number;
  computeS: number;
}

/** Time in iter(loader) ('iter') or in the next() that raised StopIteration ('stop'). */
export interface TruthWait {
  kind: 'iter' | 'stop';
  t0: number;
  t1: number;
  waitS: number;
}

export interface TruthCheckpoint {
  path: string;
  bytes: number;
  t0: number;
  t1: number;
}

export interface TruthEnd {
  t: number;
  loopS: number;
  waitS: number;
}

export interface Truth {
  start: TruthStart;
  /** null when the job did not finish */
  end: TruthEnd | null;
  epochs: TruthEpoch[];
  steps: TruthStep[];
  waits: TruthWait[];
  checkpoints: TruthCheckpoint[];
  /** Σ wait ÷ loop time × 100 (from the end line, or from the lines seen when the job did not finish) */
  stallPct: number;
  loopS: number;
  /** all waits: steps + iterator creations + final StopIterations */
  waitS: number;
}

export interface DatasetTruth {
  files: number;
  bytes: number;
  dirs: number;
}

/** make_shapes.py's dataset truth: one packed file (or S tar shards) holding every sample. */
export interface ShapesDatasetTruth extends DatasetTruth {
  format: 'lmdb' | 'npy' | 'hdf5' | 'tar';
  samples: number;
  /** every sample's payload size */
  sampleBytes: number;
  /** samples × sampleBytes (`bytes` is the files' size on disk, format overhead included) */
  payloadBytes: number;
  /** file names in DIR */
  names: string[];
  /** tar only: samples in each shard, in shard order */
  shardSamples?: number[];
}

/** What train_ddp.py's launcher writes to --truth (the ranks write PATH.rank<R>). */
export interface LauncherTruth {
  t: number;
  pid: number;
  /** the rank processes' pids, by rank */
  ranks: number[];
  worldSize: number;
  startMethod: string;
  /** null when the launcher did not finish */
  end: { t: number; exitCodes: (number | null)[] } | null;
}

type Line = Record<string, unknown>;

function num(line: Line, key: string): number {
  const v = line[key];
  if (typeof v !== 'number') throw new Error(`truth line ${JSON.stringify(line)} lacks number ${key}`);
  return v;
}

export function parseTruth(text: string): Truth {
  let start: TruthStart | null = null;
  let end: TruthEnd | null = null;
  const epochs: TruthEpoch[] = [];
  const steps: TruthStep[] = [];
  const waits: TruthWait[] = [];
  const checkpoints: TruthCheckpoint[] = [];
  let lastT = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const l = JSON.parse(raw) as Line;
    switch (l.ev) {
      case 'start': {
        const config = (l.config ?? {}) as Record<string, unknown>;
        start = { t: num(l, 't'), pid: num(l, 'pid'), config };
        if (typeof config.rank === 'number') start.rank = config.rank;
        if (typeof config.world_size === 'number') start.worldSize = config.world_size;
        break;
      }
      case 'epoch_start':
        epochs.push({ index: num(l, 'epoch'), startT: num(l, 't'), endT: NaN });
        break;
      case 'epoch_end': {
        const e = epochs.find((x) => x.index === num(l, 'epoch'));
        if (e) e.endT = num(l, 't');
        if (e && l.sample_bytes !== undefined) e.sampleBytes = num(l, 'sample_bytes');
        break;
      }
      case 'step':
        steps.push({
          epoch: num(l, 'epoch'),
          step: num(l, 'step'),
          t: num(l, 't'),
          waitS: num(l, 'wait_s'),
          computeS: num(l, 'compute_s'),
        });
        break;
      case 'wait':
        waits.push({
          kind: l.kind as TruthWait['kind'],
          t0: num(l, 't0'),
          t1: num(l, 't'),
          waitS: num(l, 'wait_s'),
        });
        break;
      case 'ckpt':
        checkpoints.push({
          path: String(l.path),
          bytes: num(l, 'bytes'),
          t0: num(l, 't0'),
          t1: num(l, 't1'),
        });
        break;
      case 'end':
        end = { t: num(l, 't'), loopS: num(l, 'loop_s'), waitS: num(l, 'wait_s') };
        break;
      default:
        throw new Error(`unknown truth event ${String(l.ev)}`);
    }
    if (typeof l.t === 'number') lastT = l.t;
  }
  if (!start) throw new Error('truth has no start line');
  const waitS = steps.reduce((a, s) => a + s.waitS, 0) + waits.reduce((a, w) => a + w.waitS, 0);
  // a job that did not finish: its loop so far runs from the first iter() to the last line
  const loopStart = waits.length > 0 ? Math.min(...waits.map((w) => w.t0)) : lastT;
  const loopS = end ? end.loopS : Math.max(0, lastT - loopStart);
  const totalWait = end ? end.waitS : waitS;
  const stallPct = loopS > 0 ? (totalWait / loopS) * 100 : 0;
  return { start, end, epochs, steps, waits, checkpoints, stallPct, loopS, waitS };
}

export function readTruth(path: string): Truth {
  return parseTruth(readFileSync(path, 'utf8'));
}

export function readDatasetTruth(dir: string): DatasetTruth {
  return JSON.parse(readFileSync(`${dir}/.truth-dataset.json`, 'utf8')) as DatasetTruth;
}

export function readShapesDatasetTruth(dir: string): ShapesDatasetTruth {
  return readDatasetTruth(dir) as ShapesDatasetTruth;
}

/**
 * The truths of a multi-rank job's ranks (`PATH.rank0`, `PATH.rank1`, … next to PATH), indexed by
 * rank. Throws when a rank in 0..max is missing or a file names another rank than its suffix.
 */
export function readRankTruths(path: string): Truth[] {
  const prefix = `${basename(path)}.rank`;
  const ranks = readdirSync(dirname(path))
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length)))
    .sort((a, b) => a - b);
  return ranks.map((rank, i) => {
    if (rank !== i) throw new Error(`no truth for rank ${i} next to ${path}`);
    const truth = readTruth(join(dirname(path), `${prefix}${rank}`));
    if (truth.start.rank !== rank)
      throw new Error(`${path}.rank${rank} is the truth of rank ${truth.start.rank}`);
    return truth;
  });
}

export function parseLauncherTruth(text: string): LauncherTruth {
  let launcher: LauncherTruth | null = null;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const l = JSON.parse(raw) as Line;
    if (l.ev === 'launcher') {
      const ranks = l.ranks as number[];
      const worldSize = num(l, 'world_size');
      const startMethod = String(l.start_method);
      launcher = { t: num(l, 't'), pid: num(l, 'pid'), ranks, worldSize, startMethod, end: null };
    } else if (l.ev === 'end' && launcher) {
      launcher.end = { t: num(l, 't'), exitCodes: l.exit_codes as (number | null)[] };
    } else {
      throw new Error(`unexpected launcher truth line ${raw}`);
    }
  }
  if (!launcher) throw new Error('launcher truth has no launcher line');
  return launcher;
}

export function readLauncherTruth(path: string): LauncherTruth {
  return parseLauncherTruth(readFileSync(path, 'utf8'));
}

/** Wall-clock epoch seconds → seconds since a session that started at `startedAtMs`. */
export function toSessionS(t: number, startedAtMs: number): number {
  return t - startedAtMs / 1000;
}
