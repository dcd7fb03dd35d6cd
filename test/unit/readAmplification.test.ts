/**
 * The read-amplification rule at its thresholds, from synthetic reports: the 1.3× line on full
 * epochs, what makes an epoch full (the hook's batches, opened files, an epoch that another
 * follows), severity by the extra bytes, the saving, and the causes named for each format.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adviseOn, type AdviceInput } from '../../src/core/analysis/adviceEngine';
import { datasetFormat } from '../../src/core/analysis/advice/readAmplificationAdvice';
import { readAmplification } from '../../src/core/analysis/readAmplification';
import type { DatasetIndex, EpochSummary, LoaderSummary, WorkerStartupSummary } from '../../src/shared/model';
import { withDefaults } from '../../src/shared/settings';

const MB = 1_000_000;
const DATASET = 20 * MB;

function dataset(over: Partial<DatasetIndex> = {}): DatasetIndex {
  return {
    path: '/data/train',
    files: 1,
    bytes: DATASET,
    dirs: 0,
    histogram: [{ le: 67108864, count: 1, bytes: DATASET }],
    largestDirs: [{ path: '/data/train', files: 1 }],
    indexS: 0.01,
    partial: false,
    ...over,
  };
}

/** epochs of 10 s each reading factor × the dataset, 10 % of each waiting for data */
function epochs(factors: number[], filesRead?: number): EpochSummary[] {
  return factors.map((f, i) => ({
    index: i,
    startS: 10 * i,
    endS: 10 * (i + 1),
    bytesRead: Math.round(f * DATASET),
    diskBytesRead: 0,
    rereadFactor: f,
    pageCacheHitPct: 100,
    stallPct: 10,
    source: 'hook',
    ...(filesRead === undefined ? {} : { filesRead }),
  }));
}

function exactWorkers(batches: number[]): WorkerStartupSummary {
  return {
    startupS: 0,
    startMethod: 'fork',
    method: 'exact',
    persistent: true,
    perEpoch: batches.map((b, i) => ({
      startS: 10 * i,
      iterS: 0,
      firstBatchExtraS: 0,
      stopS: 0,
      totalS: 0,
      batches: b,
    })),
  };
}

const HOOKED: LoaderSummary = {
  id: 1,
  numWorkers: 2,
  batchSize: 16,
  persistentWorkers: true,
  datasetLen: 600,
  datasetClass: 'Hdf5Samples',
};

function input(extra: Partial<AdviceInput> = {}): AdviceInput {
  return {
    settings: withDefaults(),
    datasets: [dataset()],
    epochs: epochs([2, 2, 2]),
    epochStartStallPct: [],
    checkpoints: [],
    trainingS: 30,
    stall: { pct: 10, method: 'exact', confidence: 'high', windowPct: 10 },
    loaders: [HOOKED],
    workers: exactWorkers([38, 38, 38]),
    ...extra,
  };
}

const rule = (i: AdviceInput) => adviseOn(i).find((a) => a.id === 'read-amplification');

void test('2× per full epoch, hook counts: warning, bytes per sample and the saving', () => {
  const a = rule(input());
  assert.ok(a);
  assert.equal(a.severity, 'warning');
  assert.match(
    a.evidence.join('\n'),
    /40\.0 MB read per epoch for a 20\.0 MB dataset \(2\.00×, 3 full epochs, coverage from hook batches\)/,
  );
  // 40 MB ÷ 600 samples = 66667 B = 65 KB; the data holds 33333 B = 33 KB per sample
  assert.match(a.evidence.join('\n'), /65 KB read per sample for 33 KB of data per sample \(600 samples\)/);
  // each epoch waited 1 s for 40 MB: the extra 20 MB cost 0.5 s per epoch, 1.5 s of 30
  assert.equal(a.savesPerEpochS, 0.5);
  assert.equal(a.savesS, 1.5);
  assert.equal(a.savesPct, 5);
  assert.match(a.evidence.join('\n'), /40\.0 MB\/s while the loop waited: 20\.0 MB less per epoch ≈ 500 ms/);
  assert.match(a.message, /sieve buffer/);
});

void test('the 1.3× line: every full epoch must cross it', () => {
  assert.ok(rule(input({ epochs: epochs([1.31, 1.35, 1.4]) })), '1.31× is amplified');
  assert.equal(rule(input({ epochs: epochs([1.29, 2, 2]) })), undefined, 'one full epoch at 1.29×');
  assert.equal(
    rule(input({ epochs: epochs([1, 1, 1]) })),
    undefined,
    'one pass per epoch is no amplification',
  );
  const small = rule(input({ epochs: epochs([1.5, 1.5, 1.5]) }));
  assert.ok(small);
  // 1.5×: below the 2× warning line, and a saving of 0.33 s per epoch (3.3 % of the loop) under 5 %
  assert.equal(small.severity, 'info');
});

void test('coverage: epochs the hook saw cut short do not count, nor does a session without full ones', () => {
  // the last epoch returned 10 of 38 batches and read 0.5×: only the first two are judged
  const cut = input({ epochs: epochs([2, 2, 0.5]), workers: exactWorkers([38, 38, 10]) });
  const a = rule(cut);
  assert.ok(a);
  assert.match(a.evidence.join('\n'), /2 full epochs/);
  assert.equal(rule(input({ epochs: epochs([2]), workers: exactWorkers([10]) })), undefined);
  // drop_last=True: floor(600 / 16) = 37 batches is a full epoch
  assert.ok(rule(input({ workers: exactWorkers([37, 37, 37]) })));
});

void test('coverage without the hook: an epoch another follows, and opened files ≈ the dataset', () => {
  const attach = { loaders: [], workers: undefined };
  // the last epoch may have been cut by the session's end: 2 interior epochs at 2×
  const a = rule(input({ ...attach, epochs: epochs([2, 2, 0.4]) }));
  assert.ok(a);
  assert.match(a.evidence.join('\n'), /2 full epochs, coverage from interior epochs/);
  assert.doesNotMatch(a.evidence.join('\n'), /per sample/);
  assert.equal(rule(input({ ...attach, epochs: epochs([2]) })), undefined, 'one epoch, maybe cut short');
  const many = {
    datasets: [dataset({ files: 1000, histogram: [{ le: 65536, count: 1000, bytes: DATASET }] })],
  };
  assert.ok(rule(input({ ...attach, ...many, epochs: epochs([2, 2, 2], 1000) })));
  // epochs that opened half the files read a part of the dataset twice, not the whole of it
  assert.equal(rule(input({ ...attach, ...many, epochs: epochs([2, 2, 2], 500) })), undefined);
  assert.equal(
    rule(input({ ...attach, ...many, epochs: epochs([2, 2, 2]) })),
    undefined,
    'files opened unknown',
  );
});

void test('severity: a saving past the error line is critical, no stall claims no saving', () => {
  const busy = epochs([3, 3, 3]).map((e) => ({ ...e, stallPct: 90 }));
  assert.equal(rule(input({ epochs: busy }))?.severity, 'critical');
  const unknown = epochs([2, 2, 2]).map((e) => ({ ...e, stallPct: null }));
  const a = rule(input({ epochs: unknown }));
  assert.ok(a);
  assert.equal(a.savesS, undefined);
  assert.equal(a.severity, 'warning');
});

void test('the format from the index and the hook, and the causes named for it', () => {
  assert.equal(datasetFormat([dataset({ path: '/d/train.h5' })]), 'hdf5');
  assert.equal(datasetFormat([dataset()], 'H5Dataset'), 'hdf5');
  assert.equal(datasetFormat([dataset()]), 'single-file');
  assert.equal(datasetFormat([dataset({ files: 4 })], 'TarShards'), 'tar');
  const smallNpy = dataset({ files: 1000, histogram: [{ le: 65536, count: 1000, bytes: DATASET }] });
  assert.equal(datasetFormat([smallNpy], 'NpyFolder'), 'npy-files');
  assert.equal(datasetFormat([smallNpy]), 'generic');
  const one = rule(input({ loaders: [{ ...HOOKED, datasetClass: 'Rows' }] }));
  assert.match(one?.message ?? '', /one file: if it is HDF5/);
  const npy = rule(input({ datasets: [smallNpy], loaders: [{ ...HOOKED, datasetClass: 'NpyFolder' }] }));
  assert.match(npy?.message ?? '', /np\.load of many small \.npy files reads each header/);
  const tar = rule(input({ loaders: [{ ...HOOKED, datasetClass: 'TarShards' }] }));
  assert.match(tar?.message ?? '', /tar shard read twice/);
});

void test('the measurement itself: median factor and nothing without a dataset size', () => {
  const m = readAmplification({
    datasets: [dataset()],
    epochs: epochs([2, 2.2, 3]),
    loaders: [HOOKED],
    perEpoch: exactWorkers([38, 38, 38]).perEpoch,
  });
  assert.ok(m);
  assert.equal(m.factor, 2.2);
  assert.equal(m.bytesPerSample, (2.2 * DATASET) / 600);
  assert.equal(
    readAmplification({ datasets: [dataset({ bytes: 0 })], epochs: epochs([2, 2]), loaders: [] }),
    undefined,
  );
});
