/**
 * Folders found from what the job does, with real jobs and no --dataset / --checkpoints:
 * - a script that takes its dataset as a positional argument (class folders) and saves into a
 *   folder of any name: attach finds both exactly, and the session's numbers match the job's truth;
 * - the same script launched (`record -- …`): found once it runs, checkpoints from torch.save;
 * - an LMDB job: the dataset found through its mapping;
 * - a wrong but existing --dataset: a warning that the job reads nothing from it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { SessionReport } from '../../src/shared/model';
import { hasCommand, hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { readTruth, toSessionS } from '../support/truth';
import {
  makeDataset,
  makeShapesDataset,
  positionalJobArgs,
  tempDir,
  workloadScript,
  WORKLOADS_DIR,
} from '../support/workloads';
import { near, runCli, sessionHeader, waitFor } from './cliRun';

const POSITIONAL_JOB = join(WORKLOADS_DIR, 'positional_job.py');

function readIfAny(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function report(dir: string, session: string): Promise<SessionReport> {
  const out = join(dir, 'report.json');
  assert.equal((await runCli(['report', session, '--format', 'json', '--out', out])).code, 0);
  return JSON.parse(readFileSync(out, 'utf8')) as SessionReport;
}

/** Starts `argv`, waits for its first epoch, records it with `record --pid` and `flags`. */
async function attachTo(
  dir: string,
  argv: string[],
  truthFile: string,
  flags: string[],
): Promise<{ stderr: string; session: string; pid: number }> {
  const job = spawn(SYSTEM_PYTHON, argv, { stdio: 'ignore', cwd: dir });
  const exited = new Promise((done) => job.once('exit', done));
  try {
    await waitFor(() => readIfAny(truthFile).includes('"epoch_start"'), 60_000, 'the job to start');
    const session = join(dir, 'session.trainio.jsonl');
    const rec = await runCli([
      'record',
      '--out',
      session,
      '--pid',
      String(job.pid),
      '--interval',
      '100',
      ...flags,
    ]);
    assert.equal(rec.code, 0, rec.stderr);
    await exited;
    return { stderr: rec.stderr, session, pid: job.pid! };
  } finally {
    job.kill('SIGKILL');
    await exited;
  }
}

function positionalJob(data: string, weights: string, truth: string, epochs: number): string[] {
  return [POSITIONAL_JOB, ...positionalJobArgs(data, weights, truth, epochs)];
}

function torchOk(t: TestContext): boolean {
  return requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch');
}

void test('attach without --dataset: a positional dataset argument and a checkpoint folder of any name are found exactly', async (t) => {
  if (!torchOk(t)) return;
  const { dir, cleanup } = tempDir('found-positional');
  try {
    const data = join(dir, 'images');
    const weights = join(dir, 'weights');
    const dataset = makeDataset(data, { files: 320, minKb: 40, maxKb: 120, subdirs: 4 });
    const truthFile = join(dir, 'truth.jsonl');
    const run = await attachTo(dir, positionalJob(data, weights, truthFile, 12), truthFile, []);
    // the evidence: workers seen reading under it, or the argument that reaches the DataLoader
    // (files are open for ~50 µs each: a 1.5 s look may catch none of them on a busy machine)
    assert.match(
      run.stderr,
      new RegExp(`found dataset ${data}: .*(reading ${data}/…|argument \`data\` = ${data})`),
    );
    assert.match(run.stderr, new RegExp(`found checkpoint folder ${weights}: `));
    assert.doesNotMatch(run.stderr, /no file under \S+ was read in \d+ s: is it the dataset/);
    const r = await report(dir, run.session);
    const truth = readTruth(truthFile);
    // the dataset: the root of the class folders, indexed whole (its truth file is one more file)
    assert.deepEqual(
      r.datasets.map((d) => d.path),
      [data],
    );
    const truthFileBytes = statSync(join(data, '.truth-dataset.json')).size;
    assert.ok(
      r.datasets[0].bytes === dataset.bytes || r.datasets[0].bytes === dataset.bytes + truthFileBytes,
      `${r.datasets[0].bytes} B indexed for ${dataset.bytes} B`,
    );
    // each whole epoch seen reads the dataset once (the job reads every file whole): ±3 %
    const whole = r.epochs
      .filter((e) => e.source !== 'session')
      .slice(0, -1)
      .filter((e) => e.startS > 0.5);
    assert.ok(whole.length >= 2, JSON.stringify(r.epochs));
    for (const e of whole) near(e.rereadFactor, 1, 0.03, `epoch ${e.index} re-read factor`);
    // every save of the recording is found in the folder found, by path, bytes within 1 %
    const at = (tt: number): number => toSessionS(tt, sessionHeader(run.session).startedAtMs);
    const saves = truth.checkpoints.filter((c) => at(c.t0) > 1);
    assert.ok(saves.length >= 2);
    for (const c of saves) {
      const found = r.checkpoints.find((x) => x.path === c.path);
      assert.ok(found, `checkpoint ${c.path} not in ${JSON.stringify(r.checkpoints.map((x) => x.path))}`);
      near(found.bytes, c.bytes, 0.01 * c.bytes, 'checkpoint bytes');
    }
  } finally {
    cleanup();
  }
});

void test('launch without --dataset: the dataset is found once the job reads it, checkpoints from torch.save', async (t) => {
  if (!torchOk(t)) return;
  const { dir, cleanup } = tempDir('found-launch');
  try {
    const data = join(dir, 'images');
    const weights = join(dir, 'out', 'w');
    makeDataset(data, { files: 240, minKb: 40, maxKb: 120, subdirs: 3 });
    const truthFile = join(dir, 'truth.jsonl');
    const session = join(dir, 'session.trainio.jsonl');
    const rec = await runCli(
      [
        'record',
        '--out',
        session,
        '--interval',
        '100',
        '--',
        SYSTEM_PYTHON,
        ...positionalJob(data, weights, truthFile, 4),
      ],
      { cwd: dir },
    );
    assert.equal(rec.code, 0, rec.stderr);
    assert.match(rec.stderr, new RegExp(`found dataset ${data}: `));
    assert.match(rec.stderr, new RegExp(`found checkpoint folder ${weights}: `));
    const r = await report(dir, session);
    assert.deepEqual(
      r.datasets.map((d) => d.path),
      [data],
    );
    const truth = readTruth(truthFile);
    // the hook names every save; none is lost to the late start of the folder's watcher
    assert.equal(r.checkpoints.length, truth.checkpoints.length);
    for (const c of truth.checkpoints)
      assert.ok(
        r.checkpoints.some((x) => x.path === c.path),
        c.path,
      );
  } finally {
    cleanup();
  }
});

void test('attach without --dataset: an LMDB dataset is found through its memory mapping', async (t) => {
  if (!torchOk(t)) return;
  if (
    !requireTool(
      t,
      hasCommand(SYSTEM_PYTHON, ['-c', 'import lmdb']),
      'python3-lmdb',
      'apt-get install python3-lmdb',
    )
  )
    return;
  const { dir, cleanup } = tempDir('found-lmdb');
  try {
    const data = join(dir, 'train.lmdb');
    makeShapesDataset(data, { format: 'lmdb', samples: 1500, sampleKb: 16 });
    const truthFile = join(dir, 'truth.jsonl');
    const argv = [
      workloadScript('train_shapes.py'),
      '--format',
      'lmdb',
      '--data',
      data,
      '--epochs',
      '6',
      '--num-workers',
      '2',
      '--batch-size',
      '16',
      '--compute-ms',
      '20',
      '--truth',
      truthFile,
    ];
    const run = await attachTo(dir, argv, truthFile, []);
    assert.match(run.stderr, new RegExp(`found dataset ${data}: .*map ${data}/data\\.mdb`));
    const r = await report(dir, run.session);
    assert.deepEqual(
      r.datasets.map((d) => d.path),
      [data],
    );
    // the mapping is measured: one file, its size on disk exactly
    const mapped = readFileSync(run.session, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"type":"mapped"'))
      .map((l) => JSON.parse(l) as { files: number; mappedBytes: number });
    // (the last records, after the workers exited, map nothing)
    const size = statSync(join(data, 'data.mdb')).size;
    assert.ok(
      mapped.some((m) => m.files === 1 && m.mappedBytes === size),
      `no mapped record of one ${size} B file: ${JSON.stringify(mapped.slice(0, 3))}`,
    );
    assert.match(r.reread.method ?? '', /mmap/);
  } finally {
    cleanup();
  }
});

void test('a --dataset the job never reads is warned about (CLI stderr and a session note)', async (t) => {
  if (!torchOk(t)) return;
  const { dir, cleanup } = tempDir('found-wrong');
  try {
    const data = join(dir, 'images');
    const wrong = join(dir, 'other');
    mkdirSync(wrong);
    writeFileSync(join(wrong, 'readme.txt'), 'not the dataset\n');
    makeDataset(data, { files: 240, minKb: 40, maxKb: 120, subdirs: 3 });
    const truthFile = join(dir, 'truth.jsonl');
    const run = await attachTo(dir, positionalJob(data, join(dir, 'w'), truthFile, 70), truthFile, [
      '--dataset',
      wrong,
      '--duration',
      '32',
    ]);
    // the hint names where the job reads: the dataset, or a folder above it when its files (open
    // ~50 µs each) were not caught on a busy machine and only other reads under that folder were
    const above: string[] = [];
    for (let d = data; d !== dirname(d); d = dirname(d)) above.push(d);
    const warning = new RegExp(
      `no file under ${wrong} was read in 2\\d s: is it the dataset\\? \\(the job reads [^)]*(${above.join('|')})/…[^)]*\\)`,
    );
    assert.match(run.stderr, warning);
    const notes = readFileSync(run.session, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"about":"paths"'));
    assert.ok(
      notes.some((l) => warning.test((JSON.parse(l) as { message: string }).message)),
      notes.join('\n'),
    );
  } finally {
    cleanup();
  }
});
