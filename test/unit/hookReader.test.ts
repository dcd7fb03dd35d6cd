/**
 * HookReader on real hook lines written to a real file: records, call sites, and stall windows
 * computed by hand at the window edges.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileTail } from '../../src/core/hook/fileTail';
import { HookReader } from '../../src/core/hook/hookReader';
import { sourceHarness } from '../support/sourceHarness';
import { tempDir } from '../support/workloads';

const T0 = 1_700_000_000; // session start, epoch seconds
const START_MS = T0 * 1000;
const MAIN = 100;
const WORKER = 101;
const EPS = 1e-6;

const at = (s: number): number => T0 + s;
const line = (o: Record<string, unknown>): string => JSON.stringify(o) + '\n';
const iter = (pid: number, a: number, b: number) =>
  line({ ev: 'iter', pid, t0: at(a), t1: at(b), loader: 1 });
const next = (pid: number, a: number, b: number, stop = false) =>
  line({ ev: 'next', pid, t0: at(a), t1: at(b), loader: 1, stop });

/** Waits until the reader's timer has delivered what `ready` looks for (bounded, for loaded machines). */
async function until(ready: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ready() && Date.now() < end) await sleep(10);
}

function setup(t: { after: (fn: () => void) => void }, windowMs = 1000) {
  const tmp = tempDir('hookreader');
  t.after(tmp.cleanup);
  const path = join(tmp.dir, 'hook.jsonl');
  const h = sourceHarness({ stallWindowMs: windowMs }, START_MS);
  const reader = new HookReader({ path, pollMs: 10 });
  reader.start(h.ctx);
  return { path, h, reader };
}

void test('stall windows split waits exactly at the window edges and wait for the timeline', async (t) => {
  const { path, h, reader } = setup(t);
  // loop starts at 0.5; the next() of [0.9, 1.2] straddles the edge at 1.0
  appendFileSync(path, iter(MAIN, 0.5, 0.7) + next(MAIN, 0.9, 1.2) + next(MAIN, 1.5, 1.6));
  appendFileSync(path, next(WORKER, 1.0, 3.9)); // not the main process: ignored
  await until(() => h.of('stall').length > 0);
  await sleep(50);
  let stalls = h.of('stall');
  assert.equal(stalls.length, 1, 'only [0,1] is known to its end (main timeline known up to 1.6)');
  assert.deepEqual(stalls[0], {
    type: 'stall',
    s: 1,
    windowS: 1,
    method: 'exact',
    waitS: 0.3, // 0.2 in iter() + 0.1 of the straddling next()
    loopS: 0.5, // the loop started at 0.5
    batches: 0,
    confidence: 'high',
  });
  appendFileSync(path, next(MAIN, 2.3, 2.5, true)); // StopIteration
  await until(() => h.of('stall').length > 1);
  stalls = h.of('stall');
  assert.equal(stalls.length, 2);
  assert.ok(Math.abs(stalls[1].waitS - 0.3) < EPS, `[1,2]: 0.2 + 0.1 (got ${stalls[1].waitS})`);
  assert.equal(stalls[1].loopS, 1);
  assert.equal(stalls[1].batches, 2);
  await reader.stop();
  stalls = h.of('stall');
  assert.equal(stalls.length, 3, 'the last window closes at the loop end');
  assert.ok(Math.abs(stalls[2].s - 2.5) < EPS && Math.abs(stalls[2].windowS - 0.5) < EPS);
  assert.ok(Math.abs(stalls[2].waitS - 0.2) < EPS && Math.abs(stalls[2].loopS - 0.5) < EPS);
  assert.equal(stalls[2].batches, 0, 'StopIteration is a wait but not a batch');
  const wait = stalls.reduce((a, r) => a + r.waitS, 0);
  const loop = stalls.reduce((a, r) => a + r.loopS, 0);
  assert.ok(Math.abs(wait - 0.8) < 1e-5 && Math.abs(loop - 2.0) < 1e-5, `total ${wait}/${loop}`);
  const marks = h.of('epochMark');
  assert.deepEqual(marks, [{ type: 'epochMark', s: 0.5, source: 'hook', loaderId: 1 }]);
});

void test('a long wait spanning several windows is split across them', async (t) => {
  const { path, h, reader } = setup(t, 500);
  appendFileSync(path, iter(MAIN, 0.1, 0.2) + next(MAIN, 0.3, 1.8) + next(MAIN, 1.9, 2.0));
  await reader.stop();
  const stalls = h.of('stall');
  assert.deepEqual(
    stalls.map((r) => [r.s, r.windowS, r.waitS, r.loopS, r.batches]),
    [
      [0.5, 0.5, 0.3, 0.4, 0], // [0.1,0.2] + [0.3,0.5]
      [1, 0.5, 0.5, 0.5, 0],
      [1.5, 0.5, 0.5, 0.5, 0],
      [2, 0.5, 0.4, 0.5, 2], // [1.5,1.8] + [1.9,2.0]
    ],
  );
});

void test('loader, save, hello and open events become records', async (t) => {
  const { path, h, reader } = setup(t, 1000);
  writeFileSync(
    path,
    line({ ev: 'hello', pid: MAIN, t: at(0.01), python: '3.11.2', torch: '1.13.0' }) +
      line({
        ev: 'loader',
        pid: MAIN,
        t: at(0.02),
        id: 1,
        file: '/w/train.py',
        line: 42,
        num_workers: 2,
        batch_size: 32,
        pin_memory: false,
        persistent_workers: true,
        prefetch_factor: 2,
        dataset_len: 300,
        dataset_class: 'FileDataset',
      }) +
      line({
        ev: 'save',
        pid: MAIN,
        t0: at(1.0),
        t1: at(1.25),
        path: '/w/c.pt',
        bytes: 1234,
        file: '/w/train.py',
        line: 9,
      }) +
      line({
        ev: 'save',
        pid: MAIN,
        t0: at(1.3),
        t1: at(1.31),
        path: null,
        bytes: 10,
        file: null,
        line: null,
      }) +
      line({ ev: 'open', pid: WORKER, t: at(0.5), path: '/d/a' }) +
      line({ ev: 'open', pid: WORKER + 1, t: at(0.6), path: '/d/b' }) +
      line({ ev: 'open', pid: WORKER, t: at(1.5), path: '/d/a' }) +
      'not json\n{"ev":"next","pid":1}\n',
  );
  await until(() => reader.environment().pid !== undefined);
  assert.deepEqual(reader.environment(), { python: '3.11.2', torch: '1.13.0', pid: MAIN });
  await reader.stop();
  assert.deepEqual(h.of('loader'), [
    {
      type: 'loader',
      s: 0.02,
      id: 1,
      pid: MAIN,
      numWorkers: 2,
      site: { file: '/w/train.py', line: 42 },
      batchSize: 32,
      pinMemory: false,
      persistentWorkers: true,
      prefetchFactor: 2,
      datasetLen: 300,
      datasetClass: 'FileDataset',
    },
  ]);
  assert.deepEqual(h.of('save'), [
    {
      type: 'save',
      startS: 1,
      endS: 1.25,
      path: '/w/c.pt',
      bytes: 1234,
      source: 'hook',
      site: { file: '/w/train.py', line: 9 },
    },
  ]);
  assert.deepEqual(
    h.of('opens').map((r) => [r.s, r.count, r.distinctFiles]),
    [
      [1, 2, 2],
      [2, 1, 2],
    ],
  );
  assert.equal(h.of('note').length, 1);
  assert.match(h.of('note')[0].message, /Python 3\.11\.2, torch 1\.13\.0/);
  assert.equal(reader.malformedLines, 2);
  assert.equal(h.of('stall').length, 0, 'no iterator, no loop, no stall windows');
});

void test('a line split across two writes is read once, whole', async (t) => {
  const { path, h, reader } = setup(t, 1000);
  const l = iter(MAIN, 0.2, 0.4);
  appendFileSync(path, l.slice(0, 20));
  await sleep(60);
  appendFileSync(path, l.slice(20));
  await until(() => h.of('epochMark').length > 0);
  await reader.stop();
  assert.equal(reader.malformedLines, 0);
  assert.equal(h.of('epochMark').length, 1);
  const [w] = h.of('stall');
  assert.ok(Math.abs(w.waitS - 0.2) < EPS && Math.abs(w.loopS - 0.2) < EPS && Math.abs(w.s - 0.4) < EPS);
});

void test('FileTail keeps a partial line until its end arrives, and starts over after truncation', (t) => {
  const tmp = tempDir('filetail');
  t.after(tmp.cleanup);
  const path = join(tmp.dir, 'lines.jsonl');
  const tail = new FileTail(path);
  tail.open();
  t.after(() => tail.close());
  assert.deepEqual(tail.readLines(), [], 'created empty');
  appendFileSync(path, 'one\ntw');
  assert.deepEqual(tail.readLines(), ['one']);
  assert.deepEqual(tail.readLines(), []);
  appendFileSync(path, 'o\nthree\n');
  assert.deepEqual(tail.readLines(), ['two', 'three']);
  writeFileSync(path, 'fresh\n');
  assert.deepEqual(tail.readLines(), ['fresh']);
  const big = 'x'.repeat(1000) + '\n';
  appendFileSync(path, big.repeat(3000)); // 3 MB, more than one chunk
  const lines = tail.readLines();
  assert.equal(lines.length, 3000);
  assert.ok(lines.every((l) => l.length === 1000));
});
