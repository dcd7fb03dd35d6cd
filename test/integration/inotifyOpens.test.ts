import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OpenWatcher } from '../../src/core/dataset/openWatcher';
import { sourceHarness } from '../support/sourceHarness';
import { hasCommand, hasTorch, requireTool } from '../support/tools';
import { readTruth, toSessionS } from '../support/truth';
import { makeDataset, runWorkload, tempDir } from '../support/workloads';

const HOW_TO = 'apt-get install inotify-tools';
const hasInotifywait = (): boolean => hasCommand('inotifywait', ['--help']);
/** the epoch boundary found from re-opens vs the truth's epoch start (just before iter(loader)) */
const BOUNDARY_TOLERANCE_S = 0.5;
const FILES = 300;
const EPOCHS = 3;

const cases: { job: 'train_stdlib.py' | 'train_torch.py'; persistent: boolean }[] = [
  { job: 'train_stdlib.py', persistent: false },
  { job: 'train_stdlib.py', persistent: true },
  { job: 'train_torch.py', persistent: false },
  { job: 'train_torch.py', persistent: true },
];

for (const { job, persistent } of cases) {
  const workers = persistent ? 'persistent workers' : 'new workers every epoch';
  const name = job === 'train_torch.py' ? 'PyTorch DataLoader' : 'stdlib job';
  void test(`${name}, 2 ${workers}: epoch boundaries within ${BOUNDARY_TOLERANCE_S} s, every file read once per epoch`, async (t) => {
    if (!requireTool(t, hasInotifywait(), 'inotifywait', HOW_TO)) return;
    if (
      job === 'train_torch.py' &&
      !requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')
    ) {
      return;
    }
    const data = tempDir('opens-data');
    const out = tempDir('opens-out');
    try {
      const truthData = makeDataset(data.dir, { files: FILES, minKb: 4, maxKb: 16, subdirs: 4 });
      const h = sourceHarness({ stallWindowMs: 500 });
      const watcher = new OpenWatcher([data.dir]);
      watcher.start(h.ctx);
      assert.equal(await watcher.ready(), true);
      const truthPath = join(out.dir, 'truth.jsonl');
      const run = await runWorkload(job, {
        data: data.dir,
        epochs: EPOCHS,
        'num-workers': 2,
        'persistent-workers': persistent,
        'batch-size': 16,
        'compute-ms': 40,
        truth: truthPath,
      });
      assert.equal(run.code, 0, run.stderr);
      await new Promise((r) => setTimeout(r, 300)); // the last opens still in the pipe
      await watcher.stop();
      const truth = readTruth(truthPath);
      assert.equal(truth.epochs.length, EPOCHS);

      const marks = h.of('epochMark');
      assert.equal(marks.length, EPOCHS - 1, JSON.stringify(marks));
      const errors = marks.map((m, i) => m.s - toSessionS(truth.epochs[i + 1].startT, h.ctx.startedAtMs));
      t.diagnostic(
        `boundary − truth epoch start: ${errors.map((e) => `${(e * 1000).toFixed(0)} ms`).join(', ')}`,
      );
      marks.forEach((m, i) => {
        const truthS = toSessionS(truth.epochs[i + 1].startT, h.ctx.startedAtMs);
        assert.equal(m.source, 'reopen');
        assert.ok(Math.abs(m.s - truthS) <= BOUNDARY_TOLERANCE_S, `boundary ${m.s} vs truth ${truthS}`);
        assert.equal(m.previousEpochFiles, truthData.files);
      });

      const opens = h.of('opens');
      const last = opens[opens.length - 1];
      assert.equal(last.distinctFiles, truthData.files);
      assert.equal(last.epoch, EPOCHS - 1);
      assert.equal(last.epochFiles, truthData.files);
      // exactly one open per file per epoch (the job reads each file once)
      assert.equal(
        opens.reduce((a, o) => a + o.count, 0),
        truthData.files * EPOCHS,
      );
      assert.deepEqual(h.of('note'), []);
    } finally {
      data.cleanup();
      out.cleanup();
    }
  });
}

void test('without inotifywait: one note saying how to get it, and nothing else', async () => {
  const data = tempDir('opens-missing');
  try {
    const h = sourceHarness();
    const watcher = new OpenWatcher([data.dir], { command: 'inotifywait-not-installed-here' });
    watcher.start(h.ctx);
    assert.equal(await watcher.ready(), false);
    await watcher.stop();
    assert.deepEqual(
      h.records.map((r) => (r.type === 'note' ? r.message : r.type)),
      ['per-file read coverage needs inotify-tools: apt-get install inotify-tools'],
    );
  } finally {
    data.cleanup();
  }
});

void test('the inotify watch limit is detected and noted (a user namespace with 3 watches allowed)', async (t) => {
  if (!requireTool(t, hasInotifywait(), 'inotifywait', HOW_TO)) return;
  const userns = spawnSync(
    'unshare',
    ['-U', '-r', 'sh', '-c', 'echo 3 > /proc/sys/user/max_inotify_watches'],
    { stdio: 'ignore' },
  );
  if (
    !requireTool(
      t,
      userns.status === 0,
      'unprivileged user namespaces (unshare -U)',
      'sysctl -w kernel.unprivileged_userns_clone=1',
    )
  )
    return;
  const data = tempDir('opens-limit');
  try {
    for (let i = 0; i < 8; i++) mkdirSync(join(data.dir, `d${i}`));
    const wrapper = join(data.dir, 'limited-inotifywait');
    writeFileSync(
      wrapper,
      '#!/bin/sh\nexec unshare -U -r sh -c \'echo 3 > /proc/sys/user/max_inotify_watches && exec inotifywait "$@"\' sh "$@"\n',
    );
    chmodSync(wrapper, 0o755);
    const h = sourceHarness();
    const watcher = new OpenWatcher([data.dir], { command: wrapper });
    watcher.start(h.ctx);
    assert.equal(await watcher.ready(), false);
    await watcher.stop();
    const notes = h.of('note');
    assert.equal(notes.length, 1, JSON.stringify(notes));
    assert.match(notes[0].message, /upper limit on inotify watches reached/);
    assert.match(notes[0].message, /max_user_watches/);
    assert.equal(h.records.length, 1);
  } finally {
    data.cleanup();
  }
});

void test('opens under an excluded checkpoint directory inside the dataset are not counted', async (t) => {
  if (!requireTool(t, hasInotifywait(), 'inotifywait', HOW_TO)) return;
  const data = tempDir('opens-exclude');
  try {
    const ckpt = join(data.dir, 'ckpt (run 1)');
    mkdirSync(ckpt);
    for (let i = 0; i < 5; i++) writeFileSync(join(ckpt, `e${i}.pt`), 'x');
    for (let i = 0; i < 7; i++) writeFileSync(join(data.dir, `s${i}.bin`), 'y');
    const h = sourceHarness();
    const watcher = new OpenWatcher([data.dir], { exclude: [ckpt] });
    watcher.start(h.ctx);
    assert.equal(await watcher.ready(), true);
    const r = spawnSync('sh', ['-c', 'cat "$1"/*.bin "$1"/*/*.pt > /dev/null', 'sh', data.dir]);
    assert.equal(r.status, 0);
    await new Promise((res) => setTimeout(res, 300));
    await watcher.stop();
    assert.equal(watcher.distinctFiles, 7);
  } finally {
    data.cleanup();
  }
});
