/**
 * Worker start-up, the bottleneck and the advice, each caused for real by the reference PyTorch job
 * (launch mode with the hook) and checked against the job's own truth:
 * - spawned, non-persistent workers with a slow import: the start-up waits and the time to the first
 *   batch match the job's iter/stop waits and first-batch wait; the first advice is persistent-workers;
 * - two decode-heavy workers on a machine with two CPUs: worker CPU is the bottleneck, no more-workers;
 * - slow reads with CPUs left idle: more-workers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cpus } from 'node:os';
import type { SessionReport } from '../../src/shared/model';
import { hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { readTruth, toSessionS, type Truth } from '../support/truth';
import { knobArgs, makeDataset, tempDir, workloadScript, type Knobs } from '../support/workloads';
import { near, runCli, sessionHeader } from './cliRun';

interface Run {
  report: SessionReport;
  truth: Truth;
  at: (t: number) => number;
  /** cores nobody on the machine used while the job ran (/proc/stat), the truth for "CPUs are free" */
  idleCores: number;
}

/** idle and total ticks of all CPUs so far */
function cpuTicks(): { idle: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3] + (f[4] ?? 0), total: f.slice(0, 8).reduce((a, b) => a + b, 0) };
}

async function record(prefix: string, files: number, knobs: Knobs): Promise<Run> {
  const { dir, cleanup } = tempDir(prefix);
  try {
    const data = join(dir, 'data');
    makeDataset(data, { files, minKb: 8, maxKb: 16 });
    const truthFile = join(dir, 'truth.jsonl');
    const session = join(dir, 'session.trainio.jsonl');
    const job = [
      SYSTEM_PYTHON,
      workloadScript('train_torch.py'),
      ...knobArgs({ data, truth: truthFile, ...knobs }),
    ];
    const before = cpuTicks();
    const rec = await runCli(
      ['record', '--out', session, '--dataset', data, '--interval', '100', '--', ...job],
      {
        cwd: dir,
      },
    );
    assert.equal(rec.code, 0, rec.stderr);
    const after = cpuTicks();
    const idleCores = ((after.idle - before.idle) / Math.max(1, after.total - before.total)) * cpus().length;
    const out = join(dir, 'report.json');
    const rep = await runCli(['report', session, '--format', 'json', '--out', out]);
    assert.equal(rep.code, 0, rep.stderr);
    const startedAtMs = sessionHeader(session).startedAtMs;
    return {
      report: JSON.parse(readFileSync(out, 'utf8')) as SessionReport,
      truth: readTruth(truthFile),
      at: (t) => toSessionS(t, startedAtMs),
      idleCores,
    };
  } finally {
    cleanup();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** the truth's start-up per epoch: iter() + the first batch's wait beyond the median one + StopIteration */
function truthStartup(truth: Truth): { iter: number; extra: number; stop: number }[] {
  const iters = truth.waits.filter((w) => w.kind === 'iter');
  const stops = truth.waits.filter((w) => w.kind === 'stop');
  return truth.epochs.map((e, i) => {
    const steps = truth.steps.filter((s) => s.epoch === e.index);
    const steady = median(steps.slice(1).map((s) => s.waitS));
    return { iter: iters[i].waitS, extra: Math.max(0, steps[0].waitS - steady), stop: stops[i].waitS };
  });
}

void test('spawned non-persistent workers with a slow import: start-up and first batch as the job timed them, persistent-workers first', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  const { report, truth, at } = await record('advice-spawn', 96, {
    epochs: 3,
    'batch-size': 16,
    'num-workers': 2,
    'start-method': 'spawn',
    'import-ms': 400,
    'compute-ms': 30,
  });
  const rows = truthStartup(truth);
  const w = report.workers!;
  assert.equal(w.method, 'exact');
  assert.equal(w.startMethod, 'spawn');
  assert.equal(w.perEpoch.length, 3);
  // the hook's clock sits just inside the job's stopwatch: within 20 ms per wait
  w.perEpoch.forEach((e, i) => {
    near(e.iterS, rows[i].iter, 0.02, `epoch ${i} iter()`);
    near(e.firstBatchExtraS, rows[i].extra, 0.02, `epoch ${i} first batch's extra wait`);
    near(e.stopS, rows[i].stop, 0.02, `epoch ${i} StopIteration`);
  });
  const total = rows.reduce((a, r) => a + r.iter + r.extra + r.stop, 0);
  near(w.startupS!, total, 0.06, 'workers.startupS');
  // every epoch re-imports: at least the 400 ms import per epoch
  assert.ok(total > 3 * 0.4, `truth start-up ${total} s`);

  // the first batch: the end of the first next(), from the process start (trainio launched it at 0)
  const first = truth.steps[0];
  near(report.startup!.firstBatchS!, at(first.t - first.computeS), 0.1, 'startup.firstBatchS');
  near(report.startup!.firstBatchWaitS!, first.waitS, 0.02, 'first batch wait');
  near(
    report.startup!.importS!,
    at(truth.start.t),
    0.5,
    'imports: torch ready shortly before the job says start',
  );

  assert.equal(report.bottleneck?.kind, 'worker-startup', JSON.stringify(report.bottleneck));
  assert.equal(report.advice[0]?.id, 'persistent-workers', JSON.stringify(report.advice));
  assert.ok(!report.advice.some((a) => a.id === 'more-workers'), JSON.stringify(report.advice));
  // persistent workers keep epoch 0's start-up and the last shutdown
  const saves =
    rows.slice(1).reduce((a, r) => a + r.iter + r.extra, 0) +
    rows.slice(0, -1).reduce((a, r) => a + r.stop, 0);
  near(report.advice[0].savesS!, saves, 0.06, 'persistent-workers saves');
  near(report.advice[0].savesPct!, (100 * saves) / truth.loopS, 3, 'persistent-workers saves % of the loop');
  assert.ok(report.dataStall.idealSpeedup! > 1);
  near(report.dataStall.idealSpeedup!, 1 / (1 - truth.stallPct / 100), 0.1, 'ideal speed-up');
});

void test('two decode-heavy workers on two CPUs: worker CPU is the bottleneck, and no more-workers', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  if (cpus().length > 2) t.diagnostic(`${cpus().length} CPUs: two workers may not saturate them`);
  const { report, truth } = await record('advice-cpu', 160, {
    epochs: 2,
    'batch-size': 8,
    'num-workers': 2,
    'persistent-workers': true,
    'decode-ms': 25,
    'compute-ms': 2,
  });
  assert.ok(truth.stallPct > 50, `the job is data bound: ${truth.stallPct}%`);
  if (cpus().length <= 2) {
    assert.equal(report.bottleneck?.kind, 'worker-cpu', JSON.stringify(report.bottleneck));
    assert.ok(!report.advice.some((a) => a.id === 'more-workers'), JSON.stringify(report.advice));
  }
});

void test('slow reads: storage latency, and more-workers exactly when CPUs were left idle', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  const { report, truth, idleCores } = await record('advice-io', 160, {
    epochs: 2,
    'batch-size': 8,
    'num-workers': 2,
    'persistent-workers': true,
    'slow-read-ms': 15,
    'compute-ms': 20,
  });
  assert.ok(truth.stallPct > 30, `the job is data bound: ${truth.stallPct}%`);
  assert.equal(report.bottleneck?.kind, 'storage', JSON.stringify(report.bottleneck));
  const more = report.advice.find((a) => a.id === 'more-workers');
  t.diagnostic(
    `idle cores while the job ran: ${idleCores.toFixed(2)}; advice ${report.advice.map((a) => a.id).join(', ')}`,
  );
  // the workers sleep in their reads (≈ 0.1 core each): one more fits in any idle core worth the name;
  // a machine kept busy by other work (the tests run side by side) has none to give
  if (idleCores < 0.05) {
    assert.equal(more, undefined, `no idle CPU, yet ${JSON.stringify(more)}`);
    return;
  }
  if (idleCores < 0.5) return t.skip(`only ${idleCores.toFixed(2)} cores idle: between the two verdicts`);
  assert.ok(more, JSON.stringify(report.advice));
  assert.equal(report.advice[0].id, 'more-workers');
  // doubling the workers halves the reads' latency per batch (8 × 15 ms ÷ 4 = 30 ms ≥ the 20 ms step):
  // it saves at most the whole wait and at least half of it
  const waitS = (truth.stallPct / 100) * truth.loopS;
  assert.ok(more.savesS! <= waitS * 1.1 && more.savesS! >= waitS * 0.4, `${more.savesS} of ${waitS} s`);
});
