import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CounterHistory } from '../../src/core/analysis/counterHistory';
import { DatasetBytes } from '../../src/core/analysis/datasetBytes';
import { OpenedBytes } from '../../src/core/dataset/openedBytes';

void test('an opens window closed at an epoch boundary keeps the opens after it for the next window', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-opened-'));
  try {
    const a = join(dir, 'a.bin');
    const b = join(dir, 'b.bin');
    writeFileSync(a, Buffer.alloc(1000));
    writeFileSync(b, Buffer.alloc(3000));
    const w = new OpenedBytes();
    w.add(a, 1.0);
    w.add(b, 1.4);
    w.add(a, 2.0); // the first re-open: the boundary
    w.add(b, 2.2);
    assert.deepEqual(w.take(2.0), { bytes: 4000, opens: 2, firstS: 1, lastS: 1.4 });
    assert.equal(w.count, 2);
    assert.deepEqual(w.take(), { bytes: 4000, opens: 2, firstS: 2, lastS: 2.2 });
    assert.deepEqual(w.take(), { bytes: 0, opens: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a re-open boundary splits its sampling interval by the files opened on either side', () => {
  const io = (rchar: number) => ({ rchar, wchar: 0, readBytes: rchar, writeBytes: 0, majorFaults: 0 });
  const h = new CounterHistory(1000);
  // persistent workers: the epoch's last files were read early in [1.0, 1.2], the new epoch's
  // first ones from its boundary at 1.15; the rates either side say nothing of that
  h.add(0.9, io(0), 2);
  h.add(1.0, io(1000), 2);
  h.add(1.2, io(3000), 2);
  h.add(1.3, io(6000), 2);
  const bytes = new DatasetBytes();
  bytes.addOpens({ type: 'opens', s: 1.1, count: 3, distinctFiles: 3, bytes: 1500, firstS: 1.0, lastS: 1.1 });
  bytes.addOpens({
    type: 'opens',
    s: 1.2,
    count: 1,
    distinctFiles: 3,
    bytes: 500,
    firstS: 1.15,
    lastS: 1.15,
  });
  const split = h.atBoundary(1.15, (a, b) => bytes.openedBefore(a, 1.15, b));
  // 1500 of the 2000 opened bytes came before the boundary: 3/4 of the interval's reads
  assert.equal(split?.rchar, 1000 + 2000 * 0.75);
  assert.equal(split?.readBytes, 1000 + 2000 * 0.75);
  const byRates = h.atBoundary(1.15);
  assert.notEqual(byRates?.rchar, split?.rchar);
  assert.equal(bytes.openedBefore(5, 5.5, 6), undefined, 'no opens there: no share');
});
