/**
 * The headline acceptance test: `trainio record -- python3 train_torch.py …` (launch mode with the
 * hook) on a real PyTorch job, every number of the report checked against the job's ground truth.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SessionReport } from '../../src/shared/model';
import { hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { readTruth, toSessionS } from '../support/truth';
import { knobArgs, makeDataset, tempDir, workloadScript } from '../support/workloads';
import { near, runCli, sessionHeader } from './cliRun';

void test('launch mode with the hook: epochs, re-reads, checkpoints and exact stall match the truth', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  const { dir, cleanup } = tempDir('record-launch');
  try {
    const data = join(dir, 'data');
    const ckpt = join(dir, 'ckpt');
    mkdirSync(ckpt);
    const ds = makeDataset(data, { files: 300, minKb: 120, maxKb: 200, subdirs: 3 });
    const truthFile = join(dir, 'truth.jsonl');
    const session = join(dir, 'session.trainio.jsonl');
    const job = [
      SYSTEM_PYTHON,
      workloadScript('train_torch.py'),
      ...knobArgs({
        data,
        epochs: 3,
        'batch-size': 16,
        'num-workers': 2,
        'compute-ms': 20,
        'slow-read-ms': 2,
        'ckpt-dir': ckpt,
        'ckpt-every': 15,
        'ckpt-mb': 4,
        truth: truthFile,
      }),
    ];
    // tree samples every 100 ms: the reads of the interval holding a boundary are split by rate,
    // and finer intervals keep that split small against these short (≈ 2 s) epochs
    const rec = await runCli(
      [
        'record',
        '--out',
        session,
        '--dataset',
        data,
        '--checkpoints',
        ckpt,
        '--interval',
        '100',
        '--',
        ...job,
      ],
      { cwd: dir },
    );
    assert.equal(rec.code, 0, rec.stderr);
    assert.match(rec.stdout, /Data stall \d+\.\d% \(exact\)/);
    const out = join(dir, 'report.json');
    const rep = await runCli(['report', session, '--format', 'json', '--out', out]);
    assert.equal(rep.code, 0, rep.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as SessionReport;
    const truth = readTruth(truthFile);
    const at = (tt: number): number => toSessionS(tt, sessionHeader(session).startedAtMs);

    assert.equal(report.schema, 'trainio.session/1');
    assert.equal(report.target.mode, 'launch');
    assert.equal(report.ended?.reason, 'exited');
    // the index counts every file, the dataset's own truth file (.truth-dataset.json) included
    near(report.datasets[0].bytes, ds.bytes, 200, 'dataset bytes');
    near(report.datasets[0].files, ds.files, 1, 'dataset files');

    // every epoch boundary within 0.5 s of the truth
    assert.equal(report.epochs.length, truth.epochs.length);
    report.epochs.forEach((e, i) => {
      near(e.startS, at(truth.epochs[i].startT), 0.5, `epoch ${i} start`);
      near(e.endS, at(truth.epochs[i].endT), 0.5, `epoch ${i} end`);
      // the job reads every file once per epoch: re-read factor 1 (per epoch within 5 %: the first
      // epoch also holds the job's own lazy imports; over the session within 3 %)
      near(e.rereadFactor, 1, 0.05, `epoch ${i} re-read factor`);
    });
    near(report.reread.factor, truth.epochs.length, 0.03 * truth.epochs.length, 'session re-read factor');
    // tree totals are not double counted although workers come and go every epoch
    near(
      report.reread.bytesRead,
      truth.epochs.length * ds.bytes,
      0.05 * truth.epochs.length * ds.bytes,
      'bytes read',
    );

    // every save of at least 1 MB found: bytes within 1 %, end within 0.2 s
    assert.equal(report.checkpoints.length, truth.checkpoints.length);
    for (const c of truth.checkpoints) {
      const found = report.checkpoints.find((x) => x.path === c.path);
      assert.ok(found, `checkpoint ${c.path} not found`);
      near(found.bytes, c.bytes, 0.01 * c.bytes, 'checkpoint bytes');
      near(found.startS + found.durationS, at(c.t1), 0.2, 'checkpoint end');
      assert.equal(found.source, 'hook');
      assert.ok(found.site?.file.endsWith('train_torch.py'));
    }

    // exact data stall within 0.5 points of the truth
    assert.equal(report.dataStall.method, 'exact');
    near(report.dataStall.pct ?? NaN, truth.stallPct, 0.5, 'exact stall %');
    assert.equal(typeof report.dataStall.estimatedPct, 'number');
    assert.ok(report.loaders[0].site?.file.endsWith('train_torch.py'));
    assert.equal(report.loaders[0].numWorkers, 2);
  } finally {
    cleanup();
  }
});
