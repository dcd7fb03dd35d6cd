import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FindStreamParser, findArgs, hasGnuFind } from '../../src/core/dataset/findStream';
import { excludePattern } from '../../src/core/dataset/inotifyOpens';
import { LargestDirs } from '../../src/core/dataset/largestDirs';
import { parseFincore } from '../../src/core/dataset/pageCacheResidency';
import { bucketIndex, SizeHistogram } from '../../src/core/dataset/sizeHistogram';
import type { WalkSink } from '../../src/core/dataset/treeWalk';
import { requireTool } from '../support/tools';

/** A sink that writes down every call, to compare two parses. */
function loggingSink(log: string[]): WalkSink {
  return {
    file: (size, key, pathOf) => (log.push(`file ${size} ${key} ${JSON.stringify(pathOf())}`), true),
    dir: () => void log.push('dir'),
    dirDone: (path, files) => void log.push(`done ${JSON.stringify(path)} ${files}`),
    symlink: () => void log.push('link'),
    unreadable: (path) => void log.push(`unreadable ${path}`),
  };
}

void test("find's record stream parses the same whatever the chunk boundaries (names with newlines too)", (t) => {
  if (!requireTool(t, hasGnuFind(), 'GNU find', 'apt-get install findutils')) return;
  const root = mkdtempSync(join(tmpdir(), 'trainio-parse-'));
  try {
    mkdirSync(join(root, 'a b', 'c\nd'), { recursive: true });
    writeFileSync(join(root, 'a b', 'c\nd', 'x\ny.bin'), '12345');
    writeFileSync(join(root, 'a b', '1.bin'), '1');
    writeFileSync(join(root, 'top.bin'), '');
    const out = spawnSync('find', findArgs([root], true), { env: { ...process.env, LC_ALL: 'C' } }).stdout;
    const parse = (chunk: number): string[] => {
      const log: string[] = [];
      const p = new FindStreamParser(loggingSink(log), true);
      for (let i = 0; i < out.length; i += chunk) p.push(out.subarray(i, i + chunk));
      p.finish();
      return log;
    };
    const whole = parse(out.length);
    assert.deepEqual(parse(1), whole);
    assert.deepEqual(parse(7), whole);
    assert.equal(whole.filter((l) => l === 'dir').length, 3);
    assert.ok(
      whole.some(
        (l) => l.startsWith('file 5 ') && l.endsWith(JSON.stringify(join(root, 'a b', 'c\nd', 'x\ny.bin'))),
      ),
    );
    assert.ok(whole.includes(`done ${JSON.stringify(join(root, 'a b', 'c\nd'))} 1`));
    assert.ok(whole.includes(`done ${JSON.stringify(join(root, 'a b'))} 1`));
    assert.ok(whole.includes(`done ${JSON.stringify(root)} 1`));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

void test('size buckets: inclusive upper bounds from 4 KiB to 1 GiB by powers of four, then one open bucket', () => {
  const h = new SizeHistogram();
  for (const s of [0, 4096, 4097, 16384, 1024 ** 3, 1024 ** 3 + 1]) h.add(s);
  const b = h.toBuckets();
  assert.equal(b.length, 11);
  assert.deepEqual(
    b.map((x) => x.le),
    [4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, null].map((k) =>
      k === null ? null : k * 1024,
    ),
  );
  assert.deepEqual(
    b.map((x) => x.count),
    [2, 2, 0, 0, 0, 0, 0, 0, 0, 1, 1],
  );
  assert.equal(b[1].bytes, 4097 + 16384);
  assert.equal(b[10].bytes, 1024 ** 3 + 1);
});

void test('largest directories: most files first, ties by path, only the top N kept', () => {
  const l = new LargestDirs(3);
  for (const [p, n] of [
    ['/d/e', 5],
    ['/d/a', 5],
    ['/d/z', 1],
    ['/d/b', 9],
    ['/d/empty', 0],
    ['/d/c', 5],
  ] as const) {
    l.offer(p, n);
  }
  assert.deepEqual(l.list(), [
    { path: '/d/b', files: 9 },
    { path: '/d/a', files: 5 },
    { path: '/d/c', files: 5 },
  ]);
});

void test("fincore's RES SIZE lines: resident bytes capped at each file's size, odd lines ignored", () => {
  const r = parseFincore('12288 10000\n4096 3\n0 0\nfincore: failed to open: /x\n0 5000\n');
  assert.deepEqual(r, { files: 4, bytes: 15003, resident: 10003 });
});

void test('the inotifywait exclude pattern matches the directories and below, and nothing else', () => {
  const re = new RegExp(excludePattern(['/data/ckpt', '/data/a+b (1)/']));
  assert.ok(re.test('/data/ckpt'));
  assert.ok(re.test('/data/ckpt/epoch=1.pt'));
  assert.ok(re.test('/data/a+b (1)/x'));
  assert.ok(!re.test('/data/ckpt2/x'));
  assert.ok(!re.test('/data/train/ckpt/x'));
  assert.ok(!re.test('/data/aab (1)/x'));
});

void test('the bucket of every size near every bound is the first bound it does not exceed', () => {
  const bounds = [4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576].map((k) => k * 1024);
  const expected = (s: number): number => {
    const i = bounds.findIndex((b) => s <= b);
    return i < 0 ? bounds.length : i;
  };
  const sizes = [0, 1, 2 ** 33, 2 ** 40, Number.MAX_SAFE_INTEGER];
  for (const b of bounds) sizes.push(b - 1, b, b + 1);
  for (const s of sizes) assert.equal(bucketIndex(s), expected(s), `size ${s}`);
});
