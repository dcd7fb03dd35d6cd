/**
 * Exact mode and the batch hand-off: in a loop written `x, y = next(it)` (no `del` of the previous
 * batch) the previous batch's shared-memory tensors are released as x and y are rebound — inside a
 * stopwatch around that line, outside the iterator's __next__. The hook times that release
 * (python/trainio_hook/handoff.py); exact mode then agrees with the stopwatch the job logs as its
 * truth (test/workloads/handoff_job.py). Tolerance: ±0.5 points (the exact-mode target).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SessionReport, StallRecord } from '../../src/shared/model';
import { hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { readTruth } from '../support/truth';
import { tempDir, workloadScript } from '../support/workloads';
import { near, runCli } from './cliRun';

void test('exact stall includes releasing the previous batch, as a stopwatch around next() does', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  const { dir, cleanup } = tempDir('hook-handoff');
  t.after(cleanup);
  const truthFile = join(dir, 'truth.jsonl');
  const session = join(dir, 'session.trainio.jsonl');
  const job = [SYSTEM_PYTHON, workloadScript('handoff_job.py'), '--truth', truthFile, '--steps', '200'];
  const rec = await runCli(['record', '--out', session, '--', ...job], { cwd: dir });
  assert.equal(rec.code, 0, rec.stderr);
  const out = join(dir, 'report.json');
  assert.equal((await runCli(['report', session, '--format', 'json', '--out', out])).code, 0);
  const report = JSON.parse(readFileSync(out, 'utf8')) as SessionReport;
  const truth = readTruth(truthFile);
  assert.equal(report.dataStall.method, 'exact');
  near(report.dataStall.pct ?? NaN, truth.stallPct, 0.5, 'exact stall vs the stopwatch');
  // the hand-off is stated as its own figure, and it is what closes the gap
  const windows = readFileSync(session, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"stall"') && l.includes('"exact"'))
    .map((l) => JSON.parse(l) as StallRecord);
  const loopS = windows.reduce((a, w) => a + w.loopS, 0);
  const handoffS = windows.reduce((a, w) => a + (w.handoffS ?? 0), 0);
  const perBatchMs = (1000 * handoffS) / truth.steps.length;
  assert.ok(perBatchMs > 0.05 && perBatchMs < 5, `hand-off ${perBatchMs.toFixed(3)} ms per batch`);
  const withoutHandoff = (100 * (windows.reduce((a, w) => a + w.waitS, 0) - handoffS)) / loopS;
  assert.ok(
    truth.stallPct - withoutHandoff > 0.5,
    `without the hand-off exact mode would read ${withoutHandoff.toFixed(2)} for ${truth.stallPct.toFixed(2)}`,
  );
  near(report.dataStall.handoffPct ?? NaN, (100 * handoffS) / loopS, 0.05, 'hand-off figure');
});
