import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareReports, compareSetup } from '../../src/core/report/index';
import { comparisonVerdict } from '../../src/core/report/comparison';
import { keyNumbers } from '../../src/core/report/keyNumbers';
import { emptyReport, sampleReport } from '../support/reportSample';

const row = (rows: ReturnType<typeof compareReports>, metric: string) =>
  rows.find((r) => r.metric === metric)!;

void test('keyNumbers derives the headline numbers from the report', () => {
  const r = sampleReport();
  const k = keyNumbers(r);
  const durations = r.epochs.map((e) => e.endS - e.startS);
  assert.equal(k.epochs, 3);
  assert.ok(Math.abs(k.meanEpochS! - (durations[0] + durations[1] + durations[2]) / 3) < 1e-9);
  assert.equal(k.firstEpochS, durations[0]);
  assert.ok(Math.abs(k.laterEpochS! - (durations[1] + durations[2]) / 2) < 1e-9);
  assert.equal(k.checkpointBytes, 16_700_000 + 16_700_001);
  assert.ok(Math.abs(k.checkpointLostS - (0.8 + 1.125)) < 1e-9);
  assert.ok(Math.abs(k.checkpointLostPct! - (100 * 1.925) / r.durationS) < 1e-9);
  assert.equal(k.meanReadBps, r.totals.rchar / r.durationS);
  assert.equal(k.peakReadBps, Math.max(...r.series.readBps));
  assert.equal(k.numWorkers, 2);
  const none = keyNumbers(emptyReport());
  assert.deepEqual(
    [none.meanEpochS, none.meanReadBps, none.peakReadBps, none.numWorkers],
    [null, null, null, null],
  );
});

void test('compareReports gives both values, the change and the better run', () => {
  const a = sampleReport();
  const b = sampleReport();
  b.dataStall = { ...b.dataStall, pct: 4 };
  b.epochs = b.epochs.map((e) => ({ ...e, startS: e.startS / 2, endS: e.endS / 2 }));
  b.reread = { ...b.reread, pageCacheHitPct: 30 };
  b.checkpoints = b.checkpoints.map((c) => ({ ...c, lostS: c.lostS * 1.01 }));
  b.loaders = [{ ...b.loaders[0], numWorkers: 6 }];
  const rows = compareReports(a, b);

  const stall = row(rows, 'Data stall');
  assert.deepEqual([stall.a, stall.b, stall.better], [23.45, 4, 'b']);
  assert.ok(Math.abs(stall.delta! - (4 - 23.45)) < 1e-9);
  assert.equal(stall.deltaText, `−${(23.45 - 4).toFixed(1)} points`);

  const epoch = row(rows, 'Mean epoch time');
  assert.equal(epoch.better, 'b');
  assert.ok(Math.abs(epoch.deltaPct! - -50) < 1e-9, 'half the epoch time is −50 %');

  assert.equal(row(rows, 'Page cache hit').better, 'a', 'a higher cache hit is better');
  assert.equal(row(rows, 'Re-read factor').better, 'same');
  assert.equal(
    row(rows, 'Checkpoint cost (training lost)').better,
    'same',
    '1 % more is within the 5 % tolerance',
  );
  const workers = row(rows, 'num_workers');
  assert.deepEqual([workers.a, workers.b, workers.better, workers.deltaText], [2, 6, null, '+4 (+200%)']);
  assert.equal(
    comparisonVerdict(rows),
    'B is better on data stall, mean epoch time, first epoch time; A is better on page cache hit.',
  );
});

void test('unknown values compare as unknown, never as a win', () => {
  const rows = compareReports(emptyReport(), sampleReport());
  const stall = row(rows, 'Data stall');
  assert.deepEqual(
    [stall.a, stall.delta, stall.better, stall.aText, stall.deltaText],
    [null, null, null, '—', '—'],
  );
});

void test('compareSetup marks what differs between the runs', () => {
  const a = sampleReport();
  const b = sampleReport();
  b.env = { ...b.env, disks: [{ name: 'sda', type: 'HD', sizeBytes: 1e12 }] };
  const setup = compareSetup(a, b);
  assert.deepEqual(
    setup.filter((r) => r.differs).map((r) => [r.label, r.a, r.b]),
    [['Disks', 'nvme0n1 NVMe', 'sda HD']],
  );
});
