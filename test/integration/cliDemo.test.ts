/**
 * `trainio demo` from the built CLI (dist/cli.js, as installed): it writes its files and its
 * report's numbers match the ground truth the sample job wrote.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SessionReport } from '../../src/shared/model';
import { hasTorch, requireTool } from '../support/tools';
import { readTruth, toSessionS } from '../support/truth';
import { tempDir } from '../support/workloads';
import { hasBuiltCli, near, runCli, sessionHeader } from './cliRun';

void test('trainio demo writes the session and its reports, and the numbers match the job', async (t) => {
  if (!requireTool(t, hasBuiltCli(), 'the built CLI (dist/cli.js)', 'run node esbuild.mjs')) return;
  const { dir, cleanup } = tempDir('demo');
  try {
    const out = join(dir, 'demo');
    const r = await runCli(['demo', '--out-dir', out], { built: true, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['session.trainio.jsonl', 'report.json', 'truth.jsonl'])
      assert.ok(existsSync(join(out, f)), f);
    assert.match(r.stdout, /Ground truth from the job: data stall/);
    assert.ok(r.stdout.includes(join(out, 'report.json')));
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as SessionReport;
    const truth = readTruth(join(out, 'truth.jsonl'));
    const at = (tt: number): number =>
      toSessionS(tt, sessionHeader(join(out, 'session.trainio.jsonl')).startedAtMs);
    assert.equal(report.target.mode, 'launch');
    assert.equal(report.epochs.length, 3);
    report.epochs.forEach((e, i) => near(e.startS, at(truth.epochs[i].startT), 0.5, `epoch ${i} start`));
    assert.equal(report.checkpoints.length, truth.checkpoints.length);
    assert.ok(truth.checkpoints.length >= 2);
    truth.checkpoints.forEach((c, i) =>
      near(report.checkpoints[i].bytes, c.bytes, 0.01 * c.bytes, 'checkpoint bytes'),
    );
    if (hasTorch()) {
      // the PyTorch job with the hook: the stall is exact
      assert.equal(report.dataStall.method, 'exact');
      near(report.dataStall.pct ?? NaN, truth.stallPct, 0.5, 'stall %');
    }
    // the html and markdown exporters exist in this build: the demo wrote their reports too
    assert.ok(existsSync(join(out, 'report.md')));
    assert.ok(existsSync(join(out, 'report.html')));
  } finally {
    cleanup();
  }
});
