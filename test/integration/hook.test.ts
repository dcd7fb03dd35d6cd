/**
 * Launch mode for real: the reference PyTorch job runs with the hook injected, a HookReader tails
 * its events, and every number is compared with the job's own ground truth.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, constants } from 'node:fs';
import { join } from 'node:path';
import { buildHookEnv } from '../../src/core/hook/hookEnv';
import { HookReader } from '../../src/core/hook/hookReader';
import { hasCommand, hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { readTruth, toSessionS } from '../support/truth';
import { sourceHarness } from '../support/sourceHarness';
import { makeDataset, runWorkload, tempDir, workloadScript } from '../support/workloads';

const TORCH_HOWTO = 'apt-get install python3-torch (Debian) for /usr/bin/python3';

/** The line of train_torch.py that constructs the DataLoader (found by reading the script). */
function dataLoaderLine(): number {
  const lines = readFileSync(workloadScript('train_torch.py'), 'utf8').split('\n');
  const found = lines.filter((l) => /=\s*DataLoader\(/.test(l));
  assert.equal(found.length, 1, 'one DataLoader( call in train_torch.py');
  return lines.indexOf(found[0]) + 1;
}

for (const workers of [0, 2]) {
  void test(`exact stall, epochs, loader site and saves match the truth (num_workers=${workers})`, async (t) => {
    if (!requireTool(t, hasTorch(), 'PyTorch', TORCH_HOWTO)) return;
    const tmp = tempDir('hook');
    t.after(tmp.cleanup);
    const data = join(tmp.dir, 'data');
    const ds = makeDataset(data, { files: 240, minKb: 4, maxKb: 12, subdirs: 2, seed: 11 });
    const outPath = join(tmp.dir, 'hook.jsonl');
    const truthPath = join(tmp.dir, 'truth.jsonl');
    const h = sourceHarness({ stallWindowMs: 250 });
    const reader = new HookReader({ path: outPath });
    reader.start(h.ctx);
    const run = await runWorkload(
      'train_torch.py',
      {
        data,
        epochs: 2,
        'batch-size': 16,
        'num-workers': workers,
        'slow-read-ms': 1,
        'compute-ms': 6,
        'ckpt-dir': join(tmp.dir, 'ckpt'),
        'ckpt-every': 7,
        'ckpt-mb': 1,
        truth: truthPath,
      },
      { env: buildHookEnv(process.env, { outPath, datasets: [data] }) },
    );
    await reader.stop();
    assert.equal(run.code, 0, run.stderr);
    const truth = readTruth(truthPath);
    const s = (tt: number) => toSessionS(tt, h.ctx.startedAtMs);

    const stalls = h.of('stall');
    assert.ok(
      stalls.every((r) => r.method === 'exact' && r.confidence === 'high' && r.waitS <= r.loopS + 1e-6),
    );
    const waitS = stalls.reduce((a, r) => a + r.waitS, 0);
    const loopS = stalls.reduce((a, r) => a + r.loopS, 0);
    const pct = (waitS / loopS) * 100;
    t.diagnostic(
      `exact stall ${pct.toFixed(3)}% truth ${truth.stallPct.toFixed(3)}%; loop ${loopS.toFixed(4)} s truth ${truth.loopS.toFixed(4)} s`,
    );
    assert.ok(
      Math.abs(pct - truth.stallPct) <= 0.5,
      `exact stall ${pct.toFixed(2)}% vs truth ${truth.stallPct.toFixed(2)}% (±0.5 points)`,
    );
    assert.ok(
      Math.abs(loopS - truth.loopS) < 0.02,
      `loop ${loopS.toFixed(4)} s vs truth ${truth.loopS.toFixed(4)} s`,
    );
    const batches = stalls.reduce((a, r) => a + (r.batches ?? 0), 0);
    assert.equal(batches, truth.steps.length, 'every batch counted once');

    const [loader] = h.of('loader');
    assert.equal(h.of('loader').length, 1);
    assert.deepEqual(loader.site, { file: workloadScript('train_torch.py'), line: dataLoaderLine() });
    assert.equal(loader.numWorkers, workers);
    assert.equal(loader.batchSize, 16);
    assert.equal(loader.datasetLen, ds.files);
    assert.equal(loader.datasetClass, 'FileDataset');

    const marks = h.of('epochMark');
    assert.equal(marks.length, truth.epochs.length);
    marks.forEach((m, i) => {
      const d = Math.abs(m.s - s(truth.epochs[i].startT));
      assert.ok(d < 0.01, `epoch ${i} mark off by ${d.toFixed(4)} s`);
    });

    const saves = h.of('save');
    assert.equal(saves.length, truth.checkpoints.length);
    assert.ok(saves.length >= 2);
    saves.forEach((r, i) => {
      const c = truth.checkpoints[i];
      assert.equal(r.path, c.path);
      assert.equal(r.bytes, c.bytes);
      assert.ok(Math.abs(r.endS - s(c.t1)) < 0.05, `save ${i} end off by ${(r.endS - s(c.t1)).toFixed(4)} s`);
      assert.ok(
        Math.abs(r.startS - s(c.t0)) < 0.05,
        `save ${i} start off by ${(r.startS - s(c.t0)).toFixed(4)} s`,
      );
      assert.equal(r.site?.file, workloadScript('train_torch.py'));
    });

    const opens = h.of('opens');
    const opened = opens.reduce((a, r) => a + r.count, 0);
    assert.equal(opened, ds.files * 2, 'every dataset file opened once per epoch, workers included');
    assert.equal(opens[opens.length - 1].distinctFiles, ds.files);

    assert.equal(reader.environment().torch, String(truth.start.config.torch));
    assert.equal(reader.malformedLines, 0, 'no torn lines from forked workers');
  });
}

async function runProbe(env: NodeJS.ProcessEnv, args: string[] = []) {
  return await new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>(
    (done, fail) => {
      const t0 = Date.now();
      const child = spawn(SYSTEM_PYTHON, [workloadScript('hook_probe.py'), ...args], { env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr, ms: Date.now() - t0 }));
    },
  );
}

void test('a broken output never changes what the job does', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch', TORCH_HOWTO)) return;
  if (!requireTool(t, hasCommand('mkfifo', ['--version']), 'mkfifo', 'apt-get install coreutils')) return;
  const tmp = tempDir('hook-failsafe');
  t.after(tmp.cleanup);
  const baseline = await runProbe(process.env, ['200']);
  assert.equal(baseline.code, 0, baseline.stderr);
  assert.match(baseline.stdout, /batches 400 total 39800\.0 saved True/);

  mkdirSync(join(tmp.dir, 'a-directory'));
  const fifo = join(tmp.dir, 'no-reader.fifo');
  spawnOk('mkfifo', [fifo]);
  const outs = {
    'missing directory': join(tmp.dir, 'missing', 'hook.jsonl'),
    'a directory': join(tmp.dir, 'a-directory'),
    'FIFO without reader': fifo,
    '/proc file': '/proc/version',
  };
  for (const [what, outPath] of Object.entries(outs)) {
    const r = await runProbe(buildHookEnv(process.env, { outPath, datasets: [] }), ['200']);
    assert.equal(r.code, 0, `${what}: ${r.stderr}`);
    assert.equal(r.stdout, baseline.stdout, `${what}: same output`);
    assert.equal(r.stderr, baseline.stderr, `${what}: same stderr`);
  }
  assert.ok(!existsSync(join(tmp.dir, 'missing')), 'no directory created');
});

void test('a FIFO whose reader never reads does not block the job', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch', TORCH_HOWTO)) return;
  const tmp = tempDir('hook-fifo');
  t.after(tmp.cleanup);
  const fifo = join(tmp.dir, 'stuck.fifo');
  spawnOk('mkfifo', [fifo]);
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK); // a reader that never reads
  t.after(() => closeSync(fd));
  // 2 × 5000 next() events ≈ 0.9 MB of lines: far more than a pipe holds (64 KiB)
  const r = await runProbe(buildHookEnv(process.env, { outPath: fifo, datasets: [] }), ['5000']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /batches 10000 /);
  assert.equal(r.stderr, '');
});

void test('the hook keeps torch.save working and records saves to a path', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch', TORCH_HOWTO)) return;
  const tmp = tempDir('hook-save');
  t.after(tmp.cleanup);
  const outPath = join(tmp.dir, 'hook.jsonl');
  const ckpt = join(tmp.dir, 'c.pt');
  const r = await runProbe(buildHookEnv(process.env, { outPath, datasets: [] }), ['10', ckpt]);
  assert.equal(r.code, 0, r.stderr);
  const events = readFileSync(outPath, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const saves = events.filter((e) => e.ev === 'save');
  assert.equal(saves.length, 2, 'the in-memory save and the file save');
  assert.equal(saves[0].path, null);
  assert.equal(saves[1].path, ckpt);
  assert.equal(saves[1].bytes, readFileSync(ckpt).length);
  assert.equal(events.filter((e) => e.ev === 'next').length, 22, '2 × (10 batches + StopIteration)');
  assert.equal(events.filter((e) => e.ev === 'iter').length, 2);
  assert.match(r.stdout, /save save/, 'torch.save keeps its name (functools.wraps)');
});

function spawnOk(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed`);
}
