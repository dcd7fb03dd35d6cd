// What the editor shows next to a training script for a session: CodeLens titles and hover lines on
// the DataLoader, torch.save and epoch-loop lines, built from a report whose every number is known.
// Also: which sessions ran a file, and the values argparse options had on the job's command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { argumentValue, pathsFromCommandLine } from '../../src/core/script/commandLinePaths';
import {
  adviceAction,
  annotateScript,
  rereadPerEpoch,
  sessionRanFile,
} from '../../src/core/script/scriptAnnotations';
import { parseTrainingScript } from '../../src/core/script/trainingScript';
import type { SessionReport } from '../../src/shared/model';
import { emptyReport } from '../support/reportSample';

const WORKLOAD = join(__dirname, '..', 'workloads', 'train_torch.py');
const TEXT = readFileSync(WORKLOAD, 'utf8');
const SCRIPT = parseTrainingScript(TEXT);
const THRESHOLDS = { warningPct: 5, errorPct: 20 };
const ARGV = [
  '/usr/bin/python3',
  WORKLOAD,
  '--data',
  '/tmp/d',
  '--num-workers',
  '2',
  '--ckpt-dir=/tmp/ck',
  '--pin-memory',
];
const MB = 1_000_000;

function lineOf(needle: string): number {
  return TEXT.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

function report(over: Partial<SessionReport> = {}): SessionReport {
  const r = emptyReport();
  r.target = { mode: 'attach', pid: 10, command: ARGV };
  r.dataStall = { pct: 23.4, method: 'estimated', confidence: 'medium', windowPct: 30 };
  r.reread = { factor: 1.004, datasetBytes: 12 * MB, bytesRead: 36 * MB, pageCacheHitPct: 66 };
  r.epochs = [0, 1, 2].map((index) => ({
    index,
    startS: index * 4,
    endS: index * 4 + 4,
    bytesRead: 12 * MB,
    diskBytesRead: index === 0 ? 12 * MB : 0,
    rereadFactor: 1,
    pageCacheHitPct: index === 0 ? 0 : index === 1 ? 96 : 100,
    stallPct: 20,
    source: 'respawn' as const,
  }));
  r.checkpoints = [1, 2, 3, 4, 5].map((i) => ({
    path: `/tmp/ck/ckpt-0000${i}0.pt`,
    bytes: 2 * MB,
    startS: i * 2,
    durationS: 0.25,
    lostS: 0.2,
    source: 'burst' as const,
  }));
  return { ...r, ...over };
}

void test('DataLoader lens: stall with its method, num_workers as the job ran it, the worst advice', () => {
  const r = report({
    advice: [
      { id: 'more-workers', severity: 'info', message: 'try more workers', evidence: [] },
      {
        id: 'slow-storage',
        severity: 'warning',
        message: 'Workers wait on storage 80.5% of the time. Copy the dataset to local NVMe.',
        evidence: [],
      },
    ],
  });
  const lenses = annotateScript(SCRIPT, r, WORKLOAD, THRESHOLDS);
  const loader = lenses.find((a) => a.kind === 'loader')!;
  assert.equal(loader.line, lineOf('loader = DataLoader('));
  assert.equal(loader.title, 'Stall 23% (estimated) · num_workers=2 · Copy the dataset to local NVMe.');
  assert.equal(loader.level, 'error', '23.4% ≥ the 20% error threshold');
  assert.ok(loader.details.includes('num_workers=2 · pin_memory=True · persistent_workers=persistent'));
  assert.equal(loader.section, 'stall');
});

void test('the advice on a lens is its action (last sentence), cut at a word boundary', () => {
  assert.equal(adviceAction('Diagnosis 3.5% here. Do this.'), 'Do this.');
  const long =
    'Save less often, or save asynchronously (copy the state to CPU, write it in a background thread).';
  const cut = adviceAction(`Checkpoints cost 12% of training time. ${long}`);
  assert.ok(cut.length <= 71 && cut.endsWith('…') && long.startsWith(cut.slice(0, -1)), cut);
  assert.ok(!cut.slice(0, -1).endsWith(' ') && long[cut.length - 1] === ' ', `cut at a word: ${cut}`);
});

void test('torch.save lens counts the checkpoints, their bytes and the time lost', () => {
  const save = annotateScript(SCRIPT, report(), WORKLOAD, THRESHOLDS).find((a) => a.kind === 'save')!;
  assert.equal(save.line, lineOf('torch.save('));
  // 5 × 2 MB, 5 × 0.2 s
  assert.equal(save.title, '5 checkpoints · 10.0 MB · 1.0 s lost');
  assert.equal(save.section, 'checkpoints');
});

void test('epoch-loop lens: epochs, epoch coverage, dataset passes and page-cache share of later epochs (weighted by bytes)', () => {
  const epoch = annotateScript(SCRIPT, report(), WORKLOAD, THRESHOLDS).find((a) => a.kind === 'epoch')!;
  assert.equal(epoch.line, lineOf('for epoch in range('));
  const r = report();
  const passes = r.reread.factor.toFixed(2);
  assert.equal(
    epoch.title,
    `3 epochs · epoch coverage 100% · ${passes} dataset passes · later epochs 98% from page cache`,
  );
  assert.equal(epoch.details.length, 3);
});

void test('re-read per epoch: median of whole epochs; the one cut by attaching and the running one do not count', () => {
  const r = report();
  const factors = [0.4, 1.01, 1.03, 1.02, 0.2]; // attached mid-epoch 0, epoch 4 still running
  r.epochs = factors.map((rereadFactor, index) => ({
    ...r.epochs[0],
    index,
    startS: 2.5 + index * 4, // the first read came 2.5 s after attaching
    rereadFactor,
    source: index === 0 ? ('session' as const) : ('respawn' as const), // no mark began epoch 0
  }));
  assert.equal(rereadPerEpoch(r), 1.02);
  r.ended = { type: 'end', s: 20, reason: 'stopped' };
  assert.equal(rereadPerEpoch(r), 1.02, 'stopped: the last epoch was cut');
  r.ended = { type: 'end', s: 20, reason: 'exited' };
  // the job exited: its last epoch is whole too → median of 1.01, 1.03, 1.02, 0.2
  assert.equal(rereadPerEpoch(r), (1.01 + 1.02) / 2);
  r.epochs = r.epochs.slice(0, 1);
  r.ended = null;
  assert.equal(rereadPerEpoch(r), null, 'no whole epoch yet');
});

void test('call sites recorded by the hook win: the lens goes on the recorded loader with its real workers', () => {
  const r = report({
    loaders: [
      {
        id: 1,
        site: { file: WORKLOAD, line: lineOf('loader = DataLoader(') },
        numWorkers: 4,
        pinMemory: false,
      },
    ],
    dataStall: { pct: 3, method: 'exact', confidence: 'high', windowPct: 2 },
  });
  const loader = annotateScript(SCRIPT, r, WORKLOAD, THRESHOLDS).find((a) => a.kind === 'loader')!;
  assert.equal(loader.title, 'Stall 3% (exact) · num_workers=4');
  assert.equal(loader.level, 'ok');
});

void test('a session ran a file when its command names it (absolute, or relative to its cwd) or a site is in it', () => {
  assert.equal(sessionRanFile(report(), WORKLOAD), true);
  assert.equal(sessionRanFile(report(), '/elsewhere/train_torch.py'), false);
  const relative = report({
    target: { mode: 'launch', pid: 1, command: ['python3', 'train.py'], cwd: '/p' },
  });
  assert.equal(sessionRanFile(relative, '/p/train.py'), true);
  assert.equal(sessionRanFile(relative, '/q/train.py'), false);
  const noCwd = report({ target: { mode: 'attach', pid: 1, command: ['python3', './sub/train.py'] } });
  assert.equal(sessionRanFile(noCwd, '/p/sub/train.py'), true);
});

void test('command line: option values, argparse defaults, store_true flags and dataset/checkpoint folders', () => {
  assert.equal(argumentValue('a.num_workers', SCRIPT, ARGV), '2');
  assert.equal(argumentValue('a.batch_size', SCRIPT, ARGV), '32', 'the argparse default');
  assert.equal(argumentValue('a.pin_memory', SCRIPT, ARGV), 'True');
  assert.equal(argumentValue('a.persistent_workers', SCRIPT, ARGV), 'False');
  assert.equal(argumentValue('persistent', SCRIPT, ARGV), 'persistent', 'not an argument: as written');
  assert.deepEqual(pathsFromCommandLine(ARGV), { datasets: ['/tmp/d'], checkpoints: ['/tmp/ck'] });
  assert.deepEqual(pathsFromCommandLine(['python', 't.py', '--data', 'd', '--out', '-x'], '/w'), {
    datasets: ['/w/d'],
    checkpoints: [],
  });
});
