/**
 * The process tree of a real PyTorch job with non-persistent DataLoader workers (new worker PIDs
 * every epoch): tree I/O totals against the dataset's bytes, across worker exits, and epoch marks
 * from worker respawns against the job's own epoch times.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TreeSampler } from '../../src/core/proc/treeSampler';
import type { TreeRecord } from '../../src/shared/model';
import { sourceHarness } from '../support/sourceHarness';
import { hasTorch, requireTool } from '../support/tools';
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

void test('tree totals stay right across worker respawns; respawns mark the epochs', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  const { dir, cleanup } = tempDir('tree');
  try {
    const dataset = makeDataset(`${dir}/data`, { files: 300, minKb: 24, maxKb: 56 });
    const h = sourceHarness({ treeIntervalMs: 100 });
    let sampler: TreeSampler | null = null;
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
    for (const e of truth.epochs) {
      const read = rcharAt(trees, toSessionS(e.endT, start)) - rcharAt(trees, toSessionS(e.startT, start));
      const factor = read / dataset.bytes;
      // Plain chunked reads: each epoch reads the dataset once, plus a few KB of batch IPC and the
      // Python sources the workers read (≈ 0.25 MB). The first epoch also loads the modules its
      // first iteration imports lazily (≈ 0.3 MB more): 6% for it, 3% for the others.
      const tolerance = e.index === 0 ? 0.06 : 0.03;
      t.diagnostic(`epoch ${e.index}: Δ tree rchar ÷ dataset bytes = ${factor.toFixed(4)}`);
      assert.ok(
        Math.abs(factor - 1) < tolerance,
        `epoch ${e.index}: read ${read} for ${dataset.bytes} bytes (×${factor.toFixed(4)})`,
      );
    }
    const first = truth.epochs[0];
    const last = truth.epochs[truth.epochs.length - 1];
    const loopRead =
      rcharAt(trees, toSessionS(last.endT, start)) - rcharAt(trees, toSessionS(first.startT, start));
    const ratio = loopRead / (3 * dataset.bytes);
    t.diagnostic(`3 epochs: ${ratio.toFixed(4)} × (3 × dataset bytes)`);
    assert.ok(
      Math.abs(ratio - 1) < 0.05,
      `3 epochs read ×${ratio.toFixed(4)} of 3 × the dataset (2× would be double counting)`,
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
