import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEBT_EXPIRY_S, TreeTotals, zeroCounters, type Counters } from '../../src/core/proc/treeTotals';
import { WorkerGenerations } from '../../src/core/proc/workerGenerations';
import { isWorkerCommand } from '../../src/core/proc/workerCommand';

function c(rchar: number, cpuTicks = 0): Counters {
  return { ...zeroCounters(), rchar, cpuTicks };
}
const obs = (pid: number, rchar: number, before = false) => ({
  pid,
  values: c(rchar),
  startedBeforeSession: before,
});

void test('counts only what happened after the session started', () => {
  const t = new TreeTotals();
  t.update(0, [obs(1, 1000, true)], []);
  assert.equal(t.totals().rchar, 0);
  t.update(1, [obs(1, 1500, true)], []);
  assert.equal(t.totals().rchar, 500);
});

void test('a worker that exits is folded into its parent exactly once, whenever the fold shows', () => {
  for (const foldTick of ['same', 'next'] as const) {
    const t = new TreeTotals();
    t.update(0, [obs(1, 1000, true)], []);
    t.update(1, [obs(1, 1000, true), obs(2, 300)], []); // worker born during the session
    t.update(2, [obs(1, 1100, true), obs(2, 800)], []);
    assert.equal(t.totals().rchar, 100 + 800);
    // the worker reads 50 more, exits (final 850) and is reaped: the parent jumps by 850
    if (foldTick === 'same') {
      t.update(3, [obs(1, 1100 + 20 + 850, true)], [{ pid: 2, ppid: 1 }]);
    } else {
      t.update(3, [obs(1, 1100 + 20, true)], [{ pid: 2, ppid: 1 }]);
      t.update(4, [obs(1, 1100 + 20 + 850, true)], []);
    }
    // parent's own +120, worker's 850 once
    assert.equal(t.totals().rchar, 120 + 850, foldTick);
  }
});

void test('the parent’s own reads before the fold are not swallowed by the debt', () => {
  const t = new TreeTotals();
  t.update(0, [obs(1, 0, true)], []);
  t.update(1, [obs(1, 0, true), obs(2, 5000)], []);
  t.update(2, [obs(1, 10, true)], [{ pid: 2, ppid: 1 }]); // exited, not yet reaped: parent +10
  assert.equal(t.totals().rchar, 5010);
  t.update(3, [obs(1, 10 + 5000, true)], []); // reaped
  assert.equal(t.totals().rchar, 5010);
});

void test('a debt whose fold never comes expires without eating the parent’s reads', () => {
  const t = new TreeTotals();
  t.update(0, [obs(1, 0, true)], []);
  t.update(1, [obs(1, 0, true), obs(2, 100)], []);
  t.update(2, [obs(1, 0, true)], [{ pid: 2, ppid: 1 }]);
  t.update(3, [obs(1, 40, true)], []); // smaller than the debt: not the fold
  assert.equal(t.totals().rchar, 140);
  t.update(3 + DEBT_EXPIRY_S + 1, [obs(1, 1000, true)], []);
  assert.equal(t.totals().rchar, 1100);
});

void test('totals never decrease, and a re-parented process is forgotten without a debt', () => {
  const t = new TreeTotals();
  t.update(0, [obs(1, 100, true), obs(2, 100, true)], []);
  t.update(1, [obs(1, 50, true), obs(2, 200, true)], []); // a counter going backwards counts as 0
  assert.equal(t.totals().rchar, 100);
  t.forget(2);
  t.update(2, [obs(1, 300, true)], []);
  assert.equal(t.totals().rchar, 350);
});

void test('worker generations: a new set after the old one is gone marks an epoch', () => {
  const g = new WorkerGenerations(10_000);
  assert.equal(g.update([{ pid: 5, startMs: 9_000 }]), null); // running before trainio attached
  assert.equal(g.update([{ pid: 5, startMs: 9_000 }]), null);
  assert.equal(g.update([]), null); // epoch ended, workers shut down
  assert.equal(
    g.update([
      { pid: 8, startMs: 12_030 },
      { pid: 7, startMs: 12_010 },
    ]),
    12_010,
  );
  assert.equal(
    g.update([
      { pid: 7, startMs: 12_010 },
      { pid: 8, startMs: 12_030 },
      { pid: 9, startMs: 13_000 },
    ]),
    null,
  );
  assert.equal(g.update([{ pid: 11, startMs: 15_000 }]), 15_000); // replaced between two samples
  assert.equal(g.generations, 2);
});

void test('a first generation started after the session start is an epoch too (launch mode)', () => {
  const g = new WorkerGenerations(10_000);
  assert.equal(g.update([{ pid: 3, startMs: 10_500 }]), 10_500);
});

void test('worker commands: forks of main and spawned children, not multiprocessing helpers', () => {
  const main = ['python3', 'train.py', '--epochs', '3'];
  assert.equal(isWorkerCommand(main, main, main), true);
  assert.equal(
    isWorkerCommand(
      ['python3', '-c', 'from multiprocessing.spawn import spawn_main; spawn_main(7)'],
      main,
      main,
    ),
    true,
  );
  assert.equal(
    isWorkerCommand(
      ['python3', '-c', 'from multiprocessing.resource_tracker import main;main(5)'],
      main,
      main,
    ),
    false,
  );
  const fs = ['python3', '-c', 'from multiprocessing.forkserver import main; main(8, 9)'];
  assert.equal(isWorkerCommand(fs, main, main), false);
  assert.equal(isWorkerCommand(fs, main, fs), true); // a fork of the forkserver
  assert.equal(isWorkerCommand(['nvidia-smi'], main, main), false);
});
