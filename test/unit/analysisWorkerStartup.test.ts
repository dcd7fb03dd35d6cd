import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StartupEstimate } from '../../src/core/analysis/startupEstimate';
import { WorkerStartupTracker } from '../../src/core/analysis/workerStartup';
import { EpochWaits } from '../../src/core/hook/epochWaits';
import { workerStartMethod } from '../../src/core/proc/workerCommand';
import type { StallRecord } from '../../src/shared/model';

void test('epoch waits: iter(), the first batch, the median steady batch and the StopIteration of each epoch', () => {
  const w = new EpochWaits();
  assert.equal(w.addIter(1, 1.5, 1), null);
  w.addNext(1.5, 3.5, false); // first batch: 2 s
  for (const [a, b] of [
    [3.6, 3.61],
    [3.7, 3.73],
    [3.8, 3.82],
  ])
    w.addNext(a, b, false);
  const r = w.addNext(3.9, 4.5, true);
  assert.deepEqual(r, {
    type: 'epochWaits',
    s: 1,
    endS: 4.5,
    iterS: 0.5,
    firstNextS: 2,
    typicalNextS: 0.02,
    stopS: 0.6,
    batches: 4,
    loaderId: 1,
  });
  // a loop that broke out: the next iter() closes the epoch without a StopIteration
  w.addIter(5, 5.1, 1);
  w.addNext(5.1, 5.2, false);
  const broken = w.addIter(6, 6.1, 1);
  assert.equal(broken?.stopS, null);
  assert.equal(broken?.typicalNextS, null);
  assert.equal(w.finish()?.s, 6);
  assert.equal(w.finish(), null);
});

void test('start method from the command lines: spawn markers, a forkserver parent, a plain fork', () => {
  const main = ['python3', 'train.py'];
  const spawn = [
    'python3',
    '-c',
    'from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5)',
    '--multiprocessing-fork',
  ];
  const server = ['python3', '-c', 'from multiprocessing.forkserver import main; main(8, 9)'];
  assert.equal(workerStartMethod(spawn, main, main), 'spawn');
  assert.equal(workerStartMethod(server, main, server), 'forkserver');
  assert.equal(workerStartMethod(main, main, main), 'fork');
  assert.equal(workerStartMethod(['other'], main, main), null);
});

void test('worker start-up per epoch and in all from the hook, the first batch from the process start', () => {
  const t = new WorkerStartupTracker();
  t.setMode('launch');
  t.addRuntime({ type: 'runtime', s: 1.2, pid: 1 });
  t.addLoader({ type: 'loader', s: 1.5, id: 1, pid: 1, numWorkers: 2, persistentWorkers: false });
  t.addDatasetIndex('/data', 0.3);
  t.addDatasetIndex('/data', 0.25); // indexed again: the last one counts
  for (const p of [11, 12])
    t.addProcess({
      type: 'proc',
      s: 2,
      event: 'spawn',
      pid: p,
      ppid: 1,
      comm: 'python3',
      worker: true,
      startMethod: p === 11 ? 'fork' : 'spawn',
    });
  const epoch = (s: number, first: number, stop: number | null) => ({
    type: 'epochWaits' as const,
    s,
    endS: s + 5,
    iterS: 0.1,
    firstNextS: first,
    typicalNextS: 0.01,
    stopS: stop,
    batches: 10,
  });
  t.addEpochWaits(epoch(2, 2.01, 0.6));
  t.addEpochWaits(epoch(8, 1.51, 0.5));
  t.addEpochWaits(epoch(14, 0.005, null)); // faster than a steady batch: no extra wait
  const r = t.result();
  assert.equal(r.workers.method, 'exact');
  assert.equal(r.workers.startMethod, 'spawn', 'one spawned worker seen before its exec looks like a fork');
  assert.equal(r.workers.persistent, false);
  assert.deepEqual(
    r.workers.perEpoch.map((e) => [e.iterS, e.firstBatchExtraS, e.stopS, e.totalS]),
    [
      [0.1, 2, 0.6, 2.7],
      [0.1, 1.5, 0.5, 2.1],
      [0.1, 0, 0, 0.1],
    ],
  );
  assert.equal(r.workers.startupS, 4.9);
  assert.deepEqual(r.startup, {
    firstBatchS: 4.11,
    processStartS: 0,
    datasetListingS: 0.25,
    method: 'exact',
    importS: 1.2,
    setupS: 0.3,
    workerStartS: 0.1,
    firstBatchWaitS: 2.01,
  });
  assert.equal(r.steadyBatchWaitS, 0.01);
  assert.equal(r.batches, 30);
});

function win(s: number, waitS: number): StallRecord {
  return { type: 'stall', s, windowS: 1, method: 'estimated', waitS, loopS: 1, confidence: 'medium' };
}

void test('attach mode: the extra wait in the windows around each generation of workers, beyond the typical window', () => {
  const e = new StartupEstimate();
  // 1 s windows, typical wait 0.1 s; workers respawn at 10.5 s and 20.5 s
  for (let s = 1; s <= 30; s++) e.addWindow(win(s, 0.1));
  const withSpikes = new StartupEstimate();
  for (let s = 1; s <= 30; s++) {
    const extra = s === 10 ? 0.3 : s === 11 ? 0.9 : s === 12 ? 0.4 : s === 21 ? 0.8 : 0;
    withSpikes.addWindow(win(s, 0.1 + extra));
  }
  for (const g of [10.5, 10.6, 20.5]) withSpikes.addWorkerSpawn(g); // 10.6: the same generation
  const rows = withSpikes.perGeneration()!;
  assert.equal(rows.length, 2);
  // generation 1 (10.5 s): window 9–10 s lies before it (0.3 s of shutdown), 10–11 s half before (0.9 s →
  // 0.45 s + 0.45 s), 11–12 s after (0.4 s); generation 2: window 20–21 s split in half
  assert.deepEqual(
    rows.map((r) => [r.startS, r.stopS, r.firstBatchExtraS, r.totalS]),
    [
      [10.5, 0.75, 0.85, 1.6],
      [20.5, 0.4, 0.4, 0.8],
    ],
  );
  // no generations, or epochs too short for the windows: nothing is claimed
  assert.equal(e.perGeneration(), null);
  const short = new StartupEstimate();
  for (let s = 1; s <= 10; s++) short.addWindow(win(s, 0.5));
  for (const g of [2, 4, 6, 8]) short.addWorkerSpawn(g);
  assert.equal(short.perGeneration(), null);
});
