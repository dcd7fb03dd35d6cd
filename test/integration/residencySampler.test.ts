import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OpenWatcher } from '../../src/core/dataset/openWatcher';
import { ResidencySampler } from '../../src/core/dataset/residencySampler';
import type { ResidencyRecord } from '../../src/shared/model';
import { sourceHarness } from '../support/sourceHarness';
import { hasCommand, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { makeDataset, tempDir } from '../support/workloads';

/** evicted files may keep a few pages (metadata readahead); read files may lose none */
const EVICTED_MAX_PCT = 2;
const READ_MIN_PCT = 99;

/** Writes dirty pages back (sync), then drops every file's pages: POSIX_FADV_DONTNEED (no root needed). */
function evict(dir: string): void {
  const code = [
    'import os, sys',
    'os.sync()',
    'for root, _, names in os.walk(sys.argv[1]):',
    '    for n in names:',
    '        fd = os.open(os.path.join(root, n), os.O_RDONLY)',
    '        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)',
    '        os.close(fd)',
  ].join('\n');
  const r = spawnSync(SYSTEM_PYTHON, ['-c', code, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** Reads every file of the tree (into the page cache). */
function readAll(dir: string): void {
  const r = spawnSync('sh', ['-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'sh', dir]);
  assert.equal(r.status, 0);
}

const pct = (r: ResidencyRecord): number => (r.residentBytes / r.sampledBytes) * 100;

void test('residency ≈ 0% after eviction and ≈ 100% after reading, over the whole dataset', async (t) => {
  if (!requireTool(t, hasCommand('fincore', ['--version']), 'fincore', 'apt-get install util-linux')) return;
  const data = tempDir('residency');
  try {
    const truth = makeDataset(data.dir, { files: 200, minKb: 16, maxKb: 64, subdirs: 3 });
    evict(data.dir);
    const h = sourceHarness();
    const sampler = new ResidencySampler([data.dir]);
    sampler.start(h.ctx);
    await sampler.ready();
    readAll(data.dir);
    await sampler.sampleNow();
    await sampler.stop();
    const recs = h.of('residency');
    assert.equal(recs.length, 2);
    // the sample (256) is larger than the dataset: every file, and the truth file, is measured
    const truthFileBytes = statSync(join(data.dir, '.truth-dataset.json')).size;
    for (const r of recs) {
      assert.equal(r.path, data.dir);
      assert.equal(r.sampledFiles, truth.files + 1);
      assert.equal(r.sampledBytes, truth.bytes + truthFileBytes);
    }
    t.diagnostic(`evicted: ${pct(recs[0]).toFixed(2)}% resident, read: ${pct(recs[1]).toFixed(2)}% resident`);
    assert.ok(pct(recs[0]) <= EVICTED_MAX_PCT, `evicted ${pct(recs[0])}%`);
    assert.ok(pct(recs[1]) >= READ_MIN_PCT, `read ${pct(recs[1])}%`);
    assert.deepEqual(h.of('note'), []);
  } finally {
    data.cleanup();
  }
});

void test('a sample of 256 files of a larger dataset: half of it read → ≈ half resident', async (t) => {
  if (!requireTool(t, hasCommand('fincore', ['--version']), 'fincore', 'apt-get install util-linux')) return;
  const data = tempDir('residency-half');
  try {
    makeDataset(data.dir, { files: 600, minKb: 4, maxKb: 8, subdirs: 2 });
    evict(data.dir);
    readAll(`${data.dir}/d00`); // file i goes to d(i mod 2): exactly half of the files
    const h = sourceHarness();
    const sampler = new ResidencySampler([data.dir]);
    sampler.start(h.ctx);
    await sampler.ready();
    await sampler.stop();
    const [r] = h.of('residency');
    assert.equal(r.sampledFiles, 256);
    // 256 of 601 files drawn without replacement: sd of the resident share ≈ 2.4 points; allow 5 sd
    t.diagnostic(`half read: ${pct(r).toFixed(1)}% of the sample resident`);
    assert.ok(Math.abs(pct(r) - 50) <= 12.5, `${pct(r)}%`);
  } finally {
    data.cleanup();
  }
});

void test("trainio's own fincore opens are not counted as the training's reads", async (t) => {
  if (!requireTool(t, hasCommand('fincore', ['--version']), 'fincore', 'apt-get install util-linux')) return;
  if (!requireTool(t, hasCommand('inotifywait', ['--help']), 'inotifywait', 'apt-get install inotify-tools'))
    return;
  const data = tempDir('residency-opens');
  try {
    const truth = makeDataset(data.dir, { files: 100, minKb: 1, maxKb: 2, subdirs: 2 });
    const h = sourceHarness({ stallWindowMs: 200 });
    const opens = new OpenWatcher([data.dir]);
    opens.start(h.ctx);
    assert.equal(await opens.ready(), true);
    const sampler = new ResidencySampler([data.dir]);
    sampler.start(h.ctx);
    await sampler.ready();
    await sampler.sampleNow();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(opens.distinctFiles, 0);
    readAll(data.dir);
    await new Promise((r) => setTimeout(r, 300));
    await sampler.stop();
    await opens.stop();
    assert.equal(h.of('residency').length, 2);
    // the training's reads: every file once (and the dataset's truth file, read by `cat` too)
    assert.equal(opens.distinctFiles, truth.files + 1);
    assert.equal(
      h.of('opens').reduce((a, o) => a + o.count, 0),
      truth.files + 1,
    );
  } finally {
    data.cleanup();
  }
});

void test('without fincore: one note, no residency records', async () => {
  const data = tempDir('residency-missing');
  try {
    makeDataset(data.dir, { files: 5, minKb: 1, maxKb: 1 });
    const h = sourceHarness();
    const sampler = new ResidencySampler([data.dir], { command: 'fincore-not-installed-here' });
    sampler.start(h.ctx);
    await sampler.ready();
    await sampler.sampleNow();
    await sampler.stop();
    assert.deepEqual(
      h.records.map((r) => (r.type === 'note' ? r.message : r.type)),
      ['page-cache residency needs fincore (util-linux 2.30 or later): apt-get install util-linux'],
    );
  } finally {
    data.cleanup();
  }
});
