import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CounterHistory } from '../../src/core/analysis/counterHistory';
import { SeriesBuilder } from '../../src/core/analysis/seriesBuilder';
import { TimeGrid } from '../../src/core/analysis/timeGrid';
import type { TreeRecord } from '../../src/shared/model';

function tree(s: number, rchar: number, workers = 0): TreeRecord {
  return {
    type: 'tree',
    s,
    pids: [1],
    io: { rchar, wchar: 0, readBytes: rchar / 2, writeBytes: 0, majorFaults: 0 },
    cpuS: s,
    rssBytes: 0,
    workers,
  };
}

void test('a spread amount is conserved, prorated sums match the uniform rate', () => {
  const g = new TimeGrid(['x'] as const, { maxPoints: 64, bucketS: 0.5 });
  g.spread('x', 1.2, 3.7, 2500); // 1000 per second
  assert.equal(Math.round(g.sum('x', 0, 100)), 2500);
  assert.ok(Math.abs(g.sum('x', 2, 3) - 1000) < 1e-6);
  // inside one bucket the amount is taken as uniform over the bucket: [1.2, 1.5] holds 300 → 0.25 s of it
  assert.ok(Math.abs(g.sum('x', 1.2, 1.45) - 150) < 1e-6);
});

void test('the grid halves its resolution when full and keeps every total', () => {
  const g = new TimeGrid(['x'] as const, { maxPoints: 100, bucketS: 0.5 });
  let total = 0;
  for (let t = 0; t < 24 * 3600; t += 7) {
    g.spread('x', t, t + 7, 70);
    total += 70;
  }
  assert.ok(g.length <= 100, `${g.length} buckets`);
  assert.ok(g.bucketS >= (24 * 3600) / 100, `bucket ${g.bucketS} s`);
  assert.ok(Math.abs(g.sum('x', 0, 1e9) - total) < 1e-6 * total);
  // a window far from the edges still reads the constant rate of 10/s within one bucket's error
  const mid = g.sum('x', 36000, 43200);
  assert.ok(Math.abs(mid - 72000) <= 10 * g.bucketS * 2, `${mid}`);
});

void test('a 24-hour session keeps a bounded series with the right throughput', () => {
  const b = new SeriesBuilder({ maxPoints: 512 });
  const rate = 50e6; // bytes/s
  for (let s = 0.25; s <= 24 * 3600; s += 0.25) b.addTree(tree(s, rate * s));
  const series = b.series('estimated');
  assert.ok(series.t.length <= 512, `${series.t.length} points`);
  const inner = series.readBps.slice(1, -1);
  for (const v of inner) assert.ok(Math.abs(v - rate) / rate < 0.001, `${v}`);
  assert.equal(
    series.stallPct.every((x) => x === null),
    true,
  );
});

void test('counter history interpolates, and splits a boundary interval by the rates on either side', () => {
  const io = (rchar: number) => ({ rchar, wchar: 0, readBytes: 0, writeBytes: 0, majorFaults: 0 });
  const h = new CounterHistory(1000);
  h.add(1, io(100), 2);
  h.add(2, io(300), 2);
  assert.equal(h.at(0.5)?.rchar, 50); // from zero at the session start
  assert.equal(h.at(1.5)?.rchar, 200);
  assert.equal(h.at(2.5), undefined); // not known yet
  assert.equal(h.atBoundary(1.5), undefined); // needs the interval after the boundary's
  h.add(3, io(1300), 2);
  // the old epoch read at 100 B/s before, the new one at 1000 B/s after: of the 200 B of [1, 2],
  // 50 : 500 go to each side of 1.5
  assert.ok(Math.abs((h.atBoundary(1.5)?.rchar ?? 0) - (100 + (200 * 50) / 550)) < 1e-9);
  const solo = new CounterHistory(1000);
  solo.add(1, io(100), 0);
  solo.add(2, io(300), 0);
  assert.equal(solo.atBoundary(1.5)?.rchar, 200); // the main process reads as it goes: interpolated
});

void test("a new worker generation's first reads, a burst at the boundary, stay on its side", () => {
  const io = (readBytes: number) => ({ rchar: 0, wchar: 0, readBytes, writeBytes: 0, majorFaults: 0 });
  // the main process reads 60 B/s; workers forked at 3.30 read 40 000 B at once, then nothing
  const h = new CounterHistory(1000);
  h.add(3.19, io(1000), 0);
  h.add(3.29, io(1006), 0);
  h.add(3.39, io(41_012), 2, { s: 3.3, io: io(40_000) });
  h.add(3.49, io(41_012), 2);
  const at = h.atBoundary(3.3)?.readBytes ?? NaN;
  // before: the main's 6 B of the interval by the rates; all 40 000 B after the boundary
  assert.ok(at >= 1006 && at <= 1012, `at the boundary ${at}`);
  // without knowing who read them, the rates put the burst before the boundary
  const blind = new CounterHistory(1000);
  blind.add(3.19, io(1000), 0);
  blind.add(3.29, io(1006), 0);
  blind.add(3.39, io(41_012), 2);
  blind.add(3.49, io(41_012), 2);
  assert.ok((blind.atBoundary(3.3)?.readBytes ?? 0) > 40_000);
  // processes started inside the interval before the boundary: the share of their time after it
  const early = new CounterHistory(1000);
  early.add(1, io(0), 0);
  early.add(2, io(1000), 0, { s: 1.2, io: io(800) });
  assert.ok(Math.abs((early.atBoundary(1.6)?.readBytes ?? NaN) - (200 * 0.6 + 800 * 0.5)) < 1e-9);
});

void test('counter history stays bounded and exact for recent samples', () => {
  const h = new CounterHistory(256);
  for (let i = 1; i <= 10_000; i++)
    h.add(i, { rchar: i * 10, wchar: 0, readBytes: 0, writeBytes: 0, majorFaults: 0 });
  assert.equal(h.at(9_990.5)?.rchar, 99_905);
  // old samples are thinned but stay on the (linear) curve
  assert.ok(Math.abs((h.at(123.4)?.rchar ?? 0) - 1234) < 1e-6);
});
