/**
 * Reads the ground truth that the reference training jobs (test/workloads/) write, so that every
 * test compares trainio's numbers against the same facts. Times stay wall-clock epoch seconds;
 * `toSessionS` converts them to session seconds.
 */
import { readFileSync } from 'node:fs';

export interface TruthStart {
  t: number;
  pid: number;
  config: Record<string, unknown>;
}

export interface TruthEpoch {
  index: number;
  startT: number;
  /** NaN when the job stopped before the epoch ended */
  endT: number;
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
      case 'start':
        start = { t: num(l, 't'), pid: num(l, 'pid'), config: (l.config ?? {}) as Record<string, unknown> };
        break;
      case 'epoch_start':
        epochs.push({ index: num(l, 'epoch'), startT: num(l, 't'), endT: NaN });
        break;
      case 'epoch_end': {
        const e = epochs.find((x) => x.index === num(l, 'epoch'));
        if (e) e.endT = num(l, 't');
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

/** Wall-clock epoch seconds → seconds since a session that started at `startedAtMs`. */
export function toSessionS(t: number, startedAtMs: number): number {
  return t - startedAtMs / 1000;
}
