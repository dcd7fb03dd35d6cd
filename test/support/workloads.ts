/**
 * Builds datasets and runs the reference training jobs of test/workloads/ from tests.
 * Knobs are passed as in the scripts' argparse (`{ epochs: 2, 'num-workers': 2, mmap: true }`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SYSTEM_PYTHON } from './tools';
import {
  readDatasetTruth,
  readShapesDatasetTruth,
  type DatasetTruth,
  type ShapesDatasetTruth,
} from './truth';

export const WORKLOADS_DIR = resolve(__dirname, '..', 'workloads');

export type WorkloadName =
  | 'train_torch.py'
  | 'train_stdlib.py'
  | 'make_dataset.py'
  | 'hook_probe.py'
  | 'make_shapes.py'
  | 'train_shapes.py'
  | 'train_ddp.py'
  | 'handoff_job.py';

export function workloadScript(name: WorkloadName): string {
  return join(WORKLOADS_DIR, name);
}

export type Knobs = Record<string, string | number | boolean | undefined>;

/** `{ 'num-workers': 2, mmap: true, x: false }` → `['--num-workers', '2', '--mmap']` */
export function knobArgs(knobs: Knobs): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(knobs)) {
    if (v === undefined || v === false) continue;
    out.push(`--${k}`);
    if (v !== true) out.push(String(v));
  }
  return out;
}

export interface DatasetOptions {
  files: number;
  minKb: number;
  maxKb: number;
  seed?: number;
  subdirs?: number;
}

/** Writes a dataset with make_dataset.py and returns its truth ({files, bytes, dirs}). */
export function makeDataset(dir: string, o: DatasetOptions, python = SYSTEM_PYTHON): DatasetTruth {
  const args = knobArgs({
    out: dir,
    files: o.files,
    'min-kb': o.minKb,
    'max-kb': o.maxKb,
    seed: o.seed ?? 0,
    subdirs: o.subdirs ?? 1,
  });
  const r = spawnSync(python, [workloadScript('make_dataset.py'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make_dataset.py failed: ${r.stderr || String(r.error)}`);
  return readDatasetTruth(dir);
}

export interface ShapesDatasetOptions {
  format: ShapesDatasetTruth['format'];
  samples: number;
  sampleKb: number;
  /** tar only (default 4) */
  shards?: number;
  seed?: number;
}

/** Writes one packed dataset (LMDB, .npy, HDF5 or tar shards) with make_shapes.py; returns its truth. */
export function makeShapesDataset(
  dir: string,
  o: ShapesDatasetOptions,
  python = SYSTEM_PYTHON,
): ShapesDatasetTruth {
  const args = knobArgs({
    format: o.format,
    out: dir,
    samples: o.samples,
    'sample-kb': o.sampleKb,
    shards: o.shards,
    seed: o.seed ?? 0,
  });
  const r = spawnSync(python, [workloadScript('make_shapes.py'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make_shapes.py failed: ${r.stderr || String(r.error)}`);
  return readShapesDatasetTruth(dir);
}

export interface WorkloadRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a training job to its end (async, so samplers in the same process keep running). */
export function runWorkload(
  name: WorkloadName,
  knobs: Knobs,
  opts: { python?: string; env?: NodeJS.ProcessEnv; cwd?: string; onSpawn?: (pid: number) => void } = {},
): Promise<WorkloadRun> {
  return new Promise((done, fail) => {
    const child = spawn(opts.python ?? SYSTEM_PYTHON, [workloadScript(name), ...knobArgs(knobs)], {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('spawn', () => {
      if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    });
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `trainio-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The arguments of positional_job.py (after its path), in the order a user writes them: options
 * first, the dataset as a positional among them, checkpoints saved into `weights`.
 */
export function positionalJobArgs(data: string, weights: string, truth: string, epochs: number): string[] {
  return [
    '--epochs',
    String(epochs),
    data,
    '--snapshots',
    weights,
    '--every',
    '12',
    '--mb',
    '4',
    '--slow-ms',
    '3',
    '--compute-ms',
    '30',
    '--truth',
    truth,
  ];
}
