/**
 * Checkpoints from synthetic streams built from known saves: the tree's write counters jump by the
 * file size during the save, the watcher sees the file appear and grow.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckpointDetector, UNKNOWN_PATH } from '../../src/core/analysis/checkpointDetector';
import { CounterHistory } from '../../src/core/analysis/counterHistory';
import type { FsRecord, SaveRecord, TreeRecord } from '../../src/shared/model';

interface Save {
  path: string;
  bytes: number;
  t0: number;
  t1: number;
}

const MB = 1_000_000;

/** tree samples every 0.25 s over [0, endS]: reads at 20 MB/s; writes = 4 KB/s of IPC + the saves */
function trees(saves: Save[], endS: number, readDuringSave = true): TreeRecord[] {
  const out: TreeRecord[] = [];
  let rchar = 0;
  for (let s = 0.25; s <= endS + 1e-9; s = Math.round((s + 0.25) * 100) / 100) {
    const inSave = saves.some((v) => s - 0.25 < v.t1 && s > v.t0);
    rchar += inSave && !readDuringSave ? 0 : 5 * MB;
    let written = 4096 * s;
    for (const v of saves) written += v.bytes * Math.min(1, Math.max(0, (s - v.t0) / (v.t1 - v.t0)));
    out.push({
      type: 'tree',
      s,
      pids: [1],
      io: {
        rchar,
        wchar: written,
        readBytes: 0,
        writeBytes: Math.floor(written / 4096) * 4096,
        majorFaults: 0,
      },
      cpuS: s,
      rssBytes: 0,
      workers: 2,
    });
  }
  return out;
}

/** what the watcher says: the file appears early in the write, then its final size */
function fsEvents(v: Save, opts: { partial?: boolean } = {}): FsRecord[] {
  const add: FsRecord = {
    type: 'fs',
    s: v.t0 + 0.003,
    event: 'add',
    root: 'checkpoint',
    path: v.path,
    bytes: opts.partial === false ? v.bytes : 4096,
    mtimeS: opts.partial === false ? v.t1 : v.t0 + 0.001,
  };
  if (opts.partial === false) return [{ ...add, s: v.t1 + 0.003 }];
  return [add, { ...add, event: 'change', s: v.t1 + 0.004, bytes: v.bytes, mtimeS: v.t1 }];
}

function detect(saves: Save[], fs: FsRecord[], hook: SaveRecord[] = [], endS = 10): CheckpointDetector {
  const history = new CounterHistory();
  const d = new CheckpointDetector(history, 1_000_000);
  const records = [...trees(saves, endS), ...fs, ...hook].sort(
    (a, b) => (a.type === 'save' ? a.endS : a.s) - (b.type === 'save' ? b.endS : b.s),
  );
  for (const r of records) {
    if (r.type === 'tree') {
      history.add(r.s, r.io, r.workers);
      d.addTree(r);
    } else if (r.type === 'fs') d.addFs(r);
    else d.addSave(r);
  }
  return d;
}

void test('files under the checkpoint folder are matched to the write bursts: path, size, start and end', () => {
  const saves: Save[] = [
    { path: '/ck/a.pt', bytes: 40 * MB, t0: 2.1, t1: 2.4 },
    { path: '/ck/b.pt', bytes: 40 * MB, t0: 6.3, t1: 6.35 },
  ];
  const found = detect(
    saves,
    saves.flatMap((v) => fsEvents(v)),
  ).checkpoints();
  assert.equal(found.length, 2);
  found.forEach((c, i) => {
    assert.equal(c.path, saves[i].path);
    assert.equal(c.bytes, saves[i].bytes);
    assert.ok(Math.abs(c.startS + c.durationS - saves[i].t1) <= 0.01, `end ${c.startS + c.durationS}`);
    assert.ok(Math.abs(c.startS - saves[i].t0) <= 0.01, `start ${c.startS}`);
    assert.equal(c.source, 'burst');
  });
});

void test("the hook's saves take precedence over the watcher and the burst of the same save", () => {
  const v: Save = { path: '/ck/a.pt', bytes: 40 * MB, t0: 2.1, t1: 2.4 };
  const hook: SaveRecord = {
    type: 'save',
    startS: v.t0,
    endS: v.t1,
    path: v.path,
    bytes: v.bytes,
    source: 'hook',
    site: { file: '/x/train.py', line: 42 },
  };
  const found = detect([v], fsEvents(v), [hook]).checkpoints();
  assert.equal(found.length, 1);
  assert.deepEqual(found[0], {
    path: v.path,
    bytes: v.bytes,
    startS: 2.1,
    durationS: 0.3,
    lostS: 0.3,
    source: 'hook',
    site: { file: '/x/train.py', line: 42 },
  });
});

void test('a burst with no file seen is still a checkpoint, of unknown path', () => {
  const v: Save = { path: '/elsewhere/a.pt', bytes: 25 * MB, t0: 3.6, t1: 3.9 };
  const found = detect([v], []).checkpoints();
  assert.equal(found.length, 1);
  assert.equal(found[0].path, UNKNOWN_PATH);
  assert.ok(Math.abs(found[0].bytes - v.bytes) / v.bytes < 0.01, `${found[0].bytes}`);
  assert.ok(found[0].startS <= v.t0 + 0.25 && found[0].startS + found[0].durationS >= v.t1 - 0.25);
});

void test('writes below minCheckpointBytes are not checkpoints', () => {
  const v: Save = { path: '/ck/small.pt', bytes: 500_000, t0: 2.1, t1: 2.2 };
  assert.deepEqual(detect([v], fsEvents(v)).checkpoints(), []);
});

void test('an atomic save (temporary file renamed) is one checkpoint under its final name', () => {
  const v: Save = { path: '/ck/last.pt.tmp', bytes: 30 * MB, t0: 4.1, t1: 4.3 };
  const fs = [
    ...fsEvents(v),
    { type: 'fs', s: 4.31, event: 'unlink', root: 'checkpoint', path: v.path, bytes: 0 } as FsRecord,
    {
      type: 'fs',
      s: 4.311,
      event: 'add',
      root: 'checkpoint',
      path: '/ck/last.pt',
      bytes: v.bytes,
      mtimeS: v.t1,
    } as FsRecord,
  ];
  const found = detect([v], fs).checkpoints();
  assert.equal(found.length, 1);
  assert.equal(found[0].path, '/ck/last.pt');
  assert.equal(found[0].bytes, v.bytes);
});

void test('a file whose last growth the watcher missed takes its size and end from its burst', () => {
  const v: Save = { path: '/ck/a.pt', bytes: 40 * MB, t0: 2.1, t1: 2.2 };
  const fs: FsRecord[] = [
    { type: 'fs', s: 2.101, event: 'add', root: 'checkpoint', path: v.path, bytes: 0, mtimeS: 2.1 },
    { type: 'fs', s: 2.12, event: 'change', root: 'checkpoint', path: v.path, bytes: 1443, mtimeS: 2.11 },
  ];
  const [c] = detect([v], fs).checkpoints();
  assert.equal(c.path, v.path);
  assert.ok(Math.abs(c.bytes - v.bytes) / v.bytes < 0.01, `${c.bytes}`);
  assert.ok(Math.abs(c.startS + c.durationS - v.t1) <= 0.25);
});

void test('attach mode: progress lost while saving is the read rate drop during a long save', () => {
  const v: Save = { path: '/ck/a.pt', bytes: 400 * MB, t0: 4, t1: 6 };
  const history = new CounterHistory();
  const d = new CheckpointDetector(history, 1_000_000);
  for (const r of trees([v], 9, false)) {
    history.add(r.s, r.io, r.workers);
    d.addTree(r);
  }
  for (const r of fsEvents(v)) d.addFs(r);
  const [c] = d.checkpoints();
  // reading stopped for the whole save: all of it was lost
  assert.ok(Math.abs(c.lostS - (v.t1 - v.t0)) <= 0.25, `${c.lostS}`);
  const free = new CounterHistory();
  const d2 = new CheckpointDetector(free, 1_000_000);
  for (const r of trees([v], 9, true)) {
    free.add(r.s, r.io, r.workers);
    d2.addTree(r);
  }
  // an asynchronous save (reading went on at full rate) lost nothing
  assert.ok(d2.checkpoints()[0].lostS <= 0.1);
});
