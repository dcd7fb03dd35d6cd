import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DatasetIndexSource } from '../../src/core/dataset/datasetIndexSource';
import { sourceHarness } from '../support/sourceHarness';
import { makeDataset, tempDir } from '../support/workloads';

void test('indexes in the background and emits one dataset record equal to the dataset truth', async () => {
  const data = tempDir('index-source');
  try {
    const truth = makeDataset(data.dir, { files: 300, minKb: 1, maxKb: 64, subdirs: 3 });
    const truthFile = statSync(join(data.dir, '.truth-dataset.json')).size;
    const h = sourceHarness();
    const source = new DatasetIndexSource([data.dir]);
    assert.equal(source.start(h.ctx), undefined); // nothing to await: the session start is not blocked
    assert.equal(h.records.length, 0);
    await source.done();
    await source.stop();
    const [rec, ...more] = h.of('dataset');
    assert.equal(more.length, 0);
    // the dataset's own truth file is a regular file of the tree too
    assert.equal(rec.files, truth.files + 1);
    assert.equal(rec.bytes, truth.bytes + truthFile);
    assert.equal(rec.dirs, truth.dirs);
    assert.equal(rec.partial, false);
    assert.equal(
      rec.histogram.reduce((a, b) => a + b.count, 0),
      rec.files,
    );
    assert.deepEqual(
      rec.largestDirs.map((d) => [d.path.slice(data.dir.length), d.files]),
      [
        ['/d00', 100],
        ['/d01', 100],
        ['/d02', 100],
        ['', 1],
      ],
    );
    assert.equal('sample' in rec, false);
    assert.deepEqual(h.of('note'), []);
  } finally {
    data.cleanup();
  }
});

void test('maxIndexFiles: a partial record and a note saying where indexing stopped', async () => {
  const data = tempDir('index-source-max');
  try {
    makeDataset(data.dir, { files: 50, minKb: 1, maxKb: 1 });
    const h = sourceHarness({ maxIndexFiles: 20 });
    const source = new DatasetIndexSource([data.dir]);
    source.start(h.ctx);
    await source.done();
    const [rec] = h.of('dataset');
    assert.equal(rec.files, 20);
    assert.equal(rec.partial, true);
    assert.deepEqual(
      h.of('note').map((n) => n.message),
      [`dataset ${data.dir}: indexing stopped at 20 files (maxIndexFiles)`],
    );
  } finally {
    data.cleanup();
  }
});

void test('a missing dataset directory is a warning note, not a failure of the other datasets', async () => {
  const data = tempDir('index-source-missing');
  try {
    makeDataset(data.dir, { files: 10, minKb: 1, maxKb: 1 });
    const missing = join(data.dir, 'not-here');
    const h = sourceHarness();
    const source = new DatasetIndexSource([missing, data.dir]);
    source.start(h.ctx);
    await source.done();
    assert.deepEqual(
      h.of('note').map((n) => [n.level, n.message]),
      [['warning', `dataset directory ${missing} does not exist`]],
    );
    assert.deepEqual(
      h.of('dataset').map((d) => [d.path, d.files]),
      [[data.dir, 11]],
    );
  } finally {
    data.cleanup();
  }
});

void test('stopping the session mid-index still emits the partial index, and says so', async () => {
  const data = tempDir('index-source-stop');
  try {
    makeDataset(data.dir, { files: 50, minKb: 1, maxKb: 1, subdirs: 5 });
    const h = sourceHarness();
    const source = new DatasetIndexSource([data.dir]);
    source.start(h.ctx);
    await source.stop(); // before the walk got anywhere
    const [rec, ...more] = h.of('dataset');
    assert.equal(more.length, 0);
    assert.equal(rec.partial, true);
    assert.ok(rec.files < 51);
    assert.deepEqual(
      h.of('note').map((n) => n.message),
      [`dataset ${data.dir}: indexing stopped by the end of the session at ${rec.files} files`],
    );
  } finally {
    data.cleanup();
  }
});
