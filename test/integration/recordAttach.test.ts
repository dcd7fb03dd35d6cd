/**
 * Attach mode: `trainio record --pid` on a PyTorch job that is already running, no hook. Epochs come
 * from worker respawns (non-persistent workers) or from files opened again (persistent workers,
 * inotify), checkpoints from the watcher and the write bursts, the stall is estimated.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { UNKNOWN_PATH } from '../../src/core/analysis/checkpointDetector';
import type { SessionReport } from '../../src/shared/model';
import { hasCommand, hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { readTruth, toSessionS } from '../support/truth';
import { knobArgs, makeDataset, tempDir, workloadScript } from '../support/workloads';
import { near, runCli, sessionHeader, waitFor } from './cliRun';

const WATCHER_START_S = 1;

async function attachRun(t: TestContext, persistent: boolean): Promise<void> {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  const { dir, cleanup } = tempDir('record-attach');
  try {
    const data = join(dir, 'data');
    const ckpt = join(dir, 'ckpt');
    mkdirSync(ckpt);
    makeDataset(data, { files: 300, minKb: 40, maxKb: 120, subdirs: 3 });
    const truthFile = join(dir, 'truth.jsonl');
    const job = spawn(
      SYSTEM_PYTHON,
      [
        workloadScript('train_torch.py'),
        ...knobArgs({
          data,
          epochs: 5,
          'batch-size': 16,
          'num-workers': 2,
          'persistent-workers': persistent,
          'compute-ms': 40,
          'slow-read-ms': 3,
          'ckpt-dir': ckpt,
          'ckpt-every': 12,
          'ckpt-mb': 4,
          truth: truthFile,
        }),
      ],
      { stdio: 'ignore' },
    );
    const jobExited = new Promise((done) => job.once('exit', done));
    try {
      // attach while the first epoch runs
      await waitFor(() => readIfAny(truthFile).includes('"epoch_start"'), 60_000, 'the job to start');
      const session = join(dir, 'session.trainio.jsonl');
      // tree samples every 100 ms, as in the launch test: the per-epoch byte split at boundaries
      // is limited by the sampling interval against these short epochs
      const rec = await runCli([
        'record',
        '--out',
        session,
        '--pid',
        String(job.pid),
        '--dataset',
        data,
        '--checkpoints',
        ckpt,
        '--interval',
        '100',
      ]);
      assert.equal(rec.code, 0, rec.stderr);
      await jobExited;
      const out = join(dir, 'report.json');
      assert.equal((await runCli(['report', session, '--format', 'json', '--out', out])).code, 0);
      const report = JSON.parse(readFileSync(out, 'utf8')) as SessionReport;
      const truth = readTruth(truthFile);
      const at = (tt: number): number => toSessionS(tt, sessionHeader(session).startedAtMs);
      assert.equal(report.target.mode, 'attach');
      assert.equal(report.target.pid, job.pid);

      // every boundary found is within 0.5 s of a true epoch start, and every true start after the
      // first second is found. Files opened again need one whole epoch seen: attached mid-epoch
      // (persistent workers), the first boundary may come late, so the check starts after it.
      const starts = truth.epochs.map((e) => at(e.startT));
      const marked = report.epochs.filter((e) => e.source !== 'session');
      assert.ok(marked.length >= 2, JSON.stringify(report.epochs));
      for (const e of marked) {
        // persistent workers never respawn; otherwise both sources mark the boundary (reopen dates it)
        if (persistent) assert.equal(e.source, 'reopen');
        else assert.ok(e.source === 'respawn' || e.source === 'reopen', e.source);
        const nearest = starts.reduce((a, b) => (Math.abs(b - e.startS) < Math.abs(a - e.startS) ? b : a));
        near(e.startS, nearest, 0.5, `epoch ${e.index} start`);
      }
      const from = persistent ? marked[0].startS + 0.5 : 1;
      for (const s of starts.filter((x) => x > from)) {
        assert.ok(
          marked.some((e) => Math.abs(e.startS - s) <= 0.5),
          `true epoch start ${s.toFixed(3)} not found in ${JSON.stringify(report.epochs)}`,
        );
      }
      // whole epochs seen from their start (the samplers' first reads come a moment after the attach)
      // ±5 %. Attached mid-epoch with persistent workers, the first boundary is the first file
      // opened again that was seen before it: the files the next epoch opened first and the epoch
      // of the attach had not yet been seen to open cannot be told apart — that epoch ±15 %
      marked
        .slice(0, -1)
        .filter((e) => e.startS > 0.5)
        .forEach((e) =>
          near(
            e.rereadFactor,
            1,
            persistent && e === marked[0] ? 0.15 : 0.05,
            `epoch ${e.index} re-read factor`,
          ),
        );

      // checkpoints: every save from the first second on is found by path (bytes within 1 %, end
      // within 0.2 s); the watcher needs a moment to start, so a save before may be known only as a
      // write burst of unknown path. No checkpoint is made up.
      const saves = truth.checkpoints.filter((c) => at(c.t1) > 0);
      assert.ok(saves.filter((c) => at(c.t0) > WATCHER_START_S).length >= 2);
      for (const c of saves) {
        const found = report.checkpoints.find((x) => x.path === c.path);
        if (!found && at(c.t0) <= WATCHER_START_S) continue;
        assert.ok(found, `checkpoint ${c.path} not found in ${JSON.stringify(report.checkpoints)}`);
        near(found.bytes, c.bytes, 0.01 * c.bytes, 'checkpoint bytes');
        near(found.startS + found.durationS, at(c.t1), 0.2, 'checkpoint end');
      }
      for (const x of report.checkpoints) {
        if (x.path === UNKNOWN_PATH) assert.ok(x.startS <= WATCHER_START_S, JSON.stringify(x));
        else
          assert.ok(
            saves.some((c) => c.path === x.path),
            `made-up checkpoint ${JSON.stringify(x)}`,
          );
      }

      // the stall is there, estimated from outside
      assert.equal(report.dataStall.method, 'estimated');
      assert.equal(typeof report.dataStall.pct, 'number');
      assert.equal(report.dataStall.exactPct, undefined);
    } finally {
      job.kill('SIGKILL');
      await jobExited;
    }
  } finally {
    cleanup();
  }
}

function readIfAny(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

void test('attach mode, non-persistent workers: epochs from respawns, checkpoints, estimated stall', (t) =>
  attachRun(t, false));

void test('attach mode, persistent workers: epochs from files opened again (inotify)', async (t) => {
  if (!requireTool(t, hasCommand('inotifywait', ['--help']), 'inotifywait', 'apt-get install inotify-tools'))
    return;
  await attachRun(t, true);
});
