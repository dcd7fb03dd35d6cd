/**
 * `trainio record --checkpoints DIR` / `--dataset DIR` for folders the job creates after it starts:
 * waited for from their nearest existing parent, then watched as if they had been there. Real jobs
 * with their own truth: the PyTorch reference job making its checkpoint folder (four levels deep)
 * after a 2 s delay, and a job that fetches its dataset a second after it starts.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SessionReport } from '../../src/shared/model';
import { hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { readTruth, toSessionS } from '../support/truth';
import { knobArgs, makeDataset, tempDir, workloadScript } from '../support/workloads';
import { assertOneLineFailure, near, runCli, sessionHeader } from './cliRun';

async function reportOf(session: string, dir: string): Promise<SessionReport> {
  const out = join(dir, 'report.json');
  const rep = await runCli(['report', session, '--format', 'json', '--out', out]);
  assert.equal(rep.code, 0, rep.stderr);
  return JSON.parse(readFileSync(out, 'utf8')) as SessionReport;
}

function noteMatching(report: SessionReport, pattern: RegExp): string {
  const found = report.notes.find((n) => pattern.test(n.message));
  assert.ok(found, `no note like ${pattern}; notes: ${report.notes.map((n) => n.message).join(' | ')}`);
  return found.message;
}

const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

void test('a checkpoint folder the job makes 2 s after it starts, four levels deep; a dataset folder that never appears', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  const { dir, cleanup } = tempDir('awaited-ckpt');
  try {
    const data = join(dir, 'data');
    makeDataset(data, { files: 120, minKb: 20, maxKb: 40 });
    const ckpt = join(dir, 'runs', 'a', 'b', 'ckpt'); // train_torch.py makes it with os.makedirs
    const never = join(dir, 'later', 'dataset');
    const truthFile = join(dir, 'truth.jsonl');
    const session = join(dir, 'session.trainio.jsonl');
    const job = [
      SYSTEM_PYTHON,
      workloadScript('train_torch.py'),
      ...knobArgs({
        data,
        epochs: 2,
        'batch-size': 16,
        'num-workers': 1,
        'compute-ms': 80, // saves ≥ 320 ms apart: one write burst each in 100 ms tree samples
        'ckpt-dir': ckpt,
        'ckpt-every': 4,
        'ckpt-mb': 3,
        truth: truthFile,
      }),
    ];
    // no hook: the checkpoints are found by watching the folder, not by timing torch.save
    const rec = await runCli(
      [
        'record',
        '--out',
        session,
        '--dataset',
        data,
        '--dataset',
        never,
        '--checkpoints',
        ckpt,
        '--no-hook',
        '--interval',
        '100',
        '--',
        'sh',
        '-c',
        'sleep 2; exec "$0" "$@"',
        ...job,
      ],
      { cwd: dir },
    );
    assert.equal(rec.code, 0, rec.stderr);
    const report = await reportOf(session, dir);
    const truth = readTruth(truthFile);
    const at = (tt: number): number => toSessionS(tt, sessionHeader(session).startedAtMs);

    noteMatching(
      report,
      new RegExp(`^waiting for ${escaped(ckpt)} to appear .*watching ${escaped(dir)}\\)$`),
    );
    const appeared = noteMatching(report, new RegExp(`^${escaped(ckpt)} appeared after`));
    const afterS = Number(/after ([\d.]+) s$/.exec(appeared)?.[1]);
    // made by train() between the job's start line and its first epoch
    t.diagnostic(`${appeared}; job started at ${at(truth.start.t).toFixed(2)} s`);
    assert.ok(afterS >= 2, appeared);
    assert.ok(afterS >= at(truth.start.t) - 0.1 && afterS <= at(truth.epochs[0].startT) + 0.3, appeared);

    // every save found, named by the folder that appeared, with the bytes the job wrote
    assert.ok(truth.checkpoints.length >= 3, `${truth.checkpoints.length} saves`);
    assert.equal(
      report.checkpoints.length,
      truth.checkpoints.length,
      JSON.stringify(report.checkpoints.map((c) => [c.path, c.bytes, c.startS, c.source])),
    );
    for (const c of truth.checkpoints) {
      const found = report.checkpoints.find((x) => x.path === c.path);
      assert.ok(found, `checkpoint ${c.path} not found`);
      // bytes of the write burst (the tree's write counters, the job's other small writes in it): ±1 %
      near(found.bytes, c.bytes, 0.01 * c.bytes, `${c.path} bytes`);
      near(found.startS + found.durationS, at(c.t1), 0.5, 'checkpoint end');
    }

    // the dataset that was there is indexed; the one that never appeared says so
    assert.deepEqual(
      report.datasets.map((d) => d.path),
      [data],
    );
    noteMatching(report, new RegExp(`^dataset folder ${escaped(never)} never appeared: `));
  } finally {
    cleanup();
  }
});

/** a job that fetches its dataset a second after it starts (written aside, moved into place), reads it twice */
const FETCHES_ITS_DATASET = `
import json, os, sys, time
root, truth = sys.argv[1], sys.argv[2]
time.sleep(1.0)
aside = root + ".partial"
os.makedirs(os.path.join(aside, "part"))
sizes = [20000 + 1000 * i for i in range(40)]
for i, n in enumerate(sizes):
    with open(os.path.join(aside, "part", "f%03d.bin" % i), "wb") as f:
        f.write(os.urandom(n))
os.makedirs(os.path.dirname(root), exist_ok=True)
os.rename(aside, root)
with open(truth, "w") as f:
    json.dump({"t": time.time(), "files": len(sizes), "bytes": sum(sizes)}, f)
time.sleep(1.5)
for epoch in range(2):
    for name in sorted(os.listdir(os.path.join(root, "part"))):
        with open(os.path.join(root, "part", name), "rb") as f:
            f.read()
    time.sleep(0.5)
`;

void test('a dataset folder the job fetches after it starts is indexed once it appears', async () => {
  const { dir, cleanup } = tempDir('awaited-data');
  try {
    const data = join(dir, 'fresh', 'data');
    const script = join(dir, 'job.py');
    writeFileSync(script, FETCHES_ITS_DATASET);
    const truthFile = join(dir, 'truth.json');
    const session = join(dir, 'session.trainio.jsonl');
    const rec = await runCli(
      ['record', '--out', session, '--dataset', data, '--', SYSTEM_PYTHON, script, data, truthFile],
      { cwd: dir },
    );
    assert.equal(rec.code, 0, rec.stderr);
    const report = await reportOf(session, dir);
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as { t: number; files: number; bytes: number };
    const appeared = noteMatching(report, new RegExp(`^${escaped(data)} appeared after`));
    const afterS = Number(/after ([\d.]+) s$/.exec(appeared)?.[1]);
    // noted when seen, a moment after the job moved it into place (inotify), at 0.1 s precision:
    // after the job's 1 s wait, and within 0.25 s of the move (the truth is stamped right after it)
    const movedS = toSessionS(truth.t, sessionHeader(session).startedAtMs);
    assert.ok(
      afterS >= 1 && afterS <= movedS + 0.25,
      `${appeared} (moved into place at ${movedS.toFixed(3)} s)`,
    );
    assert.equal(report.datasets.length, 1);
    assert.equal(report.datasets[0].path, data);
    assert.equal(report.datasets[0].files, truth.files);
    assert.equal(report.datasets[0].bytes, truth.bytes);
  } finally {
    cleanup();
  }
});

void test('a folder under a regular file can never appear: one clear line', async () => {
  const { dir, cleanup } = tempDir('awaited-file');
  try {
    const file = join(dir, 'model.pt');
    writeFileSync(file, 'x');
    const r = await runCli([
      'record',
      '--out',
      join(dir, 's.jsonl'),
      '--checkpoints',
      join(file, 'ckpt'),
      '--',
      'sleep',
      '5',
    ]);
    assertOneLineFailure(
      r,
      1,
      new RegExp(
        `no directory at ${escaped(join(file, 'ckpt'))}, and none can be created there: ${escaped(file)} is not a directory`,
      ),
    );
  } finally {
    cleanup();
  }
});
