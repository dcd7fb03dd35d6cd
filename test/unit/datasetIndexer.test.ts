import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { indexDataset, type IndexOptions } from '../../src/core/dataset/datasetIndexer';
import { hasGnuFind } from '../../src/core/dataset/findWalk';
import { isTrainioError } from '../../src/core/errors';
import type { SizeBucket } from '../../src/shared/model';
import { hasCommand, requireTool } from '../support/tools';

const KIB = 1024;
const GIB = KIB ** 3;
/** the documented bucket bounds: 4 KiB × 4^i up to 1 GiB, then one open bucket */
const BOUNDS = [4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576].map((k) => k * KIB);

interface Made {
  root: string;
  /** path (relative, as bytes joined) → size of every regular file made */
  sizes: number[];
  perDir: Map<string, number>;
  dirs: number;
  symlinks: number;
  cleanup: () => void;
}

/** A tree with known sizes, nested and empty directories, symlinks and awkward file names. */
function makeTree(): Made {
  const root = mkdtempSync(join(tmpdir(), 'trainio-index-'));
  chmodSync(root, 0o755);
  const sizes: number[] = [];
  const perDir = new Map<string, number>();
  const file = (dir: string, name: string | Buffer, size: number): void => {
    const path =
      typeof name === 'string'
        ? join(root, dir, name)
        : Buffer.concat([Buffer.from(join(root, dir) + '/'), name]);
    writeFileSync(path, '');
    truncateSync(path, size); // sparse: apparent size is what is counted
    sizes.push(size);
    const key = dir === '' ? root : join(root, dir);
    perDir.set(key, (perDir.get(key) ?? 0) + 1);
  };
  for (const d of ['sub1', 'sub1/deep/deeper', 'empty']) mkdirSync(join(root, d), { recursive: true });
  file('', 'a.bin', 0);
  file('', 'b.bin', 4 * KIB);
  file('', 'c.bin', 4 * KIB + 1);
  file('', 'name with spaces.bin', 100);
  file('', 'new\nline.bin', 200);
  file('', 'quote\'".bin', 300);
  file('', Buffer.from([0xff, 0xfe, 0x2e, 0x62]), 400); // not UTF-8
  file('', 'gig.bin', GIB); // exactly the last bound
  file('', 'big.bin', 1.5 * GIB); // the open bucket
  for (let i = 0; i < 10; i++) file('sub1', `f${i}.bin`, i * 70_000 + 1);
  file('sub1/deep/deeper', 'x.bin', 64 * KIB);
  file('sub1/deep/deeper', 'y.bin', 64 * KIB + 1);
  symlinkSync(join(root, 'a.bin'), join(root, 'link.bin'));
  symlinkSync(join(root, 'sub1'), join(root, 'dirlink'));
  return {
    root,
    sizes,
    perDir,
    dirs: 4, // sub1, deep, deeper, empty (the root is not counted)
    symlinks: 2,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

function expectedHistogram(sizes: number[]): SizeBucket[] {
  const buckets: SizeBucket[] = [...BOUNDS, null].map((le) => ({ le, count: 0, bytes: 0 }));
  for (const s of sizes) {
    const b = buckets.find((x) => x.le === null || s <= x.le) as SizeBucket;
    b.count++;
    b.bytes += s;
  }
  return buckets;
}

const walkers: NonNullable<IndexOptions['walker']>[] = ['find', 'node'];

for (const walker of walkers) {
  void test(`${walker} walk: files, bytes, dirs, histogram and largest dirs equal the tree made`, async (t) => {
    if (walker === 'find' && !requireTool(t, hasGnuFind(), 'GNU find', 'apt-get install findutils')) return;
    const tree = makeTree();
    try {
      const r = await indexDataset(tree.root, { maxFiles: 1_000_000, walker });
      assert.equal(r.path, tree.root);
      assert.equal(r.files, tree.sizes.length);
      assert.equal(
        r.bytes,
        tree.sizes.reduce((a, b) => a + b, 0),
      );
      assert.equal(r.dirs, tree.dirs);
      assert.equal(r.symlinks, tree.symlinks);
      assert.equal(r.unreadableDirs, 0);
      assert.equal(r.partial, false);
      assert.deepEqual(r.histogram, expectedHistogram(tree.sizes));
      const largest = [...tree.perDir.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([path, files]) => ({ path, files }));
      assert.deepEqual(r.largestDirs, largest);
      assert.ok(r.indexS >= 0 && r.indexS < 30);
    } finally {
      tree.cleanup();
    }
  });

  void test(`${walker} walk: a random sample of existing files, the same on every walk`, async (t) => {
    if (walker === 'find' && !requireTool(t, hasGnuFind(), 'GNU find', 'apt-get install findutils')) return;
    const tree = makeTree();
    try {
      const a = await indexDataset(tree.root, { maxFiles: 1_000_000, walker, sampleSize: 5 });
      const b = await indexDataset(tree.root, { maxFiles: 1_000_000, walker, sampleSize: 5 });
      assert.equal(a.sample.length, 5);
      assert.equal(new Set(a.sample).size, 5);
      assert.deepEqual(a.sample, b.sample);
      for (const p of a.sample) assert.ok(p.startsWith(tree.root + '/'), p);
      // every nameable file when the sample is larger than the tree (the non-UTF-8 name is left out)
      const all = await indexDataset(tree.root, { maxFiles: 1_000_000, walker, sampleSize: 100 });
      assert.equal(all.sample.length, tree.sizes.length - 1);
      assert.ok(all.sample.includes(join(tree.root, 'new\nline.bin')));
      assert.ok(all.sample.includes(join(tree.root, 'sub1/deep/deeper/y.bin')));
    } finally {
      tree.cleanup();
    }
  });

  void test(`${walker} walk: maxFiles stops the walk and marks the index partial`, async (t) => {
    if (walker === 'find' && !requireTool(t, hasGnuFind(), 'GNU find', 'apt-get install findutils')) return;
    const tree = makeTree();
    try {
      const r = await indexDataset(tree.root, { maxFiles: 3, walker });
      assert.equal(r.files, 3);
      assert.equal(r.partial, true);
      const counted = r.histogram.reduce((a, b) => a + b.count, 0);
      assert.equal(counted, 3);
    } finally {
      tree.cleanup();
    }
  });

  void test(`${walker} walk: an aborted walk is partial`, async (t) => {
    if (walker === 'find' && !requireTool(t, hasGnuFind(), 'GNU find', 'apt-get install findutils')) return;
    const tree = makeTree();
    try {
      const ac = new AbortController();
      ac.abort();
      const r = await indexDataset(tree.root, { maxFiles: 1_000_000, walker, signal: ac.signal });
      assert.equal(r.partial, true);
      assert.ok(r.files < tree.sizes.length);
    } finally {
      tree.cleanup();
    }
  });
}

void test('a missing directory, or a file, is a one-line DIR_NOT_FOUND error naming the path', async () => {
  const missing = join(tmpdir(), 'trainio-no-such-dir-7d1f');
  await assert.rejects(indexDataset(missing, { maxFiles: 10 }), (e: unknown) => {
    assert.ok(isTrainioError(e));
    assert.equal(e.code, 'DIR_NOT_FOUND');
    assert.equal(e.message, `dataset directory ${missing} does not exist`);
    return true;
  });
  const tree = makeTree();
  try {
    const filePath = join(tree.root, 'b.bin');
    await assert.rejects(indexDataset(filePath, { maxFiles: 10 }), (e: unknown) => {
      assert.ok(isTrainioError(e));
      assert.equal(e.code, 'DIR_NOT_FOUND');
      assert.match(e.message, /is not a directory/);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
  } finally {
    tree.cleanup();
  }
});

void test('an unreadable subdirectory is counted and reported, its files are not, the rest is exact', (t) => {
  // root reads every directory: run the indexer as an unprivileged user then (setpriv)
  const asRoot = process.getuid?.() === 0;
  if (
    asRoot &&
    !requireTool(t, hasCommand('setpriv', ['--version']), 'setpriv', 'apt-get install util-linux')
  )
    return;
  const tree = makeTree();
  try {
    const locked = join(tree.root, 'locked');
    mkdirSync(locked);
    writeFileSync(join(locked, 'hidden1.bin'), 'x'.repeat(10));
    writeFileSync(join(locked, 'hidden2.bin'), 'x'.repeat(10));
    chmodSync(locked, 0o000);
    const module = resolve(__dirname, '../../src/core/dataset/datasetIndexer.ts');
    const results = walkers.map((walker) => {
      const code =
        `const { indexDataset } = require(${JSON.stringify(module)});` +
        `indexDataset(${JSON.stringify(tree.root)}, { maxFiles: 1e6, walker: ${JSON.stringify(walker)} })` +
        `.then((r) => process.stdout.write(JSON.stringify(r)));`;
      const runAs = asRoot ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] : [];
      const argv = [...runAs, process.execPath, '--import', 'tsx', '-e', code];
      const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: resolve(__dirname, '../..') });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as Awaited<ReturnType<typeof indexDataset>>;
    });
    for (const r of results) {
      assert.equal(r.files, tree.sizes.length);
      assert.equal(
        r.bytes,
        tree.sizes.reduce((a, b) => a + b, 0),
      );
      assert.equal(r.dirs, tree.dirs + 1);
      assert.equal(r.unreadableDirs, 1);
      assert.deepEqual(r.unreadablePaths, [locked]);
      assert.equal(r.partial, false);
    }
  } finally {
    chmodSync(join(tree.root, 'locked'), 0o755);
    tree.cleanup();
  }
});

void test('find (parallel lanes over subtrees) and Node walks agree on a wide tree, sample included', async (t) => {
  if (!requireTool(t, hasGnuFind(), 'GNU find', 'apt-get install findutils')) return;
  const root = mkdtempSync(join(tmpdir(), 'trainio-index-wide-'));
  try {
    let files = 0;
    let bytes = 0;
    for (let a = 0; a < 30; a++) {
      for (let b = 0; b < 3; b++) {
        const dir = join(root, `c${a}`, `s${b}`);
        mkdirSync(dir, { recursive: true });
        for (let f = 0; f <= b + 2; f++) {
          const size = (a * 31 + b * 7 + f) * 100;
          writeFileSync(join(dir, `x${f}.bin`), Buffer.alloc(size));
          files++;
          bytes += size;
        }
      }
    }
    const [viaFind, viaNode] = await Promise.all(
      walkers.map((walker) => indexDataset(root, { maxFiles: 1_000_000, walker, sampleSize: 16 })),
    );
    for (const r of [viaFind, viaNode]) {
      assert.equal(r.files, files);
      assert.equal(r.bytes, bytes);
      assert.equal(r.dirs, 30 + 90);
    }
    assert.deepEqual(viaFind.histogram, viaNode.histogram);
    assert.deepEqual(viaFind.largestDirs, viaNode.largestDirs);
    assert.equal(viaFind.largestDirs[0].files, 5);
    assert.deepEqual(viaFind.sample, viaNode.sample);
    assert.equal(new Set(viaFind.sample).size, 16);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
