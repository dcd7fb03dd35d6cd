import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adviseOn, medianFileBytes, type AdviceInput } from '../../src/core/analysis/adviceEngine';
import { StallAggregator } from '../../src/core/analysis/stallAggregator';
import type { EpochSummary, StallRecord } from '../../src/shared/model';
import { withDefaults } from '../../src/shared/settings';

function win(
  s: number,
  method: StallRecord['method'],
  waitS: number,
  loopS = 2,
  extra: Partial<StallRecord> = {},
): StallRecord {
  return {
    type: 'stall',
    s,
    windowS: 2,
    method,
    waitS,
    loopS,
    confidence: method === 'exact' ? 'high' : 'medium',
    ...extra,
  };
}

void test('session stall is Σ wait ÷ Σ loop of the exact windows when there are any, with both figures', () => {
  const a = new StallAggregator();
  a.add(win(2, 'estimated', 0.2));
  a.add(win(4, 'estimated', 0.4));
  assert.deepEqual([a.summary().method, a.summary().pct], ['estimated', 15]);
  a.add(win(2, 'exact', 0.5));
  a.add(win(4, 'exact', 0.3, 1));
  const s = a.summary();
  assert.equal(s.method, 'exact');
  assert.equal(s.pct, Math.round((10000 * 0.8) / 3) / 100); // 26.67
  assert.equal(s.exactPct, 26.67);
  assert.equal(s.estimatedPct, 15);
  assert.equal(s.windowPct, 30);
  assert.equal(s.confidence, 'high');
});

void test('estimated stall keeps its fetch/prep split, confidence and missing signals', () => {
  const a = new StallAggregator();
  a.add(win(2, 'estimated', 0.6, 2, { fetchS: 0.4, prepS: 0.2, confidence: 'low', missing: ['syscall'] }));
  a.add(win(4, 'estimated', 0.2, 2, { fetchS: 0.1, prepS: 0.1, confidence: 'low' }));
  a.add(win(6, 'estimated', 0.0, 1, { confidence: 'medium' }));
  const s = a.summary();
  assert.equal(s.pct, 16);
  assert.equal(s.fetchPct, 12.5);
  assert.equal(s.prepPct, 7.5);
  assert.equal(s.confidence, 'low');
  assert.deepEqual(s.missingSignals, ['syscall']);
});

void test('no windows: no stall figure rather than a zero', () => {
  const s = new StallAggregator().summary();
  assert.equal(s.pct, null);
  assert.equal(s.windowPct, null);
});

function epoch(index: number, extra: Partial<EpochSummary> = {}): EpochSummary {
  return {
    index,
    startS: index * 10,
    endS: index * 10 + 10,
    bytesRead: 100e9,
    diskBytesRead: 0,
    rereadFactor: 1,
    pageCacheHitPct: 100,
    stallPct: 5,
    source: 'hook',
    ...extra,
  };
}

function input(extra: Partial<AdviceInput> = {}): AdviceInput {
  return {
    settings: withDefaults(),
    datasets: [
      {
        path: '/data',
        files: 3000,
        bytes: 100e9,
        dirs: 1,
        histogram: [{ le: null, count: 3000, bytes: 100e9 }],
        largestDirs: [],
        indexS: 1,
        partial: false,
      },
    ],
    epochs: [epoch(0), epoch(1), epoch(2)],
    epochStartStallPct: [5, 5, 5],
    checkpoints: [],
    trainingS: 30,
    stall: { pct: 2, method: 'exact', confidence: 'high', windowPct: 2 },
    loaders: [{ id: 0, numWorkers: 8, pinMemory: true, persistentWorkers: true }],
    cpus: 16,
    memory: { memTotalBytes: 256e9, memAvailableBytes: 200e9, pageCacheBytes: 100e9 },
    ...extra,
  };
}

void test('a healthy job gets no advice', () => {
  assert.deepEqual(adviseOn(input()), []);
});

void test('a dataset larger than the memory for the page cache, re-read from disk, is a warning with its numbers', () => {
  const later = { diskBytesRead: 90e9, pageCacheHitPct: 10 };
  const [a] = adviseOn(
    input({
      memory: { memTotalBytes: 64e9, memAvailableBytes: 50e9, pageCacheBytes: 40e9 },
      epochs: [epoch(0, { diskBytesRead: 100e9, pageCacheHitPct: 0 }), epoch(1, later), epoch(2, later)],
    }),
  );
  // issue 9 names this advice `faster-storage` (it was `dataset-larger-than-page-cache`)
  assert.equal(a.id, 'faster-storage');
  assert.equal(a.severity, 'warning');
  assert.ok(a.evidence.includes('dataset: 100.00 GB'));
  assert.ok(a.evidence.includes('memory available for the page cache: 50.00 GB'));
  assert.ok(a.evidence.includes('epochs after the first: 90.0% read from disk'));
});

void test('millions of small files: pack them into shards', () => {
  const [a] = adviseOn(
    input({
      datasets: [
        {
          path: '/data',
          files: 2_000_000,
          bytes: 2_000_000 * 20_000,
          dirs: 100,
          histogram: [
            { le: 16384, count: 500_000, bytes: 500_000 * 10_000 },
            { le: 32768, count: 1_400_000, bytes: 1_400_000 * 20_000 },
            { le: null, count: 100_000, bytes: 100_000 * 70_000 },
          ],
          largestDirs: [],
          indexS: 100,
          partial: false,
        },
      ],
    }),
  );
  assert.equal(a.id, 'pack-small-files');
  assert.ok(a.message.includes('WebDataset'));
  assert.deepEqual(a.evidence, ['2,000,000 files', 'median file size ≈ 32 KB']);
});

void test('checkpoints costing more than 5% of training time point at the save', () => {
  const site = { file: '/x/train.py', line: 88 };
  const ckpt = {
    path: '/ck/a.pt',
    bytes: 2e9,
    startS: 5,
    durationS: 1,
    lostS: 1,
    source: 'hook' as const,
    site,
  };
  const advice = adviseOn(input({ checkpoints: [ckpt, { ...ckpt, startS: 15 }], trainingS: 30 }));
  // issue 9 names this advice `async-checkpoint` (it was `checkpoint-cost`); it now says what it saves
  const a = advice.find((x) => x.id === 'async-checkpoint');
  assert.ok(a);
  assert.equal(a.severity, 'warning');
  assert.deepEqual(a.site, site);
  assert.ok(a.message.startsWith('Checkpoints cost 6.7% of training time'));
  assert.equal(a.savesS, 2);
  assert.equal(a.savesPct, 6.7);
  // one save: 1 s of 30 s = 3.3%, under the 5% line
  const one = adviseOn(input({ checkpoints: [ckpt], trainingS: 30 }));
  assert.equal(
    one.some((x) => x.id === 'async-checkpoint'),
    false,
  );
});

// pin_memory is its own advice now (only where there is a GPU), and more-workers names the free CPUs
// and the worker count to try: the old one-answer advice ("Raise num_workers, set pin_memory=True")
// was wrong for CPU-bound workers and for start-up stalls (issue 9)
void test('high stall with few workers and free CPUs: more workers, at the DataLoader, with its saving', () => {
  const site = { file: '/x/train.py', line: 30 };
  const advice = adviseOn(
    input({
      stall: { pct: 35, method: 'exact', confidence: 'high', windowPct: 30 },
      loaders: [{ id: 0, numWorkers: 2, pinMemory: false, persistentWorkers: true, site }],
    }),
  );
  const a = advice.find((x) => x.id === 'more-workers');
  assert.ok(a);
  assert.equal(a.severity, 'critical');
  assert.deepEqual(a.site, site);
  assert.deepEqual(a.evidence, ['data stall 35.0% (exact)', 'num_workers=2', '16 CPUs, 12.0 free']);
  assert.ok(a.message.endsWith('Raise num_workers to 4.'), a.message);
  // 2 → 4 workers halve the loader's period: 30 s × (35% wait + 65% rest) ÷ 2 < the rest, so all of the wait goes
  assert.equal(a.savesS, 10.5);
  assert.equal(a.savesPct, 35);
});

void test('stall spikes at every epoch start with non-persistent workers: persistent_workers', () => {
  const advice = adviseOn(
    input({
      loaders: [{ id: 0, numWorkers: 8, pinMemory: true, persistentWorkers: false }],
      epochStartStallPct: [60, 55, 65],
    }),
  );
  assert.deepEqual(
    advice.map((a) => a.id),
    ['persistent-workers'],
  );
  assert.ok(advice[0].evidence.includes('epoch-start stall 60.0%'));
});

void test('median file size from a size histogram', () => {
  assert.equal(medianFileBytes([]), null);
  assert.equal(
    medianFileBytes([
      { le: 1024, count: 1, bytes: 100 },
      { le: 4096, count: 3, bytes: 9000 },
    ]),
    4096,
  );
});
