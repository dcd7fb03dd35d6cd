/**
 * The recorded sessions of test/fixtures/sessions (real jobs, recorded by scripts/record-fixtures.mjs)
 * reopened and compared with the ground truth their jobs wrote.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSession } from '../../src/core/session/sessionReader';
import type { HeaderRecord, SessionReport } from '../../src/shared/model';
import { readTruth, toSessionS, type Truth } from '../support/truth';

const DIR = join(__dirname, '..', 'fixtures', 'sessions');

async function fixture(name: string): Promise<{ report: SessionReport; truth: Truth; startedAtMs: number }> {
  const file = join(DIR, `${name}.trainio.jsonl`);
  const header = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]) as HeaderRecord;
  return {
    report: await loadSession(file),
    truth: readTruth(join(DIR, `${name}.truth.jsonl`)),
    startedAtMs: header.startedAtMs,
  };
}

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs truth ${expected} (±${tol})`);
}

function checkCheckpoints(report: SessionReport, truth: Truth, startedAtMs: number): void {
  assert.equal(report.checkpoints.length, truth.checkpoints.length);
  for (const c of truth.checkpoints) {
    const found = report.checkpoints.find((x) => x.path === c.path);
    assert.ok(found, `checkpoint ${c.path} not found`);
    near(found.bytes, c.bytes, 0.01 * c.bytes, `${c.path} bytes`);
    near(found.startS + found.durationS, toSessionS(c.t1, startedAtMs), 0.2, `${c.path} end`);
  }
}

void test('launch fixture: epochs, exact stall, re-reads and checkpoints match the truth', async () => {
  const { report, truth, startedAtMs } = await fixture('launch-torch');
  assert.equal(report.target.mode, 'launch');
  assert.equal(report.epochs.length, truth.epochs.length);
  report.epochs.forEach((e, i) => {
    near(e.startS, toSessionS(truth.epochs[i].startT, startedAtMs), 0.5, `epoch ${i} start`);
    near(e.endS, toSessionS(truth.epochs[i].endT, startedAtMs), 0.5, `epoch ${i} end`);
    // per epoch within 5 %: the 250 ms sample holding each boundary is split by rate (epochs ≈ 1 s)
    near(e.rereadFactor, 1, 0.05, `epoch ${i} re-read factor`);
  });
  near(report.reread.factor, truth.epochs.length, 0.03 * truth.epochs.length, 'session re-read factor');
  assert.equal(report.dataStall.method, 'exact');
  near(report.dataStall.pct ?? NaN, truth.stallPct, 0.5, 'exact stall %');
  checkCheckpoints(report, truth, startedAtMs);
  assert.ok(report.loaders.length >= 1 && report.loaders[0].site?.file.endsWith('train_torch.py'));
});

void test('attach fixture: epochs from worker respawns and checkpoints from the watcher match the truth', async () => {
  const { report, truth, startedAtMs } = await fixture('attach-torch');
  assert.equal(report.target.mode, 'attach');
  const marked = report.epochs.filter((e) => e.source !== 'session');
  assert.ok(marked.length >= 2, `${marked.length} marked epochs`);
  for (const e of marked) {
    const starts = truth.epochs.map((t) => toSessionS(t.startT, startedAtMs));
    const nearest = starts.reduce((a, b) => (Math.abs(b - e.startS) < Math.abs(a - e.startS) ? b : a));
    near(e.startS, nearest, 0.5, `epoch ${e.index} start`);
  }
  const recorded = truth.checkpoints.filter((c) => toSessionS(c.t0, startedAtMs) > 0);
  checkCheckpoints(report, { ...truth, checkpoints: recorded }, startedAtMs);
});
