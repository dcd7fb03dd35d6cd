/**
 * Read amplification recorded for real: an HDF5 dataset of 32 KB rows read in shuffled order costs a
 * 64 KB sieve buffer per row. The bytes per sample trainio reports are checked against what h5py
 * reads per row of the same file in the same order pattern (rchar around the reads, measured in
 * Python); rows of 64 KB fill the buffer, read 1× and get no such advice.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { SessionReport } from '../../src/shared/model';
import { hasCommand, hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { knobArgs, makeShapesDataset, tempDir, workloadScript } from '../support/workloads';
import { runCli } from './cliRun';

const SAMPLES = 600;
/** bytes per sample: trainio's against h5py's own, relative */
const TOLERANCE = 0.05;

/** rchar per row when h5py reads every row of the file once in shuffled order (the truth) */
const RCHAR_PER_ROW = `
import random, sys, h5py
def rchar():
    with open("/proc/self/io") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("rchar"))
f = h5py.File(sys.argv[1], "r")
ds = f["samples"]
rows = list(range(ds.shape[0]))
random.Random(1).shuffle(rows)
before = rchar()
for i in rows:
    ds[i]
print((rchar() - before) / len(rows))
`;

interface Run {
  report: SessionReport;
  truthBytesPerRow: number;
  rowBytes: number;
}

async function record(t: TestContext, sampleKb: number): Promise<Run | null> {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch'))
    return null;
  const h5 = hasCommand(SYSTEM_PYTHON, ['-c', 'import h5py']);
  if (!requireTool(t, h5, 'python3-h5py', 'apt-get install python3-h5py')) return null;
  const { dir, cleanup } = tempDir('read-amplification');
  t.after(cleanup);
  const data = join(dir, 'data');
  makeShapesDataset(data, { format: 'hdf5', samples: SAMPLES, sampleKb });
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', RCHAR_PER_ROW, join(data, 'samples.h5')], {
    encoding: 'utf8',
  });
  assert.equal(probe.status, 0, probe.stderr);
  const session = join(dir, 's.jsonl');
  const job = knobArgs({
    format: 'hdf5',
    data,
    epochs: 2,
    'batch-size': 16,
    'num-workers': 1,
    'compute-ms': 5,
  });
  const rec = await runCli(
    [
      'record',
      '--out',
      session,
      '--dataset',
      data,
      '--interval',
      '100',
      '--',
      SYSTEM_PYTHON,
      workloadScript('train_shapes.py'),
      ...job,
    ],
    { cwd: dir },
  );
  assert.equal(rec.code, 0, rec.stderr);
  const out = join(dir, 'r.json');
  assert.equal((await runCli(['report', session, '--format', 'json', '--out', out])).code, 0);
  return {
    report: JSON.parse(readFileSync(out, 'utf8')) as SessionReport,
    truthBytesPerRow: Number(probe.stdout.trim()),
    rowBytes: sampleKb * 1024,
  };
}

void test('launch: HDF5 rows of 32 KB read in shuffled order: read-amplification at ≈ 64 KB per sample', async (t) => {
  const run = await record(t, 32);
  if (!run) return;
  const { report, truthBytesPerRow, rowBytes } = run;
  assert.ok(truthBytesPerRow >= 1.5 * rowBytes, `h5py read ${truthBytesPerRow} B per ${rowBytes} B row`);
  const advice = report.advice.find((a) => a.id === 'read-amplification');
  assert.ok(advice, report.advice.map((a) => a.id).join(', '));
  assert.equal(report.loaders[0]?.datasetLen, SAMPLES);
  assert.equal(report.epochs.length, 2);
  // the session's bytes per sample: an epoch's own boundary moves by a sample interval (100 ms)
  const perSample = report.epochs.reduce((n, e) => n + e.bytesRead, 0) / (2 * SAMPLES);
  assert.ok(
    Math.abs(perSample - truthBytesPerRow) <= TOLERANCE * truthBytesPerRow,
    `${perSample} B per sample for h5py's ${truthBytesPerRow} B (±5 %)`,
  );
  const shown = /(\d+) KB read per sample/.exec(advice.evidence.join('\n'));
  assert.ok(shown, advice.evidence.join('\n'));
  const kb = Number(shown[1]) * 1024;
  assert.ok(
    Math.abs(kb - truthBytesPerRow) <= TOLERANCE * truthBytesPerRow,
    `advice says ${shown[1]} KB per sample for h5py's ${truthBytesPerRow} B`,
  );
  assert.match(advice.message, /sieve buffer/);
  assert.match(advice.message, /rdcc_nbytes/);
});

void test('launch: HDF5 rows of 64 KB fill the sieve buffer: no read-amplification', async (t) => {
  const run = await record(t, 64);
  if (!run) return;
  const { report, truthBytesPerRow, rowBytes } = run;
  assert.ok(truthBytesPerRow <= 1.1 * rowBytes, `h5py read ${truthBytesPerRow} B per ${rowBytes} B row`);
  assert.equal(report.epochs.length, 2);
  for (const e of report.epochs)
    assert.ok(e.rereadFactor < 1.3, `epoch ${e.index} read ${e.rereadFactor}× the dataset`);
  assert.deepEqual(
    report.advice.filter((a) => a.id === 'read-amplification'),
    [],
  );
});
