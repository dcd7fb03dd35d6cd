/**
 * Ranks of multi-rank jobs: which processes of a tree are ranks and which a launcher (RankFinder),
 * and the per-rank analysis (RankTracker): the job's stall is the slowest rank's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RankTracker } from '../../src/core/analysis/rankTracker';
import {
  parseRankEnv,
  RankFinder,
  ROOT_CONFIRM_MS,
  type RankCandidate,
  type RankEnv,
} from '../../src/core/proc/rankFinder';
import type { StallRecord } from '../../src/shared/model';

const PY = ['/usr/bin/python3', 'train.py'];
const SPAWN = [
  '/usr/bin/python3',
  '-c',
  'from multiprocessing.spawn import spawn_main; spawn_main()',
  '--multiprocessing-fork',
];

function proc(pid: number, ppid: number, o: Partial<RankCandidate> = {}): RankCandidate {
  return { pid, ppid, startMs: 0, cmdline: PY, isWorker: ppid !== 1, cpuTicks: 0, ...o };
}

function finder(envs: Record<number, RankEnv> = {}): RankFinder {
  return new RankFinder(100, (pid) => envs[pid] ?? null);
}

void test('mp.spawn: children of a blocked root that drive their own workers are ranks, the root a launcher', () => {
  const f = finder();
  const root = proc(100, 1, { isWorker: false });
  const a = proc(101, 100, { cmdline: SPAWN, startMs: 0 });
  const b = proc(102, 100, { cmdline: SPAWN, startMs: 10 });
  // the ranks initialise for longer than ROOT_CONFIRM_MS before creating their loaders: the root
  // stays undecided because it does not compute
  for (let t = 0; t <= 2 * ROOT_CONFIRM_MS; t += 250) assert.deepEqual(f.update([root, a, b], t), []);
  assert.equal(f.rootRole, 'undecided');
  const fresh = f.update([root, a, b, proc(201, 101, { cmdline: SPAWN })], 9000);
  assert.equal(f.rootRole, 'launcher');
  assert.deepEqual(
    fresh.map((r) => [r.rank, r.pid, r.source, r.launcher]),
    [[0, 101, 'order', 'mp.spawn']],
  );
  const later = f.update(
    [root, a, b, proc(201, 101, { cmdline: SPAWN }), proc(202, 102, { cmdline: SPAWN })],
    9250,
  );
  assert.deepEqual(
    later.map((r) => [r.rank, r.pid]),
    [[1, 102]],
  );
  assert.equal(f.multiRank, true);
  // between epochs a rank's non-persistent workers are gone: it stays a rank
  assert.deepEqual(f.update([root, a, b], 12000), []);
  assert.deepEqual(
    f.list().map((r) => r.pid),
    [101, 102],
  );
});

void test('a single-process job: a computing root whose workers have no children is the only rank', () => {
  const f = finder();
  const worker = proc(101, 100, { startMs: 0 });
  for (let t = 0; t <= ROOT_CONFIRM_MS + 500; t += 250) {
    f.update([proc(100, 1, { isWorker: false, cpuTicks: t / 20 }), worker], t);
  }
  assert.equal(f.rootRole, 'rank');
  assert.equal(f.multiRank, false);
  assert.deepEqual(
    f.list().map((r) => [r.rank, r.pid]),
    [[0, 100]],
  );
});

void test('torchrun: ranks exec with RANK in their environment, numbered by it; workers inherit it', () => {
  const f = finder({
    101: { rank: 1, worldSize: 2, launcher: 'torchrun' },
    102: { rank: 0, worldSize: 2, launcher: 'torchrun' },
  });
  const root = proc(100, 1, {
    isWorker: false,
    cmdline: ['/usr/bin/python3', '/usr/bin/torchrun', 'train.py'],
  });
  const r1 = proc(101, 100, { isWorker: false });
  const r0 = proc(102, 100, { isWorker: false });
  const fresh = f.update([root, r1, r0, proc(201, 101)], 100);
  assert.deepEqual(
    fresh.map((r) => [r.rank, r.pid, r.source, r.worldSize, r.launcher]),
    [
      [1, 101, 'env', 2, 'torchrun'],
      [0, 102, 'env', 2, 'torchrun'],
    ],
  );
  assert.equal(f.rootRole, 'launcher');
  assert.equal(f.rankOf(201), undefined, 'a worker is not a rank');
});

void test('RANK, LOCAL_RANK, WORLD_SIZE and the launcher from /proc/PID/environ', () => {
  assert.deepEqual(parseRankEnv('PATH=/bin\0RANK=3\0LOCAL_RANK=1\0WORLD_SIZE=8\0TORCHELASTIC_RUN_ID=x\0'), {
    rank: 3,
    localRank: 1,
    worldSize: 8,
    launcher: 'torchrun',
  });
  assert.equal(parseRankEnv('PATH=/bin\0LOCAL_RANK=1\0'), null, 'no RANK: not a rank by environment');
  assert.equal(parseRankEnv('RANK=-1\0'), null);
});

function stall(rank: number | undefined, waitS: number, loopS: number, pid?: number): StallRecord {
  const r: StallRecord = {
    type: 'stall',
    s: 2,
    windowS: 2,
    method: 'exact',
    waitS,
    loopS,
    confidence: 'high',
  };
  if (rank !== undefined) r.rank = rank;
  if (pid !== undefined) r.pid = pid;
  return r;
}

void test('the job stall is the slowest rank’s, with the spread and the straggler named', () => {
  const t = new RankTracker();
  t.addStall(stall(undefined, 0.2, 2));
  t.addStall(stall(1, 1.0, 2));
  t.addStall(stall(1, 0.8, 2));
  const job = t.jobStall();
  assert.ok(job);
  assert.equal(job.slowestRank, 1);
  assert.equal(job.pct, 45);
  assert.equal(job.spreadPct, 35);
  const rows = t.summaries('h', {
    pid: 1,
    dataStall: { pct: 0, method: 'exact' },
    epochs: 0,
    bytesRead: 0,
    workers: 0,
    loaders: 0,
  });
  assert.deepEqual(
    rows.map((r) => [r.rank, r.dataStall.pct]),
    [
      [0, 10],
      [1, 45],
    ],
  );
});

void test('a single-process job keeps the session’s own figures and no job-level override', () => {
  const t = new RankTracker();
  t.addStall(stall(undefined, 0.5, 2));
  assert.equal(t.jobStall(), null);
  assert.equal(t.multiRank, false);
});

void test('a rank renamed by the hook keeps its windows (pid-tagged records follow their process)', () => {
  const t = new RankTracker();
  t.addRank({ type: 'rank', s: 1, rank: 0, pid: 11, source: 'order' });
  t.addRank({ type: 'rank', s: 1, rank: 1, pid: 12, source: 'order' });
  t.addStall(stall(0, 1.5, 2, 11));
  t.addStall(stall(1, 0.5, 2, 12));
  // inside the processes torch.distributed numbers them the other way round
  t.addRank({ type: 'rank', s: 2, rank: 1, pid: 11, source: 'hook' });
  t.addRank({ type: 'rank', s: 2, rank: 0, pid: 12, source: 'hook' });
  t.addStall(stall(1, 1.5, 2, 11));
  const job = t.jobStall();
  assert.equal(job?.slowestRank, 1, 'pid 11 is rank 1 now');
  assert.equal(job?.pct, 75);
  // a later, weaker source does not undo the hook's numbering
  t.addRank({ type: 'rank', s: 3, rank: 0, pid: 11, source: 'order' });
  assert.equal(t.rankOf({ pid: 11 }), 1);
});
