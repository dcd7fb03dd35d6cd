/**
 * Page cache vs disk on a real job: with the page cache dropped first, epoch 0 comes from the disk
 * and the later epochs from the cache. Dropping caches needs root (CI runs as root).
 */
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SessionReport } from '../../src/shared/model';
import { hasTorch, inCI, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { knobArgs, makeDataset, tempDir, workloadScript } from '../support/workloads';
import { runCli } from './cliRun';

void test('cold first epoch from disk, later epochs from the page cache', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  if (process.getuid?.() !== 0) {
    const message = 'dropping the page cache needs root (sync; echo 3 > /proc/sys/vm/drop_caches)';
    if (inCI) throw new Error(`CI=true and ${message}`);
    t.skip(message);
    return;
  }
  const { dir, cleanup } = tempDir('record-pagecache');
  try {
    const data = join(dir, 'data');
    const ds = makeDataset(data, { files: 250, minKb: 100, maxKb: 160, subdirs: 2 });
    execSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    const session = join(dir, 's.jsonl');
    const job = [
      SYSTEM_PYTHON,
      workloadScript('train_torch.py'),
      ...knobArgs({ data, epochs: 3, 'batch-size': 16, 'num-workers': 2, 'compute-ms': 10 }),
    ];
    const rec = await runCli(['record', '--out', session, '--dataset', data, '--', ...job]);
    assert.equal(rec.code, 0, rec.stderr);
    const out = join(dir, 'r.json');
    assert.equal((await runCli(['report', session, '--format', 'json', '--out', out])).code, 0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as SessionReport;
    assert.equal(report.epochs.length, 3);
    const [first, ...later] = report.epochs;
    assert.ok(
      first.diskBytesRead >= 0.8 * ds.bytes,
      `epoch 0 read ${first.diskBytesRead} B from disk of ${ds.bytes}`,
    );
    for (const e of later) {
      assert.ok(e.diskBytesRead <= 0.1 * ds.bytes, `epoch ${e.index} read ${e.diskBytesRead} B from disk`);
      assert.ok(e.pageCacheHitPct >= 90, `epoch ${e.index} hit ${e.pageCacheHitPct}%`);
    }
    assert.ok(first.pageCacheHitPct <= 20, `epoch 0 hit ${first.pageCacheHitPct}%`);
  } finally {
    cleanup();
  }
});
