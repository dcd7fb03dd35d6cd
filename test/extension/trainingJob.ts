/**
 * The real PyTorch reference job for the extension-host tests: a small dataset made with
 * make_dataset.py in a temp folder, then train_torch.py with 2 DataLoader workers, slow reads (so the
 * data stall is large and known) and periodic checkpoints, writing its ground truth. It runs long
 * enough (~60 s) to outlive a test; `stop()` kills it and removes the temp folder.
 * Used both from the extension host (bundled suite) and from node:test, so it takes the repo root.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knobArgs } from '../support/workloads';
import { parseTruth, type Truth } from '../support/truth';

export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface TrainingJob {
  pid: number;
  script: string;
  dataset: string;
  checkpoints: string;
  truthFile: string;
  child: ChildProcess;
  /** what the job has written so far */
  truth(): Truth;
  output(): string;
  stop(): void;
}

const JOB = {
  epochs: 40,
  'batch-size': 16,
  'num-workers': 2,
  'slow-read-ms': 15,
  'ckpt-every': 20,
  'ckpt-mb': 2,
};

async function waitFor(
  what: string,
  ok: () => boolean,
  ms: number,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (child.exitCode !== null)
      throw new Error(`training job exited (${child.exitCode}) before ${what}:\n${output()}`);
    if (Date.now() > deadline)
      throw new Error(`training job: no ${what} within ${ms / 1000} s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A dataset of `files` files of 16–64 KB made by make_dataset.py; returns its folder. */
export function makeJobDataset(repoRoot: string, dir: string, files = 300): string {
  const made = spawnSync(
    SYSTEM_PYTHON,
    [
      join(repoRoot, 'test', 'workloads', 'make_dataset.py'),
      ...knobArgs({ out: dir, files, 'min-kb': 16, 'max-kb': 64 }),
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`make_dataset.py failed: ${made.stderr}`);
  return dir;
}

/** Makes the dataset, starts the job and resolves once it has trained its first steps. */
export async function startTrainingJob(repoRoot: string, files = 300): Promise<TrainingJob> {
  const root = mkdtempSync(join(tmpdir(), 'trainio-ext-job-'));
  const dataset = join(root, 'data');
  const checkpoints = join(root, 'ckpt');
  const truthFile = join(root, 'truth.jsonl');
  mkdirSync(checkpoints);
  const workloads = join(repoRoot, 'test', 'workloads');
  makeJobDataset(repoRoot, dataset, files);
  const script = join(workloads, 'train_torch.py');
  const child = spawn(
    SYSTEM_PYTHON,
    [script, ...knobArgs({ ...JOB, data: dataset, 'ckpt-dir': checkpoints, truth: truthFile })],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true }, // its own group: workers die with it
  );
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const truth = (): Truth => parseTruth(existsSync(truthFile) ? readFileSync(truthFile, 'utf8') : '');
  const stop = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const stepped = (): boolean =>
      existsSync(truthFile) && readFileSync(truthFile, 'utf8').includes('"ev": "step"');
    await waitFor('first training step', stepped, 60_000, child, () => out);
  } catch (e) {
    stop();
    throw e;
  }
  return { pid: child.pid!, script, dataset, checkpoints, truthFile, child, truth, output: () => out, stop };
}
