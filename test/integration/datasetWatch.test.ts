import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { DirectoryWatcher } from '../../src/core/dataset/directoryWatcher';
import type { FsRecord } from '../../src/shared/model';
import { sourceHarness } from '../support/sourceHarness';
import { requireTool, SYSTEM_PYTHON } from '../support/tools';
import { readTruth, toSessionS } from '../support/truth';
import { makeDataset, runWorkload, tempDir } from '../support/workloads';

/** a checkpoint file appears within this long of the truth's save start */
const ADD_TOLERANCE_S = 0.5;

const settle = (ms = 400): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** inotify watches this process holds now (every inotify fd's `inotify wd:` lines) */
function inotifyWatches(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      n += (readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/^inotify wd:/gm) ?? []).length;
    } catch {
      // fd closed meanwhile
    }
  }
  return n;
}

for (const dirExists of [true, false]) {
  const when = dirExists ? 'an existing checkpoint directory' : 'a checkpoint directory the job creates';
  void test(`checkpoints written by the stdlib job into ${when}: added on time, final size exact, removal seen`, async (t) => {
    const data = tempDir('ckpt-data');
    const out = tempDir('ckpt-out');
    try {
      makeDataset(data.dir, { files: 120, minKb: 2, maxKb: 4 });
      const ckptDir = join(out.dir, 'checkpoints');
      if (dirExists) mkdirSync(ckptDir);
      const h = sourceHarness();
      const watcher = new DirectoryWatcher({ datasets: [], checkpoints: [ckptDir] });
      watcher.start(h.ctx);
      await watcher.ready();
      const truthPath = join(out.dir, 'truth.jsonl');
      const run = await runWorkload('train_stdlib.py', {
        data: data.dir,
        epochs: 2,
        'num-workers': 2,
        'batch-size': 16,
        'compute-ms': 60,
        'ckpt-dir': ckptDir,
        'ckpt-every': 6,
        'ckpt-mb': 8,
        truth: truthPath,
      });
      assert.equal(run.code, 0, run.stderr);
      await settle();
      const truth = readTruth(truthPath);
      assert.ok(truth.checkpoints.length >= 2);
      unlinkSync(truth.checkpoints[0].path);
      await settle();
      await watcher.stop();

      const fs = h.of('fs');
      assert.ok(fs.every((r) => r.root === 'checkpoint'));
      const errors: number[] = [];
      for (const c of truth.checkpoints) {
        const mine = fs.filter((r) => r.path === c.path);
        const add = mine.find((r) => r.event === 'add') as FsRecord;
        assert.ok(add, `no add for ${c.path}`);
        const err = add.s - toSessionS(c.t0, h.ctx.startedAtMs);
        errors.push(err);
        assert.ok(Math.abs(err) <= ADD_TOLERANCE_S, `${c.path} added at ${add.s}, err ${err}`);
        const sized = mine.filter((r) => r.event !== 'unlink');
        assert.equal(sized[sized.length - 1].bytes, c.bytes, c.path);
        assert.ok(sized.every((r) => r.bytes <= c.bytes));
      }
      t.diagnostic(`add − truth save start: max ${(Math.max(...errors.map(Math.abs)) * 1000).toFixed(0)} ms`);
      const unlinks = fs.filter((r) => r.event === 'unlink');
      assert.deepEqual(
        unlinks.map((r) => r.path),
        [truth.checkpoints[0].path],
      );
      assert.deepEqual(h.of('note'), []);
    } finally {
      data.cleanup();
      out.cleanup();
    }
  });
}

void test("a save's last writes that chokidar drops (within 5 ms of the one before) still give its final size", async () => {
  const out = tempDir('ckpt-tail');
  try {
    const ckptDir = join(out.dir, 'checkpoints');
    mkdirSync(ckptDir);
    const h = sourceHarness();
    const watcher = new DirectoryWatcher({ datasets: [], checkpoints: [ckptDir] });
    watcher.start(h.ctx);
    await watcher.ready();
    const file = join(ckptDir, 'model.pt');
    // 4 MiB, a pause, then 40 small writes 0.5 ms apart: the tail comes faster than chokidar reports
    const writer = [
      'import sys, time',
      'f = open(sys.argv[1], "wb")',
      'f.write(b"w" * (4 << 20)); f.flush(); time.sleep(1.0)',
      'for i in range(40):',
      '    f.write(b"t" * 1000); f.flush(); time.sleep(0.0005)',
      'f.close(); print(time.time())',
    ].join('\n');
    // the writer runs while this process's event loop is free to take chokidar's events
    const child = spawn(SYSTEM_PYTHON, ['-c', writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    child.stdout.on('data', (d: Buffer) => (printed += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0);
    const endS = toSessionS(Number(printed.trim()), h.ctx.startedAtMs);
    await settle(1500);
    const finalBytes = (4 << 20) + 40 * 1000;
    const before = h.of('fs').filter((r) => r.path === file);
    await watcher.stop();
    const last = before.at(-1);
    assert.ok(last, 'the save was seen');
    assert.equal(last.bytes, finalBytes, `its final size while recording: ${JSON.stringify(before)}`);
    assert.ok(last.s - endS <= 1.0, `reported ${(last.s - endS).toFixed(3)} s after the last write`);
    assert.ok(before.every((r) => r.bytes <= finalBytes));
  } finally {
    out.cleanup();
  }
});

void test('dataset files added (also in new directories) and removed are seen, with one watch per directory', async () => {
  const data = tempDir('ds-watch');
  const staging = tempDir('ds-staging');
  try {
    const truth = makeDataset(data.dir, { files: 60, minKb: 1, maxKb: 2, subdirs: 3 });
    const before = inotifyWatches();
    const h = sourceHarness();
    const watcher = new DirectoryWatcher({ datasets: [data.dir], checkpoints: [] });
    watcher.start(h.ctx);
    await watcher.ready();
    // root + one per subdirectory, not one per file
    assert.equal(watcher.watchedDatasetDirs, truth.dirs + 1);
    assert.equal(inotifyWatches() - before, truth.dirs + 1);

    writeFileSync(join(staging.dir, 'new.bin'), Buffer.alloc(1234));
    renameSync(join(staging.dir, 'new.bin'), join(data.dir, 'd01', 'new.bin'));
    mkdirSync(join(staging.dir, 'shard9', 'part1'), { recursive: true });
    writeFileSync(join(staging.dir, 'shard9', 'part1', 'x.bin'), Buffer.alloc(10));
    writeFileSync(join(staging.dir, 'shard9', 'y.bin'), Buffer.alloc(20));
    renameSync(join(staging.dir, 'shard9'), join(data.dir, 'shard9'));
    unlinkSync(join(data.dir, 'd00', 'f000000.bin'));
    await settle();
    writeFileSync(join(staging.dir, 'late.bin'), Buffer.alloc(7));
    renameSync(join(staging.dir, 'late.bin'), join(data.dir, 'shard9', 'part1', 'late.bin'));
    await settle();
    assert.equal(watcher.watchedDatasetDirs, truth.dirs + 3);
    await watcher.stop();

    const seen = h
      .of('fs')
      .map((r) => `${r.root} ${r.event} ${r.path.slice(data.dir.length)} ${r.bytes}`)
      .sort();
    assert.deepEqual(seen, [
      'dataset add /d01/new.bin 1234',
      'dataset add /shard9/part1/late.bin 7',
      'dataset add /shard9/part1/x.bin 10',
      'dataset add /shard9/y.bin 20',
      'dataset unlink /d00/f000000.bin 0',
    ]);
    assert.deepEqual(h.of('note'), []);
  } finally {
    data.cleanup();
    staging.cleanup();
  }
});

void test('a tree with more directories than allowed is watched from the top, level by level, and says so', async () => {
  const data = tempDir('ds-levels');
  try {
    // 1 + 4 + 16 + 64 directories, a file in each
    const dirs: string[] = [''];
    for (let depth = 0; depth < 3; depth++) {
      for (const d of dirs.filter((x) => x.split('/').length - 1 === depth)) {
        for (let i = 0; i < 4; i++) dirs.push(`${d}/l${depth + 1}-${i}`);
      }
    }
    for (const d of dirs) {
      mkdirSync(join(data.dir, d), { recursive: true });
      writeFileSync(join(data.dir, d, 'f.bin'), 'x');
    }
    assert.equal(dirs.length, 85);
    const before = inotifyWatches();
    const h = sourceHarness();
    const watcher = new DirectoryWatcher({ datasets: [data.dir], checkpoints: [], maxDatasetDirs: 30 });
    watcher.start(h.ctx);
    await watcher.ready();
    assert.equal(watcher.watchedDatasetDirs, 21); // levels 0–2: 1 + 4 + 16
    assert.equal(inotifyWatches() - before, 21);
    const notes = h.of('note');
    assert.equal(notes.length, 1);
    assert.match(
      notes[0].message,
      /has 85 directories: watching .* top 3 level\(s\) only \(21 directories\)/,
    );

    writeFileSync(join(data.dir, 'l1-0', 'l2-1', 'seen.bin'), 'ab');
    writeFileSync(join(data.dir, 'l1-0', 'l2-1', 'l3-2', 'unseen.bin'), 'abc');
    await settle();
    await watcher.stop();
    assert.deepEqual(
      h.of('fs').map((r) => `${r.event} ${r.path.slice(data.dir.length)}`),
      ['add /l1-0/l2-1/seen.bin'],
    );
  } finally {
    data.cleanup();
  }
});

void test('the inotify watch limit while watching a dataset is noted (a user namespace with 5 watches allowed)', (t) => {
  const userns = spawnSync(
    'unshare',
    ['-U', '-r', 'sh', '-c', 'echo 5 > /proc/sys/user/max_inotify_watches'],
    {
      stdio: 'ignore',
    },
  );
  const why = 'sysctl -w kernel.unprivileged_userns_clone=1';
  if (!requireTool(t, userns.status === 0, 'unprivileged user namespaces (unshare -U)', why)) return;
  const data = tempDir('ds-limit');
  try {
    for (let i = 0; i < 10; i++) mkdirSync(join(data.dir, `d${i}`));
    const module = resolve(__dirname, '../../src/core/dataset/directoryWatcher.ts');
    const code = `
      const { DirectoryWatcher } = require(${JSON.stringify(module)});
      const out = { notes: [], records: 0 };
      const w = new DirectoryWatcher({ datasets: [${JSON.stringify(data.dir)}], checkpoints: [] });
      w.start({ startedAtMs: Date.now(), settings: {}, sink: { emit: () => out.records++ }, now: () => 0,
                note: (level, message) => out.notes.push([level, message]) });
      w.ready().then(async () => { out.watched = w.watchedDatasetDirs; await w.stop(); process.stdout.write(JSON.stringify(out)); });`;
    const script = `echo 5 > /proc/sys/user/max_inotify_watches && exec "$0" --import tsx -e "$1"`;
    const r = spawnSync('unshare', ['-U', '-r', 'sh', '-c', script, process.execPath, code], {
      encoding: 'utf8',
      cwd: resolve(__dirname, '../..'),
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { notes: [string, string][]; watched: number; records: number };
    assert.equal(out.watched, 5);
    assert.deepEqual(out.notes, [
      [
        'warning',
        'inotify watch limit reached after 5 dataset directories: raise fs.inotify.max_user_watches ' +
          '(sysctl -w fs.inotify.max_user_watches=524288) to watch all',
      ],
    ]);
  } finally {
    data.cleanup();
  }
});
