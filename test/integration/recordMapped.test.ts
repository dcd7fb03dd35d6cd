/**
 * Datasets read through memory maps (numpy memmap, LMDB) and spawned workers, recorded for real:
 * the bytes of every epoch, the re-read factor and the method against the job's own truth.
 * - non-persistent workers fault the mapped pages in again every epoch: factor ≈ epochs;
 * - persistent workers keep them: later epochs count nothing, and the report says why;
 * - spawned workers re-import torch every epoch: those module reads are not dataset reads.
 * Both without the hook (what attach sees) and with it (launch mode).
 */
import assert from 'node:assert/strict';
import { execFileSync, execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { SessionReport } from '../../src/shared/model';
import { hasCommand, hasTorch, inCI, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { tempDir } from '../support/workloads';
import { runCli } from './cliRun';

const JOB = join(__dirname, 'mapped_dataset_job.py');
/** re-read factor tolerance, relative */
const TOLERANCE = 0.03;

interface Run {
  report: SessionReport;
  /** per epoch: bytes of dataset files the epoch had to bring in */
  truthBytes: number[];
  datasetBytes: number;
}

interface JobOptions {
  format: 'npy' | 'lmdb' | 'files';
  hook: boolean;
  knobs?: string[];
  n?: number;
  sampleBytes?: number;
  coldCache?: boolean;
}

async function record(t: TestContext, o: JobOptions): Promise<Run | null> {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch'))
    return null;
  const lmdbOk = o.format !== 'lmdb' || hasCommand(SYSTEM_PYTHON, ['-c', 'import lmdb']);
  if (!requireTool(t, lmdbOk, 'python3-lmdb', 'apt-get install python3-lmdb')) return null;
  if (
    !o.hook &&
    !requireTool(t, hasCommand('inotifywait', ['--help']), 'inotifywait', 'apt-get install inotify-tools')
  )
    return null;
  const { dir, cleanup } = tempDir('record-mapped');
  try {
    const data = join(dir, 'data');
    const size = ['--n', String(o.n ?? 2000), '--sample-bytes', String(o.sampleBytes ?? 16384)];
    const made = execFileSync(SYSTEM_PYTHON, [JOB, '--make', '--data', data, '--format', o.format, ...size], {
      encoding: 'utf8',
    });
    const datasetBytes = (JSON.parse(made) as { bytes: number }).bytes;
    if (o.coldCache) {
      execSync('sync');
      writeFileSync('/proc/sys/vm/drop_caches', '1');
    }
    const truth = join(dir, 'truth.jsonl');
    const session = join(dir, 's.jsonl');
    const job = [
      SYSTEM_PYTHON,
      JOB,
      '--data',
      data,
      '--format',
      o.format,
      ...size,
      '--truth',
      truth,
      ...(o.knobs ?? []),
    ];
    const flags = ['--interval', '100', ...(o.hook ? [] : ['--no-hook'])];
    const rec = await runCli(['record', '--out', session, '--dataset', data, ...flags, '--', ...job], {
      cwd: dir,
    });
    assert.equal(rec.code, 0, rec.stderr);
    const out = join(dir, 'r.json');
    assert.equal((await runCli(['report', session, '--format', 'json', '--out', out])).code, 0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as SessionReport;
    const truthBytes = readFileSync(truth, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"epoch_end"'))
      .map((l) => (JSON.parse(l) as { file_bytes: number }).file_bytes);
    return { report, truthBytes, datasetBytes };
  } finally {
    cleanup();
  }
}

function assertFactor(run: Run, expected: number, what: string): void {
  const f = run.report.reread.factor;
  assert.ok(Math.abs(f - expected) <= TOLERANCE * expected, `${what}: re-read ${f}× for ${expected}× (±3 %)`);
}

function assertEpochBytes(run: Run): void {
  assert.equal(run.report.epochs.length, run.truthBytes.length, 'epochs');
  run.report.epochs.forEach((e, i) => {
    const want = run.truthBytes[i];
    assert.ok(
      Math.abs(e.bytesRead - want) <= TOLERANCE * want,
      `epoch ${i}: ${e.bytesRead} B read for ${want} B (${(e.bytesRead / want).toFixed(4)}×)`,
    );
  });
}

for (const hook of [false, true]) {
  const mode = hook ? 'launch' : 'attach';
  void test(`${mode}: numpy memmap, workers not persistent: every epoch faults the dataset in again`, async (t) => {
    const run = await record(t, { format: 'npy', hook });
    if (!run) return;
    assertFactor(run, 3, 'npy');
    assertEpochBytes(run);
    assert.equal(run.report.reread.method, 'mmap');
  });

  void test(`${mode}: spawned workers: module imports are not dataset reads`, async (t) => {
    const run = await record(t, { format: 'files', hook, knobs: ['--start-method', 'spawn'], n: 1500 });
    if (!run) return;
    assertEpochBytes(run);
    assertFactor(run, 3, 'spawn');
    assert.equal(run.report.reread.method, 'opens');
    assert.ok(
      run.report.notes.some((n) => /read\(\) counted more than the dataset files opened/.test(n.message)),
    );
  });
}

void test('attach: LMDB, workers not persistent: factor ≈ epochs', async (t) => {
  const run = await record(t, { format: 'lmdb', hook: false });
  if (!run) return;
  assertFactor(run, 3, 'lmdb');
  assertEpochBytes(run);
  assert.equal(run.report.reread.method, 'mmap');
});

void test('launch: numpy memmap with persistent workers: later epochs hold their pages, and the report says so', async (t) => {
  const run = await record(t, { format: 'npy', hook: true, knobs: ['--persistent-workers'] });
  if (!run) return;
  const [first, ...later] = run.report.epochs;
  assert.equal(run.report.epochs.length, 3);
  const want = run.truthBytes[0];
  assert.ok(
    Math.abs(first.bytesRead - want) <= TOLERANCE * want,
    `epoch 0: ${first.bytesRead} B for ${want} B`,
  );
  for (const e of later) assert.ok(e.bytesRead <= 0.02 * want, `epoch ${e.index}: ${e.bytesRead} B counted`);
  assert.ok(
    run.report.notes.some((n) =>
      /epochs 2–3 read the memory-mapped dataset through pages the processes already held/.test(n.message),
    ),
    run.report.notes.map((n) => n.message).join('\n'),
  );
});

void test('attach: numpy memmap after the page cache was dropped: epoch 0 from disk, later epochs from the cache', async (t) => {
  if (process.getuid?.() !== 0) {
    const message = 'dropping the page cache needs root (echo 1 > /proc/sys/vm/drop_caches)';
    if (inCI) throw new Error(`CI=true and ${message}`);
    t.skip(message);
    return;
  }
  const run = await record(t, { format: 'npy', hook: false, coldCache: true });
  if (!run) return;
  assert.equal(
    run.report.epochs.length,
    3,
    JSON.stringify(run.report.epochs.map((e) => [e.startS, e.source])),
  );
  assertFactor(run, 3, 'cold npy');
  assertEpochBytes(run);
  const [first, ...later] = run.report.epochs;
  for (const e of later) assert.ok(e.pageCacheHitPct >= 90, `epoch ${e.index} hit ${e.pageCacheHitPct}%`);
  // the new workers' first reads come as one burst (the kernel's read-ahead fills the cache at
  // once): they are placed by who read them, not by the rates around the boundary
  assert.ok(first.diskBytesRead >= 0.8 * run.truthBytes[0], `epoch 0: ${first.diskBytesRead} B from disk`);
  assert.ok(first.pageCacheHitPct <= 20, `epoch 0 hit ${first.pageCacheHitPct}%`);
});
