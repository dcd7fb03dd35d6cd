/**
 * How the panel writes numbers (plain Node: the formatter and the marker/axis arithmetic are pure).
 * The expected strings are written out by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

// the webview is an ES module (webview/package.json); a dynamic import reaches it from here
const load = () =>
  Promise.all([
    import('../../src/shared/format.js'),
    import('../../webview/src/charts/chartTheme.js'),
    import('../../webview/src/sections/datasetWarnings.js'),
    import('../../webview/src/sections/header.js'),
    import('../../webview/src/charts/histogramChart.js'),
  ]);

void test('bytes: decimal units, three significant digits, rounding into the next unit', async () => {
  const [{ formatBytes, formatRate }] = await load();
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1000), '1.00 kB');
  assert.equal(formatBytes(16_712_345), '16.7 MB');
  assert.equal(formatBytes(276_824_064), '277 MB');
  assert.equal(formatBytes(999_600), '1.00 MB', '999.6 kB rounds up into MB, not "1000 kB"');
  assert.equal(formatBytes(1.5e15), '1.50 PB');
  assert.equal(formatBytes(null), '—');
  assert.equal(formatBytes(Number.NaN), '—');
  assert.equal(formatRate(42_000_000), '42.0 MB/s');
  assert.equal(formatRate(undefined), '—');
});

void test('durations, clocks, percentages, factors, counts, size bounds', async () => {
  const [{ formatDuration, formatClock, formatPct, formatFactor, formatCount, formatSizeBound, baseName }] =
    await load();
  assert.equal(formatDuration(0.21), '210 ms');
  assert.equal(formatDuration(37.14), '37.1 s');
  assert.equal(formatDuration(59.96), '1 min 00 s', 'no "60.0 s"');
  assert.equal(formatDuration(94.3), '1 min 34 s');
  assert.equal(formatDuration(86_400), '24 h 00 min');
  assert.equal(formatClock(0), '0:00');
  assert.equal(formatClock(81.4), '1:21');
  assert.equal(formatClock(3723), '1:02:03');
  assert.equal(formatPct(12.34), '12.3%');
  assert.equal(formatPct(0), '0.0%');
  assert.equal(formatPct(null), '—');
  assert.equal(formatFactor(1.047), '1.05×');
  assert.equal(formatCount(5_000_000), '5,000,000');
  assert.equal(formatSizeBound(65536), '64 KiB');
  assert.equal(formatSizeBound(1048576), '1 MiB');
  assert.equal(formatSizeBound(50_000), '50.0 kB');
  assert.equal(baseName('/home/u/proj/train.py'), 'train.py');
  assert.equal(baseName('C:\\proj\\train.py'), 'train.py');
});

void test('time axis steps stay at ≤ 8 ticks on clock-friendly values', async () => {
  const [, { timeStep }] = await load();
  const cases: [number, number][] = [
    [5, 1],
    [96, 15],
    [600, 120],
    [3600, 600],
    [86_400, 10_800],
    [7 * 86_400, 86_400],
  ];
  for (const [span, step] of cases) {
    assert.equal(timeStep(span), step, `span ${span} s`);
    assert.ok(span / timeStep(span) <= 8);
  }
});

void test('stall level by thresholds; small-file and metadata warnings from the index', async () => {
  const [, , { datasetWarnings, smallFilePct }, { stallLevel }] = await load();
  const thresholds = { warningPct: 5, errorPct: 20 };
  assert.equal(stallLevel(4.99, thresholds), 'ok');
  assert.equal(stallLevel(5, thresholds), 'warning');
  assert.equal(stallLevel(20, thresholds), 'error');
  assert.equal(stallLevel(null, thresholds), 'unknown');

  const index = {
    path: '/data',
    files: 100_000,
    bytes: 3e9,
    dirs: 10,
    histogram: [
      { le: 4096, count: 30_000, bytes: 6e7 },
      { le: 65536, count: 40_000, bytes: 1.5e9 },
      { le: null, count: 30_000, bytes: 1.44e9 },
    ],
    largestDirs: [],
    indexS: 12.5,
    partial: true,
  };
  assert.equal(smallFilePct(index), 70);
  const warnings = datasetWarnings(index);
  assert.equal(warnings.length, 3);
  assert.match(warnings[0] as string, /^70% of 100,000 files are 64 KiB or smaller/);
  assert.match(warnings[1] as string, /took 12\.5 s/);
  assert.match(warnings[2] as string, /stopped early at 100,000 files/);
  assert.deepEqual(datasetWarnings({ ...index, files: 3000, indexS: 0.4, partial: false }), []);
});

void test('histogram: empty buckets at either end are left out, labels say each bucket’s bound', async () => {
  const [, , , , { occupiedBuckets, bucketLabel }] = await load();
  const histogram = [
    { le: 1024, count: 0, bytes: 0 },
    { le: 4096, count: 0, bytes: 0 },
    { le: 65536, count: 400, bytes: 12e6 },
    { le: 1048576, count: 0, bytes: 0 },
    { le: 16777216, count: 1, bytes: 9e6 },
    { le: null, count: 0, bytes: 0 },
  ];
  assert.deepEqual(
    occupiedBuckets(histogram).map((b) => b.le),
    [65536, 1048576, 16777216],
  );
  assert.equal(occupiedBuckets(histogram.map((b) => ({ ...b, count: 0 }))).length, histogram.length);
  assert.equal(bucketLabel(histogram[2] as (typeof histogram)[number], histogram[1]), '≤ 64 KiB');
  assert.equal(bucketLabel(histogram[5] as (typeof histogram)[number], histogram[4]), '> 16 MiB');
});
