/**
 * The reference training jobs run for real and their ground truth is self-consistent: every other
 * test trusts these numbers, so they are checked against the files on disk and against each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, hasTorch, requireTool } from '../support/tools';
import { readTruth, type Truth } from '../support/truth';
import { makeDataset, runWorkload, tempDir, type WorkloadName } from '../support/workloads';

function walkFiles(dir: string): { path: string; bytes: number }[] {
  const out: { path: string; bytes: number }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...walkFiles(p));
    else out.push({ path: p, bytes: st.size });
  }
  return out;
}

const EPS = 1e-6;

function checkTruth(
  truth: Truth,
  o: { epochs: number; files: number; batch: number; ckptEvery: number },
): void {
  assert.ok(truth.end, 'the job wrote its end line');
  assert.equal(truth.epochs.length, o.epochs);
  const perEpoch = Math.ceil(o.files / o.batch);
  for (const e of truth.epochs) {
    assert.ok(e.endT > e.startT, `epoch ${e.index} ends after it starts`);
    assert.equal(
      truth.steps.filter((s) => s.epoch === e.index).length,
      perEpoch,
      `steps of epoch ${e.index}`,
    );
  }
  assert.deepEqual(
    truth.waits.map((w) => w.kind),
    Array.from({ length: o.epochs }, () => ['iter', 'stop']).flat(),
    'one iterator creation and one final StopIteration per epoch',
  );
  // Σ step waits + iterator creations + final StopIterations = the total the job kept itself.
  assert.ok(
    Math.abs(truth.waitS - truth.end.waitS) < EPS,
    `Σ waits ${truth.waitS} vs end ${truth.end.waitS}`,
  );
  const firstIter = truth.waits[0].t0;
  const lastStop = truth.waits[truth.waits.length - 1].t1;
  assert.ok(Math.abs(truth.loopS - (lastStop - firstIter)) < EPS, 'loop: first iter() → last StopIteration');
  assert.ok(truth.end.waitS <= truth.loopS + EPS, 'waiting is part of the loop');
  assert.ok(truth.stallPct >= 0 && truth.stallPct <= 100);
  const steps = o.epochs * perEpoch;
  assert.equal(truth.checkpoints.length, Math.floor(steps / o.ckptEvery));
  for (const c of truth.checkpoints) {
    assert.equal(statSync(c.path).size, c.bytes, `${c.path} has the bytes the truth states`);
    assert.ok(c.t1 >= c.t0);
  }
}

for (const job of ['train_stdlib.py', 'train_torch.py'] as WorkloadName[]) {
  for (const workers of [0, 2]) {
    void test(`${job} with ${workers} workers writes consistent ground truth`, async (t) => {
      if (job === 'train_torch.py' && !requireTool(t, hasTorch(), 'PyTorch', 'apt-get install python3-torch'))
        return;
      const tmp = tempDir('workload');
      try {
        const data = join(tmp.dir, 'data');
        const ds = makeDataset(data, { files: 120, minKb: 4, maxKb: 12, subdirs: 3, seed: 7 });
        const knobs = {
          data,
          epochs: 2,
          'batch-size': 16,
          'num-workers': workers,
          'ckpt-dir': join(tmp.dir, 'ckpt'),
          'ckpt-every': 5,
          'ckpt-mb': 0.5,
          'slow-read-ms': 1,
          truth: join(tmp.dir, 'truth.jsonl'),
        };
        const run = await runWorkload(job, knobs);
        assert.equal(run.code, 0, run.stderr);
        const truth = readTruth(knobs.truth);
        checkTruth(truth, { epochs: 2, files: ds.files, batch: 16, ckptEvery: 5 });
        assert.equal(readdirSync(knobs['ckpt-dir']).length, truth.checkpoints.length);
        const ckptMb = truth.checkpoints[0].bytes / 2 ** 20;
        assert.ok(ckptMb >= 0.5 && ckptMb < 0.6, `checkpoint ≈ 0.5 MB (${ckptMb.toFixed(3)})`);
        if (workers === 0) {
          // the main process sleeps 1 ms per file itself: that all counts as waiting for data
          assert.ok(
            truth.waitS >= (2 * ds.files * 1) / 1000,
            `waits ${truth.waitS} ≥ 2 epochs × files × 1 ms`,
          );
        }
      } finally {
        tmp.cleanup();
      }
    });
  }
}

void test('make_dataset.py writes what its truth states, deterministically', (t) => {
  const tmp = tempDir('dataset');
  t.after(tmp.cleanup);
  const a = makeDataset(join(tmp.dir, 'a'), { files: 50, minKb: 2, maxKb: 6, subdirs: 4, seed: 3 });
  const b = makeDataset(join(tmp.dir, 'b'), { files: 50, minKb: 2, maxKb: 6, subdirs: 4, seed: 3 });
  const files = walkFiles(join(tmp.dir, 'a')).filter((f) => !f.path.endsWith('.truth-dataset.json'));
  assert.equal(a.files, 50);
  assert.equal(files.length, 50);
  assert.equal(
    files.reduce((s, f) => s + f.bytes, 0),
    a.bytes,
  );
  assert.equal(a.dirs, 4);
  assert.equal(readdirSync(join(tmp.dir, 'a')).filter((n) => !n.startsWith('.')).length, 4);
  for (const f of files) assert.ok(f.bytes >= 2048 && f.bytes <= 6144, `${f.path} size ${f.bytes}`);
  assert.deepEqual(b, a, 'same seed, same dataset');
});

void test('the stdlib job runs on the python3 found on PATH too', async (t) => {
  if (!requireTool(t, hasCommand('python3'), 'python3 on PATH', 'install python3')) return;
  const tmp = tempDir('stdlib-path-python');
  t.after(tmp.cleanup);
  const data = join(tmp.dir, 'data');
  makeDataset(data, { files: 30, minKb: 1, maxKb: 2 });
  const truthPath = join(tmp.dir, 't.jsonl');
  const run = await runWorkload(
    'train_stdlib.py',
    { data, epochs: 1, truth: truthPath },
    { python: 'python3' },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readTruth(truthPath).steps.length, 1);
});
