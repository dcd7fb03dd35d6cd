import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReopenEpochDetector, type ReopenBoundary } from '../../src/core/dataset/reopenEpochs';

/** deterministic shuffle (mulberry32) so a failure can be replayed */
function shuffled<T>(items: T[], seed: number): T[] {
  let s = seed;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const files = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `/data/train/cls${i % 7}/img ${i}.npy`);

interface Run {
  boundaries: ReopenBoundary[];
  /** time (open index) of each epoch's first data-file open: the truth */
  truth: number[];
  detector: ReopenEpochDetector;
}

/** Replays `epochs` shuffled passes; `perSample` turns one sample's file into the opens it causes. */
function replay(n: number, epochs: number, perSample: (f: string) => string[] = (f) => [f]): Run {
  const detector = new ReopenEpochDetector();
  const boundaries: ReopenBoundary[] = [];
  const truth: number[] = [];
  let t = 0;
  for (let e = 0; e < epochs; e++) {
    truth.push(t);
    for (const f of shuffled(files(n), 1000 + e)) {
      for (const p of perSample(f)) {
        const b = detector.open(p, t++);
        if (b) boundaries.push(b);
      }
    }
  }
  const last = detector.finish();
  if (last) boundaries.push(last);
  return { boundaries, truth, detector };
}

void test('every epoch boundary is dated at the first open of the new epoch (exact, 0 opens of tolerance)', () => {
  const { boundaries, truth, detector } = replay(300, 4);
  assert.deepEqual(
    boundaries.map((b) => b.s),
    truth.slice(1),
  );
  assert.deepEqual(
    boundaries.map((b) => b.epoch),
    [1, 2, 3],
  );
  assert.deepEqual(
    boundaries.map((b) => b.previousEpochFiles),
    [300, 300, 300],
  );
  assert.equal(detector.distinctFiles, 300);
  assert.equal(detector.epochFiles, 300);
  assert.equal(detector.epoch, 3);
});

void test('a label file opened for every sample does not flip epochs', () => {
  const { boundaries, truth, detector } = replay(200, 3, (f) => ['/data/labels.csv', f]);
  assert.equal(boundaries.length, 2);
  // the boundary may be dated at the label-file open just before the first data file (1 open)
  boundaries.forEach((b, i) =>
    assert.ok(Math.abs(b.s - truth[i + 1]) <= 1, `boundary ${b.s} vs ${truth[i + 1]}`),
  );
  assert.equal(detector.distinctFiles, 201);
});

void test('a sample opening its file twice (header, then data) does not flip epochs', () => {
  // four workers interleaved from the very start: a b c d a b c d, then the next four samples
  const detector = new ReopenEpochDetector();
  const boundaries: ReopenBoundary[] = [];
  const truth: number[] = [];
  let t = 0;
  for (let e = 0; e < 3; e++) {
    truth.push(t);
    const order = shuffled(files(400), 7 + e);
    for (let i = 0; i < order.length; i += 4) {
      const group = order.slice(i, i + 4);
      for (const f of [...group, ...group]) {
        const b = detector.open(f, t++);
        if (b) boundaries.push(b);
      }
    }
  }
  // the last group's second opens look like the new epoch's first files: the boundary may be
  // dated up to one group of second opens (4) early, never late; files per epoch within one group
  assert.equal(boundaries.length, 2);
  boundaries.forEach((b, i) => {
    const early = truth[i + 1] - b.s;
    assert.ok(early >= 0 && early <= 4, `boundary ${b.s} vs truth ${truth[i + 1]}`);
    assert.ok(Math.abs(b.previousEpochFiles - 400) <= 4, `previousEpochFiles ${b.previousEpochFiles}`);
  });
  assert.equal(detector.finish(), null);
});

void test('one stray re-open in the middle of an epoch is not a boundary', () => {
  const detector = new ReopenEpochDetector();
  const order = shuffled(files(500), 3);
  let t = 0;
  const found: ReopenBoundary[] = [];
  for (let i = 0; i < order.length; i++) {
    const b = detector.open(order[i], t++);
    if (b) found.push(b);
    if (i === 250) {
      const again = detector.open(order[10], t++);
      if (again) found.push(again);
    }
  }
  assert.deepEqual(found, []);
  assert.equal(detector.epochFiles, 500);
});

void test('a tiny dataset (4 files) still shows its boundaries', () => {
  const { boundaries, truth } = replay(4, 5);
  assert.deepEqual(
    boundaries.map((b) => b.s),
    truth.slice(1),
  );
});

void test('a large dataset: 100,000 files over 2 epochs', () => {
  const { boundaries, truth, detector } = replay(100_000, 2);
  assert.deepEqual(
    boundaries.map((b) => b.s),
    [truth[1]],
  );
  assert.equal(detector.distinctFiles, 100_000);
  assert.equal(boundaries[0].previousEpochFiles, 100_000);
});

void test('boundaries are exact for every dataset size around the window (2 to 300 files)', () => {
  for (const n of [2, 3, 5, 10, 16, 20, 31, 33, 64, 100, 129, 300]) {
    const { boundaries, truth } = replay(n, 4);
    assert.deepEqual(
      boundaries.map((b) => b.s),
      truth.slice(1),
      `${n} files`,
    );
    assert.deepEqual(
      boundaries.map((b) => b.previousEpochFiles),
      [n, n, n],
      `${n} files`,
    );
  }
});
