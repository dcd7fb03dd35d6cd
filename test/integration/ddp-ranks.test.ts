/**
 * Multi-rank DDP jobs (test/workloads/train_ddp.py: ranks on CPU with gloo, each with its own
 * DataLoader and workers, one rank a straggler): every rank's stall, epochs, loaders and pid checked
 * against that rank's own truth, in launch mode (exact, from the hook in each rank) and with the
 * hook off (estimated from each rank's main thread, the launcher left out).
 *
 * Tolerances: exact ±0.5 points per rank; estimated ±3 points per rank (the attach-mode target);
 * epochs exactly as many as the job ran.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SessionReport } from '../../src/shared/model';
import { hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { readLauncherTruth, readRankTruths } from '../support/truth';
import { knobArgs, makeDataset, tempDir, workloadScript } from '../support/workloads';
import { near, runCli } from './cliRun';

const EPOCHS = 3;

async function recordDdp(
  t: import('node:test').TestContext,
  opts: { hook: boolean; rankStart: 'fork' | 'spawn' },
): Promise<{ report: SessionReport; truths: ReturnType<typeof readRankTruths>; launcher: number } | null> {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch'))
    return null;
  const { dir, cleanup } = tempDir('ddp-ranks');
  t.after(cleanup);
  const data = join(dir, 'data');
  makeDataset(data, { files: 480, minKb: 32, maxKb: 96, subdirs: 4 });
  const truthFile = join(dir, 'truth.jsonl');
  const session = join(dir, 'session.trainio.jsonl');
  const job = [
    SYSTEM_PYTHON,
    workloadScript('train_ddp.py'),
    ...knobArgs({
      ranks: 2,
      'rank-start-method': opts.rankStart,
      data,
      epochs: EPOCHS,
      'batch-size': 16,
      'num-workers': 1,
      'compute-ms': 20,
      'slow-rank': 1,
      'slow-rank-read-ms': 3,
      truth: truthFile,
    }),
  ];
  const rec = await runCli(
    ['record', '--out', session, '--dataset', data, ...(opts.hook ? [] : ['--no-hook']), '--', ...job],
    { cwd: dir },
  );
  assert.equal(rec.code, 0, rec.stderr);
  const out = join(dir, 'report.json');
  const rep = await runCli(['report', session, '--format', 'json', '--out', out]);
  assert.equal(rep.code, 0, rep.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as SessionReport;
  return { report, truths: readRankTruths(truthFile), launcher: readLauncherTruth(truthFile).pid };
}

function checkRanks(
  report: SessionReport,
  truths: ReturnType<typeof readRankTruths>,
  method: 'exact' | 'estimated',
  tol: number,
): void {
  const ranks = report.ranks ?? [];
  assert.equal(ranks.length, truths.length, `one row per rank: ${JSON.stringify(ranks)}`);
  const errors: number[] = [];
  truths.forEach((truth, i) => {
    const row = ranks.find((r) => r.rank === i);
    assert.ok(row, `rank ${i} reported`);
    assert.equal(row.pid, truth.start.pid, `rank ${i} is its own process`);
    assert.equal(row.dataStall.method, method);
    errors.push(Math.abs((row.dataStall.pct ?? NaN) - truth.stallPct));
    // the targets: exact within `tol` each; estimated within `tol` on average, none over twice it
    near(row.dataStall.pct ?? NaN, truth.stallPct, method === 'exact' ? tol : 2 * tol, `rank ${i} stall`);
    assert.equal(row.epochs, truth.epochs.length, `rank ${i} epochs`);
    assert.equal(row.workers, 1, `rank ${i} workers`);
  });
  const meanError = errors.reduce((a, b) => a + b, 0) / errors.length;
  assert.ok(meanError <= tol, `mean stall error over the ranks ${meanError.toFixed(2)} (≤ ${tol})`);
  // the job waits for its slowest rank
  const slowest = truths.reduce((a, b, i) => (b.stallPct > truths[a].stallPct ? i : a), 0);
  assert.equal(report.dataStall.slowestRank, slowest, 'the straggler named');
  near(
    report.dataStall.pct ?? NaN,
    truths[slowest].stallPct,
    method === 'exact' ? tol : 2 * tol,
    'job stall = slowest rank',
  );
  const spread = Math.max(...truths.map((x) => x.stallPct)) - Math.min(...truths.map((x) => x.stallPct));
  near(report.dataStall.spreadPct ?? NaN, spread, 2 * tol, 'spread between ranks');
  assert.equal(report.epochs.length, EPOCHS, 'the job ran 3 epochs');
  // each epoch the ranks read the dataset once between them (DistributedSampler), whatever their
  // workers re-import (spawned workers read tens of MB of modules): ±3 %
  near(report.reread.factor, EPOCHS, 0.03 * EPOCHS, 'dataset passes');
  const total = ranks.reduce((a, r) => a + r.bytesRead, 0);
  near(total, report.reread.bytesRead, 0.01 * report.reread.bytesRead, 'ranks share the bytes read');
}

void test('DDP, launch mode: exact stall per rank from the hook in each rank, the straggler named', async (t) => {
  const r = await recordDdp(t, { hook: true, rankStart: 'fork' });
  if (r === null) return;
  checkRanks(r.report, r.truths, 'exact', 0.5);
  assert.equal(r.report.loaders.length, 2, 'each rank made its own DataLoader');
  assert.ok(!r.report.ranks?.some((x) => x.pid === r.launcher), 'the launcher is not a rank');
});

void test('DDP without the hook: estimated stall per rank, collectives and the launcher not counted', async (t) => {
  const r = await recordDdp(t, { hook: false, rankStart: 'spawn' });
  if (r === null) return;
  checkRanks(r.report, r.truths, 'estimated', 3);
  assert.ok(!r.report.ranks?.some((x) => x.pid === r.launcher), 'the launcher is not a rank');
});
