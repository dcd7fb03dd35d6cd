/**
 * Finding folders, the pure parts on real directories: what is not data, grouping read files into
 * dataset roots (class folders climbed, general folders split, a big file's folder), argparse
 * positionals and options mapped onto a command line, and the decision with its evidence.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mayBeData, openedForWriting } from '../../src/core/discovery/dataFiles';
import { groupIntoRoots, type ReadFile } from '../../src/core/discovery/datasetRoots';
import type { JobObservation, SeenFile } from '../../src/core/discovery/jobWatch';
import { decidePaths } from '../../src/core/discovery/pathDecision';
import { argumentPaths, argumentValues } from '../../src/core/discovery/scriptArguments';
import { parseTrainingScript } from '../../src/core/script/trainingScript';

function tree(files: string[]): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'trainio-roots-'));
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), 'x');
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const read = (path: string, workers = [11]): ReadFile => ({
  path,
  pids: workers,
  workerPids: workers,
  mapped: false,
});

void test('code, libraries, system files and trainio’s own files are not data', () => {
  for (const p of [
    '/usr/lib/python3/dist-packages/torch/lib/libtorch_cpu.so',
    '/home/u/.venv/lib/python3.11/site-packages/numpy/core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so',
    '/opt/conda/lib/python3.10/os.py',
    '/home/u/proj/train.py',
    '/home/u/proj/__pycache__/model.cpython-311.pyc',
    '/dev/shm/torch_123_456',
    '/proc/self/status',
    '/memfd:torch (deleted)',
    '/data/x/old.bin (deleted)',
    '/tmp/trainio-hook-12-34.jsonl',
    '/home/u/.trainio/20250101-train.trainio.jsonl',
    'pipe:[1234]',
    'socket:[99]',
    'anon_inode:[eventfd]',
  ])
    assert.equal(mayBeData(p), false, p);
  for (const p of [
    '/data/imagenet/train/n01/a.JPEG',
    '/home/u/proj/data/train.lmdb/data.mdb',
    '/tmp/ds/samples.npy',
    '/home/u/runs/a/model.pth',
  ])
    assert.equal(mayBeData(p), true, p);
  assert.equal(mayBeData('/data/x.bin', new Set(['/data/x.bin'])), false);
  assert.equal(openedForWriting('pos:\t0\nflags:\t0100000\nmnt_id:\t25\n'), false);
  assert.equal(openedForWriting('pos:\t0\nflags:\t0100001\n'), true);
  assert.equal(openedForWriting('pos:\t0\nflags:\t02100102\n'), true);
});

void test('files of several class folders group into their common folder', () => {
  const { root, cleanup } = tree([
    'ds/train/cat/1.jpg',
    'ds/train/cat/2.jpg',
    'ds/train/dog/3.jpg',
    'ds/val/cat/4.jpg',
  ]);
  try {
    const roots = groupIntoRoots([
      read(join(root, 'ds/train/cat/1.jpg')),
      read(join(root, 'ds/train/dog/3.jpg'), [12]),
    ]);
    assert.deepEqual(
      roots.map((r) => r.path),
      [join(root, 'ds/train')],
    );
    assert.deepEqual(roots[0].workerPids.sort(), [11, 12]);
    assert.equal(roots[0].climbed, false);
  } finally {
    cleanup();
  }
});

void test('files seen in one class folder climb to the folder of the classes, not further', () => {
  const { root, cleanup } = tree([
    'ds/train/cat/1.jpg',
    'ds/train/cat/2.jpg',
    'ds/train/dog/3.jpg',
    'ds/train/owl/5.jpg',
    'ds/val/cat/4.jpg',
  ]);
  try {
    const roots = groupIntoRoots([
      read(join(root, 'ds/train/cat/1.jpg')),
      read(join(root, 'ds/train/cat/2.jpg')),
    ]);
    assert.deepEqual(
      roots.map((r) => [r.path, r.climbed]),
      [[join(root, 'ds/train'), true]],
    );
  } finally {
    cleanup();
  }
  // a lone leaf folder (no sibling classes) stays itself; so does one whose siblings hold other kinds
  const other = tree(['shards/a.tar', 'shards/b.tar', 'logs/x.txt', 'notes/y.md']);
  try {
    const roots = groupIntoRoots([
      read(join(other.root, 'shards/a.tar')),
      read(join(other.root, 'shards/b.tar')),
    ]);
    assert.deepEqual(
      roots.map((r) => r.path),
      [join(other.root, 'shards')],
    );
  } finally {
    other.cleanup();
  }
});

void test('a general common folder (home, the job’s folder) is split into one root per dataset', () => {
  const roots = groupIntoRoots(
    [read('/home/u/ds1/a/1.bin'), read('/home/u/ds1/b/2.bin'), read('/home/u/ds2/3.bin')],
    ['/home/u/proj'],
  );
  assert.deepEqual(roots.map((r) => r.path).sort(), ['/home/u/ds1', '/home/u/ds2']);
  const inJob = groupIntoRoots([read('/w/proj/data/x/1.bin'), read('/w/proj/cache/2.bin')], ['/w/proj']);
  assert.deepEqual(inJob.map((r) => r.path).sort(), ['/w/proj/cache', '/w/proj/data/x']);
  // one mapped file: its folder (LMDB, .npy)
  const mapped = groupIntoRoots([
    { path: '/data/train.lmdb/data.mdb', pids: [1, 2], workerPids: [2], mapped: true },
  ]);
  assert.deepEqual(
    mapped.map((r) => [r.path, r.general]),
    [['/data/train.lmdb', false]],
  );
  const general = groupIntoRoots([{ path: '/tmp/samples.npy', pids: [1], workerPids: [], mapped: true }]);
  assert.deepEqual(
    general.map((r) => [r.path, r.general]),
    [['/tmp', true]],
  );
});

const SCRIPT = `
import argparse, os, torch
ap = argparse.ArgumentParser()
ap.add_argument("data")
ap.add_argument("--snapshots", default="snapshots")
ap.add_argument("--epochs", type=int, default=3)
ap.add_argument("--amp", action="store_true")
ap.add_argument("--val")
a = ap.parse_args()
ds = ClassFolders(a.data, 3)  # a class of the script's own
loader = DataLoader(ds, batch_size=16)
for step in range(10):
    path = os.path.join(a.snapshots, "m-%d.pt" % step)
    torch.save({}, path)
`;

void test('argparse positionals and options are mapped onto the real command line', () => {
  const args = parseTrainingScript(SCRIPT).arguments;
  const values = argumentValues(args, ['--amp', '--epochs', '4', '/d/train', '--snap=/w', '--val', '/d/val']);
  const byName = Object.fromEntries([...values].map(([a, v]) => [a.name, v]));
  assert.deepEqual(byName, { data: '/d/train', '--snapshots': '/w', '--epochs': '4', '--val': '/d/val' });
  // after `--` everything is positional
  const dashed = argumentValues(args, ['--', '--odd-name']);
  assert.deepEqual([...dashed.values()], ['--odd-name']);
});

void test('a positional reaching the DataLoader is a dataset, a folder reaching torch.save a checkpoint folder', () => {
  const { root, cleanup } = tree(['images/c1/1.bin']);
  try {
    const argv = [
      '/usr/bin/python3',
      '-u',
      'train.py',
      join(root, 'images'),
      '--snapshots',
      'out/w',
      '--epochs',
      '2',
    ];
    const found = argumentPaths(argv, root, SCRIPT);
    assert.deepEqual(
      found.map((f) => [f.role, f.path, f.argument, f.exists]),
      [
        ['dataset', join(root, 'images'), 'data', true],
        ['checkpoint', join(root, 'out/w'), '--snapshots', false],
      ],
    );
    assert.match(found[0].via, /^DataLoader\(…data…\), line 11$/);
    assert.match(found[1].via, /^save\(…snapshots…\), line 14$/);
    // a dataset argument that names nothing on disk is not proposed
    assert.deepEqual(argumentPaths(['python3', 'train.py', '/nowhere/x'], root, SCRIPT), []);
  } finally {
    cleanup();
  }
});

function observation(files: Partial<SeenFile>[], watchedMs = 1500): JobObservation {
  const map = new Map<string, SeenFile>();
  for (const f of files)
    map.set(f.path!, {
      pids: new Set([11]),
      workerPids: new Set([11]),
      looks: 1,
      mapped: false,
      written: false,
      lastAtMs: 0,
      ...f,
      path: f.path!,
    });
  return {
    files: map,
    processes: [
      { pid: 10, isWorker: false, readBytes: 0, writtenBytes: 0 },
      { pid: 11, isWorker: true, readBytes: 1e6, writtenBytes: 0 },
    ],
    cmdline: [],
    watchedMs,
    cpuMs: 1,
  };
}

void test('the decision: clear evidence is taken without asking, weak or conflicting evidence is ambiguous', () => {
  const { root, cleanup } = tree(['ds/a/1.bin', 'ds/a/2.bin', 'ds/b/3.bin', 'ds/b/4.bin', 'other/z.bin']);
  try {
    const files = ['ds/a/1.bin', 'ds/a/2.bin', 'ds/b/3.bin'].map((f) => ({ path: join(root, f) }));
    const clear = decidePaths(observation(files), [], { minCheckpointBytes: 1e6 });
    assert.deepEqual(
      clear.datasets.map((d) => [d.path, d.confidence, d.chosen]),
      [[join(root, 'ds'), 'high', true]],
    );
    assert.equal(clear.ambiguous.datasets, false);
    assert.match(
      clear.datasets[0].evidence[0],
      new RegExp(`^1 worker is reading ${root}/ds/… \\(3 files seen in 1\\.5 s\\)$`),
    );
    // one file seen, and an argument naming another folder: ask
    const weak = decidePaths(
      observation([{ path: join(root, 'ds/a/1.bin') }]),
      [{ role: 'dataset', path: join(root, 'other'), argument: '--data', via: 'its name', exists: true }],
      { minCheckpointBytes: 1e6 },
    );
    assert.equal(weak.ambiguous.datasets, true);
    assert.deepEqual(
      weak.datasets.map((d) => [d.path, d.chosen]),
      [
        [join(root, 'ds'), true], // the one file's folder has sibling class folders: their parent
        [join(root, 'other'), false],
      ],
    );
    // the argument names the folder the files are read from: that folder, certain
    const agreed = decidePaths(
      observation([{ path: join(root, 'ds/a/1.bin') }]),
      [
        {
          role: 'dataset',
          path: join(root, 'ds'),
          argument: 'data',
          via: 'DataLoader(…data…), line 3',
          exists: true,
        },
      ],
      { minCheckpointBytes: 1e6 },
    );
    assert.deepEqual(
      agreed.datasets.map((d) => [d.path, d.confidence, d.chosen]),
      [[join(root, 'ds'), 'high', true]],
    );
    assert.equal(agreed.ambiguous.datasets, false);
    // nothing seen, nothing named: nothing to offer, nothing chosen
    const none = decidePaths(observation([]), [], { minCheckpointBytes: 1e6 });
    assert.deepEqual([none.datasets.length, none.ambiguous.datasets], [0, false]);
  } finally {
    cleanup();
  }
});
