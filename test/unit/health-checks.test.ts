/**
 * The health checks' thresholds and parsers, each fed known values (injected reads) or checked
 * against the kernel's own answer (a real zombie's exit status, this process's descriptors).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FdCheck } from '../../src/core/health/fdCheck';
import { DescriptorCounter, parseOpenFilesLimit } from '../../src/core/health/descriptorUsage';
import { LevelTracker, levelOf } from '../../src/core/health/levels';
import { MemoryCheck } from '../../src/core/health/memoryCheck';
import { inactiveFileBytes, parseMeminfo, parseSmapsRollup } from '../../src/core/health/memoryUsage';
import { ShmCheck, SHM_THRESHOLDS } from '../../src/core/health/shmCheck';
import { mountNamespace, shmUsage } from '../../src/core/health/shmUsage';
import { describeStatus, exitStatusOf, WorkerDeathCheck } from '../../src/core/health/workerDeathCheck';
import { growthRate, WorkerMemoryCheck } from '../../src/core/health/workerMemoryCheck';
import type { TreeProcess, TreeSample } from '../../src/core/proc/processTree';
import type { HealthRecord } from '../../src/shared/model';
import { SYSTEM_PYTHON } from '../support/tools';

const MiB = 1024 * 1024;

function proc(pid: number, isWorker = false, state = 'S'): TreeProcess {
  return {
    pid,
    ppid: 1,
    comm: 'python3',
    state,
    startMs: 0,
    cmdline: [],
    isWorker,
    rssBytes: 0,
    cpuTicks: 0,
  };
}

function sample(live: TreeProcess[], exited: TreeProcess[] = []): TreeSample {
  const zero = { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0, majorFaults: 0, cpuTicks: 0 };
  return {
    atMs: 0,
    rootGone: false,
    born: null,
    live,
    spawned: [],
    exited,
    totals: zero,
    rssBytes: 0,
    ioDenied: false,
    ranks: [],
    newRanks: [],
    rootRole: 'rank',
    workers: live.filter((p) => p.isWorker),
  } as TreeSample;
}

void test('levels rise at once, fall only below the threshold minus the hysteresis, and report new worsts by steps', () => {
  const t = new LevelTracker(SHM_THRESHOLDS);
  const seq = [0.5, 0.81, 0.82, 0.84, 0.96, 0.92, 0.89, 0.77, 0.74].map((v) => t.update('m', v));
  assert.deepEqual(
    seq.map((x) => `${x.level}/${x.change}`),
    [
      'ok/null',
      'warning/raised',
      'warning/null',
      'warning/worse',
      'critical/raised',
      'critical/null',
      'warning/eased',
      'warning/null',
      'ok/recovered',
    ],
  );
  assert.equal(levelOf(0.79, SHM_THRESHOLDS), 'ok');
  assert.equal(levelOf(0.79, SHM_THRESHOLDS, 'warning'), 'warning');
});

void test('shm: an info record first, then warning at 80 %, critical at 95 %, recovered below 75 %', () => {
  const size = 64 * MiB;
  let used = 0;
  const check = new ShmCheck(() => ({ namespace: 'mnt:[1]', pid: 10, usedBytes: used, sizeBytes: size }));
  const run = (pct: number): HealthRecord[] => {
    used = (pct / 100) * size;
    return check.check(sample([proc(10), proc(11, true)]), pct);
  };
  const first = run(1);
  assert.equal(first.length, 1);
  assert.equal(first[0].severity, 'info');
  assert.equal(first[0].limit, size);
  assert.deepEqual(run(50), []);
  const warn = run(85);
  assert.equal(warn[0].severity, 'warning');
  assert.equal(warn[0].value, 0.85 * size);
  assert.match(warn[0].message, /85% full \(57\.0 MB of 67\.1 MB\).*Bus error/);
  assert.equal(run(97)[0].severity, 'critical');
  const back = run(40);
  assert.equal(back[0].severity, 'info');
  assert.equal(back[0].recovered, true);
});

void test('fds: per process against its own limit; a process that exits is forgotten', () => {
  const counts = new Map([
    [1, 10],
    [2, 10],
  ]);
  const check = new FdCheck({
    counter: { count: (pid) => counts.get(pid) ?? null, cheap: true },
    limit: (pid) => (pid === 2 ? 300 : 1024),
  });
  const live = [proc(1), proc(2, true)];
  assert.equal(check.check(sample(live), 0).length, 1); // the root's first look
  counts.set(2, 239);
  assert.deepEqual(check.check(sample(live), 1), []);
  counts.set(2, 241);
  const [warn] = check.check(sample(live), 2);
  assert.deepEqual([warn.severity, warn.value, warn.limit, warn.pid], ['warning', 241, 300, 2]);
  assert.match(warn.message, /DataLoader worker 2 has 241 of 300 descriptors open/);
  counts.set(2, 290);
  assert.equal(check.check(sample(live), 3)[0].severity, 'critical');
  counts.set(1, 1000);
  const [root] = check.check(sample([proc(1)], [proc(2, true)]), 4);
  assert.deepEqual([root.pid, root.severity], [1, 'critical']);
});

void test('worker memory: warning once a worker grew 64 MiB, critical when the headroom lasts < 10 min', () => {
  const mem = new Map<number, number>([[5, 10 * MiB]]);
  let headroom = 20_000 * MiB;
  const check = new WorkerMemoryCheck(
    () => ({ headroomBytes: headroom, limitBytes: 24_000 * MiB, usedBytes: 0, limitKind: 'system' }),
    (pid) => ({ privateBytes: mem.get(pid) ?? 0, pssBytes: 0, rssBytes: 0 }),
  );
  const w = [proc(5, true)];
  assert.deepEqual(check.check(sample(w), 0), []);
  mem.set(5, 40 * MiB);
  assert.deepEqual(check.check(sample(w), 2), [], 'read at most every 5 s');
  assert.deepEqual(check.check(sample(w), 5), []);
  mem.set(5, 80 * MiB);
  const [warn] = check.check(sample(w), 10);
  assert.deepEqual([warn.severity, warn.value, warn.pid], ['warning', 80 * MiB, 5]);
  assert.match(warn.message, /\+73\.4 MB since it started.*7\.34 MB\/s/);
  headroom = 1000 * MiB; // 1000 MiB at 7 MiB/s: ≈ 143 s
  mem.set(5, 115 * MiB);
  const [crit] = check.check(sample(w), 15);
  assert.equal(crit.severity, 'critical');
  assert.equal(
    Math.round(
      growthRate([
        { s: 0, privateBytes: 0 },
        { s: 10, privateBytes: 50 },
        { s: 20, privateBytes: 100 },
      ]),
    ),
    5,
  );
});

void test('memory: against MemTotal when there is no cgroup limit, warning at 90 %, critical at 97 %', () => {
  const file = join(fs.mkdtempSync(join(tmpdir(), 'tio-mem-')), 'meminfo');
  const write = (availMb: number): void =>
    fs.writeFileSync(
      file,
      `MemTotal:       1024000 kB\nMemFree: 1 kB\nMemAvailable:   ${availMb * 1024} kB\n`,
    );
  const check = new MemoryCheck(file);
  const live = [proc(process.pid)];
  write(500);
  const [first] = check.check(sample(live), 0);
  assert.equal(first.severity, 'info');
  write(80);
  assert.deepEqual(check.check(sample(live), 0.5), [], 'read at most once a second');
  const [warn] = check.check(sample(live), 1);
  assert.deepEqual(
    [warn.severity, warn.value, warn.limit],
    ['warning', 920 * 1024 * 1024, 1000 * 1024 * 1024],
  );
  write(20);
  assert.equal(check.check(sample(live), 2)[0].severity, 'critical');
  assert.equal(check.state?.headroomBytes, 20 * 1024 * 1024);
});

void test('a zombie worker killed by SIGBUS is reported with its signal, read from its own /proc/PID/stat', async () => {
  const py = spawn(SYSTEM_PYTHON, [
    '-c',
    'import os,signal,sys,time\npid=os.fork()\nif pid==0: os.kill(os.getpid(), signal.SIGBUS)\nprint(pid, flush=True)\ntime.sleep(3)',
  ]);
  try {
    const pid = await new Promise<number>((resolve) =>
      py.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
    );
    let state = '';
    for (let i = 0; i < 50 && state !== 'Z'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0];
    }
    assert.equal(state, 'Z');
    const status = exitStatusOf(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    assert.deepEqual(describeStatus(status ?? -1), { signal: 'SIGBUS' });
    const check = new WorkerDeathCheck();
    const [r] = check.check(sample([proc(py.pid!), proc(pid, true, 'Z')]), 1);
    assert.deepEqual([r.id, r.severity, r.signal, r.pid], ['worker-died', 'critical', 'SIGBUS', pid]);
    assert.deepEqual(check.check(sample([proc(py.pid!), proc(pid, true, 'Z')]), 2), [], 'once per worker');
  } finally {
    py.kill();
  }
  assert.equal(describeStatus(0), null);
  assert.deepEqual(describeStatus(3 << 8), { exitCode: 3 });
});

void test('parsers and reads agree with the kernel', () => {
  assert.equal(
    parseOpenFilesLimit('Max open files            300                  4096                 files     \n'),
    300,
  );
  assert.equal(
    parseOpenFilesLimit('Max open files            unlimited            unlimited            files\n'),
    null,
  );
  assert.deepEqual(
    parseSmapsRollup('Rss:  100 kB\nPss:  60 kB\nPrivate_Clean:  4 kB\nPrivate_Dirty:  16 kB\n'),
    {
      privateBytes: 20 * 1024,
      pssBytes: 60 * 1024,
      rssBytes: 100 * 1024,
    },
  );
  assert.deepEqual(parseMeminfo('MemTotal: 10 kB\nMemAvailable: 4 kB\n'), {
    totalBytes: 10240,
    availableBytes: 4096,
  });
  const counted = new DescriptorCounter().count(process.pid);
  const listed = fs.readdirSync(`/proc/${process.pid}/fd`).length - 1; // the listing's own descriptor
  assert.ok(counted !== null && Math.abs(counted - listed) <= 1, `${counted} vs ${listed}`);
  const ns = mountNamespace(process.pid)!;
  const u = shmUsage(process.pid, ns);
  const st = fs.statfsSync('/dev/shm');
  assert.equal(u?.sizeBytes, st.blocks * st.bsize);
});

void test("a cgroup's working set: the inactive file cache (v2 and v1 memory.stat) is left out", () => {
  const v2 = 'anon 1000\nfile 9000\nactive_file 2000\ninactive_file 7000\n';
  assert.equal(inactiveFileBytes(v2, true), 7000);
  const v1 = 'cache 9000\ninactive_file 10\ntotal_active_file 2000\ntotal_inactive_file 6000\n';
  assert.equal(inactiveFileBytes(v1, false), 6000, 'the hierarchical total, not the group alone');
  assert.equal(inactiveFileBytes('', true), 0);
});
