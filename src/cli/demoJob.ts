/**
 * The demo's sample job: finds the bundled workload scripts (next to the built CLI, or in the source
 * tree), picks the Python (the system one with torch when present, else a stdlib job) and builds the
 * commands that make the dataset and train on it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TrainioError } from '../core/errors';

export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface DemoJob {
  python: string;
  script: 'train_torch.py' | 'train_stdlib.py';
  workloads: string;
  torch: boolean;
}

export const DEMO_DATASET = { files: 1500, minKb: 8, maxKb: 40, subdirs: 4 };
export const DEMO_TRAINING = {
  epochs: 3,
  batchSize: 32,
  numWorkers: 2,
  computeMs: 15,
  slowReadMs: 1,
  ckptEvery: 40,
  ckptMb: 16,
};

export function workloadsDir(): string {
  const candidates = [join(__dirname, 'workloads'), join(__dirname, '..', '..', 'test', 'workloads')];
  const found = candidates.find((d) => existsSync(join(d, 'make_dataset.py')));
  if (!found)
    throw new TrainioError(
      'UNSUPPORTED',
      'the demo workloads are missing from this install (rebuild with node esbuild.mjs)',
    );
  return found;
}

function runs(python: string, code: string): boolean {
  const r = spawnSync(python, ['-c', code], { stdio: 'ignore', timeout: 60_000 });
  return r.status === 0;
}

/** the torch job with a Python that has torch, else the stdlib job */
export function chooseDemoJob(python?: string): DemoJob {
  const workloads = workloadsDir();
  const candidates = python ? [python] : [SYSTEM_PYTHON, 'python3'];
  for (const p of candidates) {
    if (runs(p, 'import torch')) return { python: p, script: 'train_torch.py', workloads, torch: true };
  }
  for (const p of candidates) {
    if (runs(p, 'import sys; assert sys.version_info >= (3, 8)')) {
      return { python: p, script: 'train_stdlib.py', workloads, torch: false };
    }
  }
  throw new TrainioError('UNSUPPORTED', 'the demo needs Python 3.8 or newer (python3 was not found)');
}

export function makeDatasetCommand(job: DemoJob, dir: string): string[] {
  const d = DEMO_DATASET;
  return [
    job.python,
    join(job.workloads, 'make_dataset.py'),
    '--out',
    dir,
    '--files',
    String(d.files),
    '--min-kb',
    String(d.minKb),
    '--max-kb',
    String(d.maxKb),
    '--subdirs',
    String(d.subdirs),
  ];
}

export function trainCommand(job: DemoJob, data: string, ckpt: string, truth: string): string[] {
  const t = DEMO_TRAINING;
  return [
    job.python,
    '-u',
    join(job.workloads, job.script),
    '--data',
    data,
    '--epochs',
    String(t.epochs),
    '--batch-size',
    String(t.batchSize),
    '--num-workers',
    String(t.numWorkers),
    '--compute-ms',
    String(t.computeMs),
    '--slow-read-ms',
    String(t.slowReadMs),
    '--ckpt-dir',
    ckpt,
    '--ckpt-every',
    String(t.ckptEvery),
    '--ckpt-mb',
    String(t.ckptMb),
    '--truth',
    truth,
  ];
}
