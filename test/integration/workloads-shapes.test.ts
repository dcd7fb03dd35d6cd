/**
 * The reference jobs for the other shapes users run — packed datasets (LMDB, numpy memmap, HDF5,
 * tar shards), spawned workers, a slow worker import, DDP ranks — run for real, and their ground
 * truth is checked against the files on disk and against itself: every other test trusts it.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { requireTool, SYSTEM_PYTHON } from '../support/tools';
import { readLauncherTruth, readRankTruths, readTruth, type Truth } from '../support/truth';
import {
  makeDataset,
  makeShapesDataset,
  runWorkload,
  tempDir,
  WORKLOADS_DIR,
  type Knobs,
  type ShapesDatasetOptions,
} from '../support/workloads';

const EPS = 1e-6;
const SAMPLES = 400;
const SAMPLE_KB = 64;
const BATCH = 32;

const importable = new Map<string, boolean>();

/** torch (and `modules`) importable by the system python; asked once per set of modules. */
function ready(t: TestContext, modules: string[] = []): boolean {
  const imports = ['torch', ...modules].join(', ');
  if (!importable.has(imports)) {
    const r = spawnSync(SYSTEM_PYTHON, ['-c', `import ${imports}`], { stdio: 'ignore' });
    importable.set(imports, r.status === 0);
  }
  const how = 'apt-get install python3-torch python3-lmdb python3-h5py';
  return requireTool(t, importable.get(imports) === true, `python modules ${imports}`, how);
}

/** The loop's own bookkeeping: epochs, steps per epoch, one iter/stop wait each, Σ waits = end. */
function checkLoop(truth: Truth, epochs: number, stepsPerEpoch: number): void {
  assert.ok(truth.end, 'the job wrote its end line');
  assert.equal(truth.epochs.length, epochs);
  for (const e of truth.epochs) {
    assert.ok(e.endT > e.startT, `epoch ${e.index} ends after it starts`);
    const steps = truth.steps.filter((s) => s.epoch === e.index).length;
    assert.equal(steps, stepsPerEpoch, `steps of epoch ${e.index}`);
  }
  assert.deepEqual(
    truth.waits.map((w) => w.kind),
    Array.from({ length: epochs }, () => ['iter', 'stop']).flat(),
  );
  assert.ok(
    Math.abs(truth.waitS - truth.end.waitS) < EPS,
    `Σ waits ${truth.waitS} vs end ${truth.end.waitS}`,
  );
  const loop = truth.waits[truth.waits.length - 1].t1 - truth.waits[0].t0;
  assert.ok(Math.abs(truth.loopS - loop) < EPS, 'loop: first iter() → last StopIteration');
  assert.ok(truth.stallPct > 0 && truth.stallPct <= 100, `stall ${truth.stallPct}`);
}

/** Every checkpoint the truth names exists with its bytes, and the folder holds nothing else. */
function checkCheckpoints(truth: Truth, dir: string, expected: number): void {
  assert.equal(truth.checkpoints.length, expected);
  for (const c of truth.checkpoints) assert.equal(statSync(c.path).size, c.bytes, c.path);
  assert.deepEqual(readdirSync(dir).sort(), truth.checkpoints.map((c) => basename(c.path)).sort());
}

function knobs(dir: string, over: Knobs): Knobs {
  return {
    epochs: 2,
    'batch-size': BATCH,
    'num-workers': 1,
    'ckpt-dir': join(dir, 'ckpt'),
    'ckpt-every': 10,
    'ckpt-mb': 0.25,
    truth: join(dir, 'truth.jsonl'),
    ...over,
  };
}

const formats: { o: ShapesDatasetOptions; workers: number }[] = [
  { o: { format: 'lmdb', samples: SAMPLES, sampleKb: SAMPLE_KB }, workers: 1 },
  { o: { format: 'npy', samples: SAMPLES, sampleKb: SAMPLE_KB }, workers: 1 },
  { o: { format: 'hdf5', samples: SAMPLES, sampleKb: SAMPLE_KB }, workers: 1 },
  { o: { format: 'tar', samples: SAMPLES, sampleKb: SAMPLE_KB, shards: 4 }, workers: 1 },
  // shards split between workers, each batching its own: 2 × ceil(200 / 32) = 14 steps, not 13
  { o: { format: 'tar', samples: SAMPLES, sampleKb: SAMPLE_KB, shards: 4 }, workers: 2 },
];

for (const { o, workers } of formats) {
  void test(`train_shapes.py over ${o.format} with ${workers} worker(s): every sample once per epoch`, async (t) => {
    if (!ready(t, ['lmdb', 'h5py', 'numpy'])) return;
    const tmp = tempDir(`shapes-${o.format}`);
    t.after(tmp.cleanup);
    const data = join(tmp.dir, 'data');
    const ds = makeShapesDataset(data, o);
    const onDisk = ds.names.map((n) => statSync(join(data, n)).size);
    assert.equal(ds.files, readdirSync(data).filter((n) => !n.startsWith('.truth')).length);
    assert.equal(
      onDisk.reduce((a, b) => a + b, 0),
      ds.bytes,
    );
    assert.equal(ds.payloadBytes, SAMPLES * SAMPLE_KB * 1024);
    assert.ok(ds.bytes >= ds.payloadBytes, 'the files hold every payload');
    const k = knobs(tmp.dir, { format: o.format, data, 'num-workers': workers });
    const run = await runWorkload('train_shapes.py', k);
    assert.equal(run.code, 0, run.stderr);
    const truth = readTruth(String(k.truth));
    const perWorker = (ds.shardSamples ?? [SAMPLES]).reduce<number[]>((acc, n, i) => {
      acc[i % workers] = (acc[i % workers] ?? 0) + n;
      return acc;
    }, []);
    const steps =
      o.format === 'tar' ? perWorker.reduce((a, n) => a + Math.ceil(n / BATCH), 0) : SAMPLES / BATCH;
    checkLoop(truth, 2, Math.ceil(steps));
    for (const e of truth.epochs)
      assert.equal(e.sampleBytes, ds.payloadBytes, `epoch ${e.index} sample_bytes`);
    assert.equal(truth.start.config.format, o.format);
    assert.equal(truth.start.config.worker_start_method, 'fork');
    checkCheckpoints(truth, String(k['ckpt-dir']), Math.floor((2 * Math.ceil(steps)) / 10));
  });
}

void test('make_shapes.py: one seed, the same samples in every format, laid out as stated', (t) => {
  if (!ready(t, ['lmdb', 'h5py', 'numpy'])) return;
  const tmp = tempDir('shapes-layout');
  t.after(tmp.cleanup);
  for (const format of ['lmdb', 'npy', 'hdf5', 'tar'] as const)
    makeShapesDataset(join(tmp.dir, format), { format, samples: 30, sampleKb: 3, shards: 3, seed: 5 });
  assert.deepEqual(readdirSync(join(tmp.dir, 'lmdb')).sort(), ['.truth-dataset.json', 'data.mdb']);
  const check = `
import hashlib, sys, tarfile, lmdb, h5py, numpy as np
d = sys.argv[1]
env = lmdb.open(d + "/lmdb", readonly=True, lock=False)
with env.begin() as txn:
    rows = {"lmdb": [txn.get(b"%d" % i) for i in range(30)]}
rows["npy"] = [bytes(r) for r in np.load(d + "/npy/samples.npy", mmap_mode="r")]
with h5py.File(d + "/hdf5/samples.h5", "r") as f:
    ds = f["samples"]
    assert ds.chunks is None and ds.compression is None and ds.id.get_offset() is not None, "contiguous"
    rows["hdf5"] = [bytes(r) for r in ds[:]]
rows["tar"] = []
for s in range(3):
    with tarfile.open(d + "/tar/shard-%04d.tar" % s) as t:
        rows["tar"] += [t.extractfile(m).read() for m in t]
print(" ".join(k + ":" + hashlib.sha256(b"".join(v)).hexdigest()[:16] + ":" + str(len(v)) for k, v in sorted(rows.items())))
`;
  const r = spawnSync(SYSTEM_PYTHON, ['-c', check, tmp.dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const digests = r.stdout.trim().split(' ');
  assert.equal(digests.length, 4);
  const [, first] = digests[0].split(':');
  for (const d of digests) {
    const [, digest, count] = d.split(':');
    assert.equal(count, '30', d);
    assert.equal(digest, first, `${d} holds the same samples as ${digests[0]}`);
  }
  // and a different seed gives other bytes
  const other = makeShapesDataset(join(tmp.dir, 'other'), {
    format: 'npy',
    samples: 30,
    sampleKb: 3,
    seed: 6,
  });
  assert.equal(other.payloadBytes, 30 * 3 * 1024);
});

void test('train_torch.py --start-method spawn: workers re-start each epoch, recorded in the truth', async (t) => {
  if (!ready(t)) return;
  const tmp = tempDir('spawn');
  t.after(tmp.cleanup);
  const data = join(tmp.dir, 'data');
  const ds = makeDataset(data, { files: 100, minKb: 4, maxKb: 8 });
  const k = knobs(tmp.dir, { data, 'start-method': 'spawn', 'ckpt-every': 4 });
  const run = await runWorkload('train_torch.py', k);
  assert.equal(run.code, 0, run.stderr);
  const truth = readTruth(String(k.truth));
  checkLoop(truth, 2, Math.ceil(ds.files / BATCH));
  assert.equal(truth.start.config.start_method, 'spawn');
  assert.equal(truth.start.config.worker_start_method, 'spawn');
  checkCheckpoints(truth, String(k['ckpt-dir']), 2);
});

void test('--import-ms: every new worker imports a slow module before its first batch', async (t) => {
  if (!ready(t)) return;
  const tmp = tempDir('slow-import');
  t.after(tmp.cleanup);
  const data = join(tmp.dir, 'data');
  makeDataset(data, { files: 64, minKb: 2, maxKb: 4 });
  const k = knobs(tmp.dir, { data, 'import-ms': 400, 'ckpt-dir': undefined });
  const run = await runWorkload('train_torch.py', k);
  assert.equal(run.code, 0, run.stderr);
  const truth = readTruth(String(k.truth));
  checkLoop(truth, 2, 2);
  assert.equal(truth.start.config.import_ms, 400);
  assert.equal(truth.start.config.start_method, null, 'not passed: the platform default');
  assert.equal(truth.start.config.worker_start_method, 'fork');
  for (const e of truth.epochs) {
    const first = truth.steps.find((s) => s.epoch === e.index && s.step === 0)!;
    // non-persistent workers: each epoch's new worker sleeps 400 ms in the import first
    assert.ok(first.waitS >= 0.4, `epoch ${e.index}: first batch after ${first.waitS} s`);
  }
  assert.ok(existsSync(join(WORKLOADS_DIR, 'slow_import.py')));
});

function ddpChecks(dir: string, ranks: number, files: number, epochs: number): Truth[] {
  const launcher = readLauncherTruth(join(dir, 'truth.jsonl'));
  const truths = readRankTruths(join(dir, 'truth.jsonl'));
  assert.equal(truths.length, ranks, 'each rank wrote its truth');
  assert.equal(launcher.worldSize, ranks);
  assert.deepEqual(
    launcher.end?.exitCodes,
    Array.from({ length: ranks }, () => 0),
  );
  assert.deepEqual(
    truths.map((r) => r.start.pid),
    launcher.ranks,
    'the launcher names the ranks by pid',
  );
  const perRank = Math.ceil(Math.ceil(files / ranks) / BATCH); // DistributedSampler pads to equal shares
  truths.forEach((r, i) => {
    assert.equal(r.start.rank, i);
    assert.equal(r.start.worldSize, ranks);
    checkLoop(r, epochs, perRank);
    if (i > 0) assert.equal(r.checkpoints.length, 0, 'rank 0 alone saves');
  });
  return truths;
}

void test('train_ddp.py: 2 forked ranks, a straggler, checkpoints from rank 0 into a folder it creates', async (t) => {
  if (!ready(t)) return;
  const tmp = tempDir('ddp');
  t.after(tmp.cleanup);
  const data = join(tmp.dir, 'data');
  const ds = makeDataset(data, { files: 200, minKb: 4, maxKb: 8 });
  const k = knobs(tmp.dir, {
    data,
    ranks: 2,
    'rank-start-method': 'fork',
    'ckpt-every': 3,
    'slow-rank': 1,
    'slow-rank-read-ms': 6,
  });
  assert.ok(!existsSync(String(k['ckpt-dir'])), 'the job creates its checkpoint folder');
  const run = await runWorkload('train_ddp.py', k);
  assert.equal(run.code, 0, run.stderr);
  const [r0, r1] = ddpChecks(tmp.dir, 2, ds.files, 2);
  assert.equal(r0.start.config.rank_started_by, 'fork');
  checkCheckpoints(r0, String(k['ckpt-dir']), Math.floor(8 / 3));
  // rank 1 reads 100 files × 6 ms more per epoch; rank 0 waits for it in the all-reduce, which is
  // compute, not a data wait: rank 1 alone has that time in its waits
  const extra = 2 * 100 * 0.006;
  assert.ok(
    r1.waitS - r0.waitS > extra / 2,
    `straggler waits ${r1.waitS} vs ${r0.waitS} (+${extra} s of reads)`,
  );
  const compute = (r: Truth) => r.steps.reduce((a, s) => a + s.computeS, 0);
  assert.ok(
    compute(r0) - compute(r1) > extra / 4,
    `rank 0 waits in the all-reduce: ${compute(r0)} vs ${compute(r1)}`,
  );
});

void test('train_ddp.py: spawned ranks (their workers spawn too), and one rank under torchrun', async (t) => {
  if (!ready(t)) return;
  const tmp = tempDir('ddp-spawn');
  t.after(tmp.cleanup);
  const data = join(tmp.dir, 'data');
  const ds = makeDataset(data, { files: 96, minKb: 4, maxKb: 8 });
  const k = knobs(tmp.dir, {
    data,
    epochs: 1,
    ranks: 2,
    'rank-start-method': 'spawn',
    'ckpt-dir': undefined,
  });
  const run = await runWorkload('train_ddp.py', k);
  assert.equal(run.code, 0, run.stderr);
  for (const r of ddpChecks(tmp.dir, 2, ds.files, 1)) {
    assert.equal(r.start.config.rank_started_by, 'spawn');
    assert.equal(r.start.config.worker_start_method, 'spawn', 'a spawned rank defaults its workers to spawn');
  }
  const env = { ...process.env, RANK: '0', WORLD_SIZE: '1', MASTER_ADDR: '127.0.0.1', MASTER_PORT: '0' };
  const one = join(tmp.dir, 'one', 'truth.jsonl');
  mkdirSync(join(tmp.dir, 'one'));
  const solo = await runWorkload('train_ddp.py', { ...k, truth: one, 'num-workers': 0 }, { env });
  assert.equal(solo.code, 0, solo.stderr);
  const [r] = readRankTruths(one);
  assert.ok(!existsSync(one), 'no launcher of ours: no launcher truth');
  assert.equal(r.start.config.rank_started_by, 'environment');
  checkLoop(r, 1, Math.ceil(ds.files / BATCH));
});
