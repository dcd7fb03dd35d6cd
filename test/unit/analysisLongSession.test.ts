/**
 * A 24-hour session through the analyzer: the report stays bounded (series points, lists) and the
 * epochs and checkpoints of the whole day are still right.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionAnalyzer } from '../../src/core/analysis/sessionAnalyzer';

const DAY_S = 24 * 3600;
const EPOCH_S = 600;
const DATASET = 50e9;
const RATE = DATASET / (EPOCH_S - 60); // each epoch reads the dataset in 540 s, then validates

void test('a 24-hour session keeps a bounded report with every epoch and checkpoint', () => {
  const a = new SessionAnalyzer();
  a.add({
    type: 'header',
    schema: 'trainio.recording/1',
    startedAtMs: 1_700_000_000_000,
    target: { mode: 'launch', pid: 1, command: ['python3', 'train.py'] },
    datasets: ['/data'],
    checkpoints: ['/ck'],
    intervalMs: 250,
    hook: true,
    env: { host: 'h', kernel: 'k', cpus: 32, memBytes: 512e9 },
  });
  a.add({
    type: 'dataset',
    s: 1,
    path: '/data',
    files: 1_000,
    bytes: DATASET,
    dirs: 1,
    histogram: [{ le: null, count: 1000, bytes: DATASET }],
    largestDirs: [],
    indexS: 1,
    partial: false,
  });
  let written = 0;
  for (let i = 1; i <= DAY_S * 4; i++) {
    const s = i / 4;
    const inEpoch = s % EPOCH_S;
    const epochsDone = Math.floor(s / EPOCH_S);
    const rchar = epochsDone * DATASET + Math.min(DATASET, RATE * inEpoch);
    if (i % (4 * EPOCH_S) === 4)
      a.add({ type: 'epochMark', s: epochsDone * EPOCH_S, source: 'hook', loaderId: 0 });
    if (i % (4 * 1800) === 0) {
      a.add({ type: 'save', startS: s - 2, endS: s - 1, path: `/ck/${i}.pt`, bytes: 2e9, source: 'hook' });
      written += 2e9;
    }
    a.add({
      type: 'tree',
      s,
      pids: [1, 2, 3],
      io: { rchar, wchar: written, readBytes: 0, writeBytes: written, majorFaults: 0 },
      cpuS: s,
      rssBytes: 1e9,
      workers: 2,
    });
    if (i % 8 === 0)
      a.add({ type: 'stall', s, windowS: 2, method: 'exact', waitS: 0.2, loopS: 2, confidence: 'high' });
  }
  a.add({ type: 'end', s: DAY_S, reason: 'exited', exitCode: 0 });
  const started = Date.now();
  const r = a.report();
  const buildMs = Date.now() - started;
  assert.ok(r.series.t.length <= 2048, `${r.series.t.length} points`);
  assert.equal(r.epochs.length, DAY_S / EPOCH_S);
  for (const e of r.epochs)
    assert.ok(Math.abs(e.rereadFactor - 1) < 0.001, `epoch ${e.index}: ${e.rereadFactor}`);
  assert.equal(r.checkpoints.length, DAY_S / 1800);
  assert.equal(r.dataStall.pct, 10);
  assert.ok(buildMs < 1000, `report built in ${buildMs} ms`);
  // the report is small enough to post to the panel several times a second
  assert.ok(JSON.stringify(r).length < 1_000_000, `${JSON.stringify(r).length} characters`);
});
