/**
 * The process tree of a real PyTorch job with non-persistent DataLoader workers (new worker PIDs
 * every epoch): tree I/O totals against the dataset's bytes, across worker exits, and epoch marks
 * from worker respawns against the job's own epoch times.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TreeSampler } from '../../src/core/proc/treeSampler';
import type { TreeRecord } from '../../src/shared/model';
import { sourceHarness } from '../support/sourceHarness';
import { hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { readTruth, toSessionS } from '../support/truth';
import { makeDataset, runWorkload, tempDir } from '../support/workloads';

/**
 * tree rchar at an epoch boundary: the last sample at or before it. Workers finish an epoch's reads
 * well before its end (they read ahead of the loop) and the next epoch's workers start after it, so
 * no read of either epoch falls between that sample and the boundary.
 */
function rcharAt(trees: TreeRecord[], s: number): number {
  const before = trees.filter((t) => t.s <= s);
  assert.ok(before.length > 0, `a tree sample before ${s}`);
  const last = before[before.length - 1];
  assert.ok(
    s - last.s < 0.3,
    `last tree sample ${last.s} s before the boundary at ${s} s: the sampler was starved`,
  );
  return last.io.rchar;
}

/** rchar of one process as the kernel counts it (its reaped children included), read by the test itself */
function rawRchar(pid: number): number | null {
  try {
    const m = /^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * What the test reads from /proc on each of the sampler's ticks, next to the sampler's own reads:
 * the main process's rchar and each worker's, the last one seen being the worker's total (its
 * reads end well before it exits). The main's own reads are its rchar less the workers it reaped.
 */
class KernelCounts {
  readonly mainOwn = new Map<number, number>();
  readonly workerTotals = new Map<number, number>();
  private readonly workerAt = new Map<number, number>();
  constructor(private readonly mainPid: number) {}

  onTick(s: number, live: number[]): void {
    const main = rawRchar(this.mainPid);
    for (const pid of live) {
      if (pid === this.mainPid) continue;
      const v = rawRchar(pid);
      if (v !== null) this.workerTotals.set(pid, v);
      if (!this.workerAt.has(pid)) this.workerAt.set(pid, s);
    }
    if (main === null) return;
    let reaped = 0;
    for (const [pid, total] of this.workerTotals) if (!live.includes(pid)) reaped += total;
    this.mainOwn.set(s, main - reaped);
  }

  /** workers first seen in [from, to): the generation an epoch started */
  workersRead(from: number, to: number): { count: number; bytes: number } {
    let count = 0;
    let bytes = 0;
    for (const [pid, at] of this.workerAt)
      if (at >= from && at < to) {
        count++;
        bytes += this.workerTotals.get(pid) ?? 0;
      }
    return { count, bytes };
  }
}

/** bytes of the Python sources linecache reads in a fork-started DataLoader worker (see below) */
function workerStackSources(): number {
  const modules = [
    'torch.utils.data.dataloader',
    'torch.utils.data._utils.worker',
    'multiprocessing.process',
    'multiprocessing.context',
    'multiprocessing.popen_fork',
  ];
  const code = `import importlib, os\nprint(sum(os.path.getsize(importlib.import_module(m).__file__) for m in ${JSON.stringify(modules)}))`;
  const r = spawnSync(SYSTEM_PYTHON, ['-c', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

/** the tree sample used for a boundary at `s`: the last at or before it */
function sampleAt(trees: TreeRecord[], s: number): TreeRecord {
  const before = trees.filter((t) => t.s <= s);
  return before[before.length - 1] as TreeRecord;
}

void test('tree totals stay right across worker respawns; respawns mark the epochs', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  const { dir, cleanup } = tempDir('tree');
  try {
    const dataset = makeDataset(`${dir}/data`, { files: 300, minKb: 24, maxKb: 56 });
    const h = sourceHarness({ treeIntervalMs: 100 });
    let sampler: TreeSampler | null = null;
    let kernel: KernelCounts | null = null;
    const run = await runWorkload(
      'train_torch.py',
      {
        data: `${dir}/data`,
        epochs: 3,
        'batch-size': 16,
        'num-workers': 2,
        'compute-ms': 60,
        truth: `${dir}/truth.jsonl`,
      },
      {
        onSpawn: (pid) => {
          sampler = new TreeSampler(pid);
          kernel = new KernelCounts(pid);
          sampler.onSample((sample, s) =>
            kernel?.onTick(
              s,
              sample.live.map((p) => p.pid),
            ),
          );
          sampler.start(h.ctx);
        },
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const tree = sampler as TreeSampler | null;
    assert.ok(tree);
    await tree.rootExited; // the sampler noticed the exit by itself
    const afterExit = h.records.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.records.length, afterExit, 'nothing is emitted once the root is gone');
    await tree.stop();

    const truth = readTruth(`${dir}/truth.jsonl`);
    const trees = h.of('tree');
    for (let i = 1; i < trees.length; i++) {
      for (const k of ['rchar', 'wchar', 'readBytes', 'writeBytes', 'majorFaults'] as const) {
        assert.ok(trees[i].io[k] >= trees[i - 1].io[k], `${k} never decreases (sample ${i})`);
      }
      assert.ok(trees[i].cpuS >= trees[i - 1].cpuS);
    }
    assert.equal(truth.epochs.length, 3);
    const start = h.ctx.startedAtMs;
    const counts = kernel as KernelCounts | null;
    assert.ok(counts);
    // What the tree read in an epoch besides the dataset, measured rather than allowed for: the
    // main process's own reads between the epoch's boundary samples (batch IPC; in epoch 0 also the
    // modules its first iter() imports, and the tail of `import torch` when the last sample before
    // the epoch start is older than the imports' end), read from its /proc/PID/io; and each worker's
    // start-up reads: seeding torch in the worker queues a lazy CUDA call that formats the stack, so
    // linecache reads the source of every frame on it (dataloader.py, worker.py, multiprocessing's
    // process/context/popen_fork: ≈ 113 kB per worker with Debian's torch 1.13, seen with strace),
    // plus its index queue and descriptor passing. The start-up reads are the same every epoch.
    const extras: number[] = [];
    for (const e of truth.epochs) {
      const [from, to] = [toSessionS(e.startT, start), toSessionS(e.endT, start)];
      const [a, b] = [sampleAt(trees, from), sampleAt(trees, to)];
      const read = rcharAt(trees, to) - rcharAt(trees, from);
      const mainOwn = (counts.mainOwn.get(b.s) ?? NaN) - (counts.mainOwn.get(a.s) ?? NaN);
      const workers = counts.workersRead(from, to);
      // the tree's total is the kernel's: the main's own reads plus its workers' (within what was
      // read between the sampler's read of /proc and the test's, a few kB)
      t.diagnostic(
        `epoch ${e.index}: tree read ${read} = main ${mainOwn} + ${workers.count} workers ${workers.bytes} ` +
          `(${read - mainOwn - workers.bytes}); workers − dataset = ${workers.bytes - dataset.bytes}`,
      );
      assert.equal(workers.count, 2, `epoch ${e.index}: its own 2 workers`);
      assert.ok(
        Math.abs(read - mainOwn - workers.bytes) <= 4096,
        `epoch ${e.index}: tree read ${read}, the kernel counts ${mainOwn + workers.bytes}`,
      );
      extras.push(workers.bytes - dataset.bytes);
    }
    // the workers read the dataset once per epoch, plus their start-up reads: the sources on their
    // stack (their sizes measured now) and a few kB of queue traffic, the same each epoch
    const sources = workerStackSources();
    for (const [i, extra] of extras.entries()) {
      assert.ok(
        extra >= 2 * sources && extra - 2 * sources <= 8192,
        `epoch ${i}: workers read ${extra} bytes besides the dataset; 2 × ${sources} are their sources`,
      );
      assert.ok(
        Math.abs(extra - (extras[1] as number)) <= 4096,
        `epoch ${i}: start-up reads ${extra} vs ${extras[1]} in epoch 1`,
      );
    }
    const first = truth.epochs[0];
    const last = truth.epochs[truth.epochs.length - 1];
    const [a, b] = [
      sampleAt(trees, toSessionS(first.startT, start)),
      sampleAt(trees, toSessionS(last.endT, start)),
    ];
    const loopRead = b.io.rchar - a.io.rchar;
    const mainOwn = (counts.mainOwn.get(b.s) ?? NaN) - (counts.mainOwn.get(a.s) ?? NaN);
    const expected = 3 * dataset.bytes + extras.reduce((x, y) => x + y, 0) + mainOwn;
    t.diagnostic(
      `3 epochs: ${loopRead} read, ${expected} expected (${(loopRead / (3 * dataset.bytes)).toFixed(4)} × 3 datasets)`,
    );
    assert.ok(
      Math.abs(loopRead - expected) <= 3 * 4096,
      `3 epochs read ${loopRead}: 3 × the dataset, the workers' start-up and the main's own reads are ${expected} (2× would be double counting)`,
    );

    // 2 new workers per epoch, each spawned and gone
    const spawns = h.of('proc').filter((p) => p.event === 'spawn');
    const exits = h.of('proc').filter((p) => p.event === 'exit');
    assert.ok(spawns.length >= 6, `${spawns.length} spawns`);
    assert.ok(
      exits.some((p) => p.pid === truth.start.pid),
      'the root exit is reported',
    );
    assert.equal(Math.max(...trees.map((x) => x.workers)), 2);
    assert.equal(trees[0].pids[0], truth.start.pid);

    // respawn marks: one per epoch, shortly after the job's own epoch start (worker start-up)
    const marks = h.of('epochMark').filter((m) => m.source === 'respawn');
    assert.equal(marks.length, 3);
    marks.forEach((m, i) => {
      const lag = m.s - toSessionS(truth.epochs[i].startT, start);
      t.diagnostic(`respawn mark ${i}: ${(lag * 1000).toFixed(0)} ms after the epoch start`);
      assert.ok(
        lag > -0.03 && lag < 0.15,
        `epoch ${i} mark ${(lag * 1000).toFixed(0)} ms after the epoch start`,
      );
    });
  } finally {
    cleanup();
  }
});
