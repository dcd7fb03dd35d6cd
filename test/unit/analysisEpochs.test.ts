/**
 * Epochs from synthetic record streams whose truth is known by construction: each epoch reads the
 * dataset exactly once at a uniform rate, starting at its boundary.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionAnalyzer } from '../../src/core/analysis/sessionAnalyzer';
import type {
  DatasetRecord,
  EpochMarkRecord,
  HeaderRecord,
  SessionRecord,
  TreeRecord,
} from '../../src/shared/model';

const DATASET = 300e6;

function header(mode: 'attach' | 'launch' = 'launch'): HeaderRecord {
  return {
    type: 'header',
    schema: 'trainio.recording/1',
    startedAtMs: 1_700_000_000_000,
    target: { mode, pid: 42, command: ['python3', 'train.py'] },
    datasets: ['/data'],
    checkpoints: [],
    intervalMs: 250,
    hook: mode === 'launch',
    env: { host: 'h', kernel: 'k', cpus: 8, memBytes: 64e9 },
  };
}

function dataset(bytes = DATASET): DatasetRecord {
  return {
    type: 'dataset',
    s: 0.1,
    path: '/data',
    files: 3000,
    bytes,
    dirs: 1,
    histogram: [{ le: null, count: 3000, bytes }],
    largestDirs: [],
    indexS: 0.1,
    partial: false,
  };
}

/** tree samples every 0.25 s; each epoch [b_i, b_i + readS] reads the dataset once, evenly */
function treeStream(
  bounds: number[],
  readS: number,
  endS: number,
  opts: { mmap?: boolean } = {},
): TreeRecord[] {
  const out: TreeRecord[] = [];
  for (let s = 0.25; s <= endS + 1e-9; s = Math.round((s + 0.25) * 100) / 100) {
    let bytes = 0;
    for (const b of bounds) bytes += DATASET * Math.min(1, Math.max(0, (s - b) / readS));
    const diskFirstEpoch = Math.min(bytes, DATASET);
    out.push({
      type: 'tree',
      s,
      pids: [42, 43, 44],
      io: {
        rchar: opts.mmap ? 0 : bytes,
        wchar: 0,
        readBytes: diskFirstEpoch,
        writeBytes: 0,
        majorFaults: opts.mmap ? diskFirstEpoch / 4096 : 0,
      },
      cpuS: s,
      rssBytes: 1e9,
      workers: 2,
    });
  }
  return out;
}

function mark(s: number, source: EpochMarkRecord['source'], loaderId?: number): EpochMarkRecord {
  return { type: 'epochMark', s, source, loaderId };
}

function analyze(records: SessionRecord[]): ReturnType<SessionAnalyzer['report']> {
  const a = new SessionAnalyzer();
  // records arrive roughly in time order, as from the recorder
  const time = (r: SessionRecord): number => (r.type === 'header' ? -1 : r.type === 'save' ? r.endS : r.s);
  for (const r of [...records].sort((x, y) => time(x) - time(y))) a.add(r);
  return a.report();
}

void test('hook marks are the boundaries; respawn and reopen marks of the same boundary are deduplicated', () => {
  const bounds = [1, 4, 7];
  const report = analyze([
    header(),
    dataset(),
    ...treeStream(bounds, 2.5, 10),
    ...bounds.map((b) => mark(b, 'hook', 0)),
    ...bounds.map((b) => mark(b + 0.03, 'respawn')),
    ...bounds.map((b) => mark(b + 0.06, 'reopen')),
    { type: 'stall', s: 9.5, windowS: 2.5, method: 'exact', waitS: 0.5, loopS: 2.5, confidence: 'high' },
    { type: 'end', s: 10, reason: 'exited', exitCode: 0 },
  ]);
  assert.deepEqual(
    report.epochs.map((e) => [e.index, e.startS, e.endS, e.source]),
    [
      [0, 1, 4, 'hook'],
      [1, 4, 7, 'hook'],
      [2, 7, 9.5, 'hook'], // the last ends where the hook last saw the loop active
    ],
  );
  for (const e of report.epochs) {
    assert.ok(Math.abs(e.rereadFactor - 1) < 0.001, `epoch ${e.index} read ${e.rereadFactor}×`);
  }
  assert.ok(Math.abs(report.reread.factor - 3) < 0.003);
  assert.equal(report.reread.datasetBytes, DATASET);
  // epoch 0 came from disk, the others from the page cache
  assert.equal(report.epochs[0].pageCacheHitPct, 0);
  assert.equal(report.epochs[1].pageCacheHitPct, 100);
});

void test('without the hook, the earlier of a respawn and a reopen mark of the same boundary dates it', () => {
  const bounds = [2, 5, 8];
  const report = analyze([
    header('launch'),
    dataset(),
    ...treeStream(bounds, 2.5, 10.75),
    ...bounds.map((b) => mark(b, 'respawn')),
    ...bounds.map((b) => mark(b + 0.08, 'reopen')),
  ]);
  assert.deepEqual(
    report.epochs.map((e) => [e.startS, e.source]),
    [
      [2, 'respawn'],
      [5, 'respawn'],
      [8, 'respawn'],
    ],
  );
  // the last epoch ends with its last read (8 + 2.5), within one sample
  assert.ok(Math.abs(report.epochs[2].endS - 10.5) <= 0.25, `${report.epochs[2].endS}`);
});

void test('epochs shorter than a second are not merged', () => {
  const bounds = [0.5, 1.1, 1.7, 2.3];
  const report = analyze([
    header(),
    dataset(),
    ...treeStream(bounds, 0.5, 3),
    ...bounds.map((b) => mark(b, 'respawn')),
    ...bounds.slice(1).map((b) => mark(b + 0.05, 'reopen')),
  ]);
  assert.equal(report.epochs.length, 4);
});

void test('a validation loader created each epoch does not split epochs', () => {
  const bounds = [1, 4, 7];
  const records: SessionRecord[] = [
    header(),
    dataset(),
    { type: 'loader', s: 0.5, id: 0, pid: 42, numWorkers: 2, datasetLen: 3000 },
    { type: 'loader', s: 0.6, id: 1, pid: 42, numWorkers: 2, datasetLen: 300 },
    ...treeStream(bounds, 2.5, 10),
    ...bounds.map((b) => mark(b, 'hook', 0)),
    ...bounds.map((b) => mark(b + 2.6, 'hook', 1)),
  ];
  const report = analyze(records);
  assert.deepEqual(
    report.epochs.map((e) => e.startS),
    [1, 4, 7],
  );
});

void test('attached mid-epoch: the data read before the first boundary is a leading partial epoch', () => {
  // the job started its epoch at −1.5 s; trainio attached at 0
  const bounds = [-1.5, 3, 6];
  const report = analyze([
    header('attach'),
    dataset(),
    ...treeStream(bounds, 2.5, 8.5).map((t) => ({
      ...t,
      io: { ...t.io, rchar: t.io.rchar - DATASET * 0.6 },
    })),
    mark(3, 'respawn'),
    mark(6, 'respawn'),
  ]);
  assert.deepEqual(
    report.epochs.map((e) => e.source),
    ['session', 'respawn', 'respawn'],
  );
  assert.ok(report.epochs[0].startS <= 0.25);
  assert.ok(Math.abs(report.epochs[1].rereadFactor - 1) < 0.001);
});

void test('an mmap-read dataset is not reported as 0 bytes read', () => {
  const bounds = [1, 4];
  const report = analyze([
    header(),
    dataset(),
    ...treeStream(bounds, 2.5, 7, { mmap: true }),
    mark(1, 'hook'),
    mark(4, 'hook'),
  ]);
  const first = report.epochs[0];
  assert.ok(Math.abs(first.bytesRead - DATASET) / DATASET < 0.001, `${first.bytesRead}`);
  assert.ok(report.notes.some((n) => n.message.includes('mmap')));
});

void test('no marks at all: one epoch over the whole session', () => {
  const report = analyze([header('attach'), dataset(), ...treeStream([0.5], 5, 6)]);
  assert.equal(report.epochs.length, 1);
  assert.equal(report.epochs[0].source, 'session');
  assert.ok(Math.abs(report.epochs[0].rereadFactor - 1) < 0.001);
});
