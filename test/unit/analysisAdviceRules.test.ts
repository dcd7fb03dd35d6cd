/**
 * Each advice rule at its threshold, the bottleneck verdicts, and the order (the biggest win first),
 * from synthetic inputs and from the recorded sessions of test/fixtures/sessions.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { adviseOn, sortByWin, type AdviceInput } from '../../src/core/analysis/adviceEngine';
import { findBottleneck, loopSplit, type BottleneckInput } from '../../src/core/analysis/bottleneck';
import type { LoopActivity } from '../../src/core/analysis/loopActivity';
import { loadSession } from '../../src/core/session/sessionReader';
import { savingsShort, savingsText } from '../../src/shared/adviceSavings';
import type { Advice, WorkerStartupSummary } from '../../src/shared/model';
import { withDefaults } from '../../src/shared/settings';
import { readTruth } from '../support/truth';

const FIXTURES = join(__dirname, '..', 'fixtures', 'sessions');

function activity(extra: Partial<LoopActivity> = {}): LoopActivity {
  return {
    samples: 100,
    workersRunningPct: 10,
    workersIoWaitPct: 0,
    meanWorkers: 2,
    systemCpuPct: 30,
    jobCores: 0.6,
    ...extra,
  };
}

function spawnedWorkers(perEpochS: number, epochs = 3): WorkerStartupSummary {
  return {
    startupS: perEpochS * epochs,
    startMethod: 'spawn',
    method: 'exact',
    persistent: false,
    perEpoch: Array.from({ length: epochs }, (_, i) => ({
      startS: i * 10,
      iterS: 0.1,
      firstBatchExtraS: perEpochS - 0.1 - 0.5,
      stopS: 0.5,
      totalS: perEpochS,
    })),
  };
}

function input(extra: Partial<AdviceInput> = {}): AdviceInput {
  const base: AdviceInput = {
    settings: withDefaults(),
    datasets: [],
    epochs: [],
    epochStartStallPct: [],
    checkpoints: [],
    trainingS: 30,
    stall: { pct: 2, method: 'exact', confidence: 'high', windowPct: 2 },
    loaders: [{ id: 1, numWorkers: 2, pinMemory: false, persistentWorkers: true }],
    cpus: 2,
    activity: activity(),
    ...extra,
  };
  base.split ??= loopSplit(base);
  base.bottleneck ??= findBottleneck({
    ...base,
    warningPct: base.settings.stallWarningPct,
  } as BottleneckInput);
  return base;
}

void test('spawned workers restarting every epoch: persistent-workers first, with what it saves, and not more-workers', () => {
  // 3 epochs of 10 s, 3 s of start-up each: 60 % stall, all of it start-up
  const a = adviseOn(
    input({
      stall: { pct: 30, method: 'exact', confidence: 'high', windowPct: 30 },
      loaders: [{ id: 1, numWorkers: 2, pinMemory: false, persistentWorkers: false }],
      workers: spawnedWorkers(3),
      startup: { firstBatchS: 5, processStartS: 0, importS: 1.8, method: 'exact' },
    }),
  );
  assert.deepEqual(
    a.map((x) => x.id),
    ['persistent-workers'],
  );
  // epochs 1 and 2 keep their start (2.5 s each), epochs 0 and 1 their shutdown (0.5 s each)
  assert.equal(a[0].savesS, 6);
  assert.equal(a[0].savesPct, 20);
  assert.equal(a[0].savesPerEpochS, 3);
  assert.equal(a[0].severity, 'critical');
  assert.match(a[0].message, /spawn: a new interpreter re-imports/);
  assert.ok(a[0].evidence.includes("the script's imports take 1.8 s"));
  assert.equal(savingsText(a[0]), 'saves ≈ 3.0 s per epoch, 20% of the loop');
  assert.equal(savingsShort(a[0]), '≈ 3.0 s/epoch');
});

void test('persistent-workers threshold: under 0.25 s per epoch and under the warning share, nothing', () => {
  const make = (perEpochS: number): Advice[] =>
    adviseOn(
      input({
        trainingS: 300,
        loaders: [{ id: 1, numWorkers: 2, persistentWorkers: false }],
        workers: spawnedWorkers(perEpochS),
      }),
    );
  assert.equal(make(0.2).length, 0, '0.2 s per epoch, 0.13 % of the loop');
  assert.deepEqual(
    make(0.3).map((x) => [x.id, x.severity]),
    [['persistent-workers', 'info']],
  );
});

void test('more-workers only when CPUs are free: saturated CPUs or busy workers get none', () => {
  const stalled = { pct: 40, method: 'exact' as const, confidence: 'high' as const, windowPct: 40 };
  const free = adviseOn(input({ stall: stalled }));
  assert.equal(free[0]?.id, 'more-workers');
  assert.ok(free[0].evidence.includes('2 CPUs, 1.4 free'), free[0].evidence.join('; '));
  const saturated = input({
    stall: stalled,
    activity: activity({ workersRunningPct: 95, systemCpuPct: 99, jobCores: 1.95 }),
  });
  assert.equal(saturated.bottleneck?.kind, 'worker-cpu');
  assert.equal(
    adviseOn(saturated).some((x) => x.id === 'more-workers'),
    false,
  );
  // free cores exactly one worker's CPU share short: none
  const busy = input({
    stall: stalled,
    activity: activity({ workersRunningPct: 50, jobCores: 1.6, systemCpuPct: 80 }),
  });
  assert.equal(
    adviseOn(busy).some((x) => x.id === 'more-workers'),
    false,
  );
  // under the warning line (5 %): none
  assert.equal(adviseOn(input({ stall: { ...stalled, pct: 4.9 } })).length, 0);
});

void test('bottleneck verdicts: start-up, checkpoints, worker CPU, storage, the hand-off, compute', () => {
  const stall = (pct: number) => ({
    pct,
    method: 'exact' as const,
    confidence: 'high' as const,
    windowPct: pct,
  });
  const kind = (extra: Partial<AdviceInput>): string | undefined => input(extra).bottleneck?.kind;
  assert.equal(kind({ stall: stall(3) }), 'compute');
  assert.equal(kind({ stall: stall(30), workers: spawnedWorkers(3) }), 'worker-startup');
  const ckpt = { path: '/c.pt', bytes: 1e9, startS: 1, durationS: 9, lostS: 9, source: 'hook' as const };
  assert.equal(kind({ stall: stall(10), checkpoints: [ckpt] }), 'checkpoints');
  assert.equal(
    kind({ stall: stall(40), activity: activity({ workersRunningPct: 95, systemCpuPct: 99 }) }),
    'worker-cpu',
  );
  assert.equal(kind({ stall: stall(40), activity: activity({ workersIoWaitPct: 60 }) }), 'storage');
  assert.equal(kind({ stall: stall(40), steadyBatchWaitS: 0.02 }), 'storage');
  assert.equal(kind({ stall: stall(12), steadyBatchWaitS: 0.002 }), 'main-thread');
  assert.equal(
    kind({ stall: stall(40), activity: activity({ workersRunningPct: 80, systemCpuPct: 50 }) }),
    'worker-cpu',
  );
});

void test('the biggest win first: a critical health finding, then by seconds saved, then by severity', () => {
  const a = (id: string, severity: Advice['severity'], savesS?: number): Advice => ({
    id,
    severity,
    message: id,
    evidence: [],
    ...(savesS !== undefined ? { savesS } : {}),
  });
  const sorted = sortByWin([
    a('pack-small-files', 'warning'),
    a('async-checkpoint', 'critical', 2),
    a('persistent-workers', 'warning', 6),
    a('shm-size', 'critical'),
    a('pin-memory', 'info'),
  ]);
  assert.deepEqual(
    sorted.map((x) => x.id),
    ['shm-size', 'persistent-workers', 'async-checkpoint', 'pack-small-files', 'pin-memory'],
  );
  // health findings become advice: shm-size from /dev/shm, worker-memory from copy-on-write growth
  const health = adviseOn(
    input({
      health: [
        {
          id: 'shm',
          severity: 'critical',
          value: 62e6,
          limit: 64e6,
          unit: 'bytes',
          message: '/dev/shm is 97% full',
        },
        {
          id: 'worker-memory',
          severity: 'warning',
          value: 150e6,
          limit: 1e9,
          unit: 'bytes',
          message: 'workers grow',
        },
        { id: 'fds', severity: 'info', value: 20, limit: 1024, unit: 'fds', message: 'fine' },
      ],
    }),
  );
  assert.deepEqual(
    health.map((x) => [x.id, x.severity]),
    [
      ['shm-size', 'critical'],
      ['worker-memory', 'warning'],
    ],
  );
  assert.ok(health[0].message.startsWith('/dev/shm is 97% full. Give the job more shared memory'));
  assert.deepEqual(health[0].evidence, ['shm: 62.0 MB of 64.0 MB (97%), critical']);
});

void test('pin-memory only with a GPU; pack-small-files names the listing cost', () => {
  const stalled = { pct: 12, method: 'exact' as const, confidence: 'high' as const, windowPct: 12 };
  const busy = activity({ workersRunningPct: 95, systemCpuPct: 99, jobCores: 2 });
  assert.equal(
    adviseOn(input({ stall: stalled, activity: busy })).some((x) => x.id === 'pin-memory'),
    false,
  );
  assert.equal(
    adviseOn(input({ stall: stalled, activity: busy, gpus: 1 })).some((x) => x.id === 'pin-memory'),
    true,
  );
  const files = 20_000;
  const pack = adviseOn(
    input({
      datasets: [
        {
          path: '/d',
          files,
          bytes: files * 50_000,
          dirs: 1,
          histogram: [{ le: 65536, count: files, bytes: files * 50_000 }],
          largestDirs: [],
          indexS: 12,
          partial: false,
        },
      ],
      startup: { firstBatchS: 40, processStartS: 0, datasetListingS: 12, setupS: 30, method: 'exact' },
    }),
  ).find((x) => x.id === 'pack-small-files');
  assert.ok(pack);
  assert.ok(pack.evidence.includes('listing them took trainio 12.0 s'), pack.evidence.join('; '));
});

void test('recorded sessions: slow reads with idle workers are named storage latency, more-workers is the advice', async () => {
  for (const name of ['launch-torch', 'attach-torch']) {
    const report = await loadSession(join(FIXTURES, `${name}.trainio.jsonl`));
    const truth = readTruth(join(FIXTURES, `${name}.truth.jsonl`));
    // the job slept 4 ms before every read, in 2 workers, against a 25 ms step
    assert.equal(truth.start.config.slow_read_ms, 4);
    assert.equal(report.bottleneck?.kind, 'storage', `${name}: ${JSON.stringify(report.bottleneck)}`);
    assert.equal(report.advice[0]?.id, 'more-workers', `${name}: ${JSON.stringify(report.advice)}`);
    const pct = report.dataStall.pct!;
    assert.equal(report.dataStall.idealSpeedup, Math.round(100 / (1 - pct / 100)) / 100);
    // the files were recorded before start methods and edge waits existed: nothing is invented
    assert.equal(report.workers?.startMethod, null);
    assert.equal(report.startup?.firstBatchS, null);
  }
});
