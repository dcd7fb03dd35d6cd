/**
 * The main-thread sampler on real processes in known states: sleeping on a timer, blocked reading a
 * pipe, polling, waiting on a futex, spinning — through /proc/PID/task/TID/syscall and through the
 * wchan fallback; and run as another user, where the system call cannot be read.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildSync } from 'esbuild';
import { ThreadSampler, type ThreadSample } from '../../src/core/stall/threadSampler';
import { requireTool } from '../support/tools';

const PY = {
  sleep: 'import time; time.sleep(30)',
  pipe: 'import os; r, w = os.pipe(); os.read(r, 1)',
  poll: 'import os, select; r, w = os.pipe(); p = select.poll(); p.register(r); p.poll(30000)',
  futex: 'import threading; threading.Event().wait(30)',
  spin: 'while True: pass',
};

async function settled(
  child: ChildProcess,
  sampler: ThreadSampler,
  want: (s: ThreadSample) => boolean,
): Promise<ThreadSample> {
  let last: ThreadSample | null = null;
  for (let i = 0; i < 150; i++) {
    await new Promise((r) => setTimeout(r, 20));
    last = sampler.sample();
    if (last && want(last)) return last;
  }
  throw new Error(
    `process ${child.pid} never reached the state: last ${JSON.stringify(last, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
  );
}

for (const syscalls of [true, false]) {
  void test(`thread roles of real processes (${syscalls ? 'system calls' : 'wchan fallback'})`, async () => {
    const expected: Record<keyof typeof PY, string | null> = {
      sleep: 'sleep',
      pipe: 'fdRead',
      poll: 'multiWait',
      futex: 'futex',
      spin: null,
    };
    const children = Object.fromEntries(
      Object.entries(PY).map(([k, code]) => [k, spawn('python3', ['-c', code], { stdio: 'ignore' })]),
    ) as Record<keyof typeof PY, ChildProcess>;
    try {
      for (const key of Object.keys(PY) as (keyof typeof PY)[]) {
        const child = children[key];
        const sampler = new ThreadSampler(child.pid as number, child.pid as number, { syscalls });
        const want = expected[key];
        const s = await settled(child, sampler, (x) =>
          want === null ? x.activity === 'running' : x.role === want,
        );
        assert.equal(s.role, want, key);
        assert.equal(sampler.syscallReadable, syscalls);
        if (syscalls && key === 'pipe') assert.equal(s.fd?.kind, 'pipe');
        assert.ok(s.cpuNs !== null && s.runqNs !== null && s.readCalls !== null);
        if (key === 'spin') {
          const later = await settled(child, sampler, (x) => x.cpuNs! > s.cpuNs! + 50e6);
          assert.ok(later.cpuNs! - s.cpuNs! <= (later.atMs - s.atMs) * 1e6 * 1.05, 'CPU time ≤ wall time');
        }
        sampler.close();
      }
    } finally {
      for (const c of Object.values(children)) c.kill('SIGKILL');
    }
  });
}

void test('a thread that is gone samples as null', async () => {
  const child = spawn('sleep', ['5'], { stdio: 'ignore' });
  const sampler = new ThreadSampler(child.pid as number);
  assert.ok(sampler.sample());
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.equal(sampler.sample(), null);
});

void test('as another user: the system call is not readable and the sampler says so', (t) => {
  if (process.getuid?.() !== 0) {
    requireTool(t, false, 'root', 'run the tests as root to run the sampler as another user');
    return;
  }
  const target = spawn('python3', ['-c', PY.poll], { stdio: 'ignore' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainio-nobody-'));
  try {
    fs.chmodSync(dir, 0o755);
    const entry = path.join(dir, 'entry.ts');
    fs.writeFileSync(
      entry,
      `import { ThreadSampler } from ${JSON.stringify(path.resolve('src/core/stall/threadSampler'))};
       const s = new ThreadSampler(Number(process.argv[2]));
       const x = s.sample();
       console.log(JSON.stringify({ readable: s.syscallReadable, state: x?.state, role: x?.role, readCalls: x?.readCalls }));`,
    );
    buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      outfile: path.join(dir, 'probe.js'),
      logLevel: 'error',
    });
    fs.chmodSync(path.join(dir, 'probe.js'), 0o644);
    // wait (as root) until the target sits in poll()
    const rootView = new ThreadSampler(target.pid as number);
    for (let i = 0; i < 200 && rootView.sample()?.role !== 'multiWait'; i++) spawnSync('sleep', ['0.02']);
    rootView.close();
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        process.execPath,
        path.join(dir, 'probe.js'),
        String(target.pid),
      ],
      { encoding: 'utf8' },
    );
    const out = JSON.parse(r.stdout) as {
      readable: boolean;
      state: string;
      role: string | null;
      readCalls: number | null;
    };
    assert.equal(out.readable, false, 'syscall unreadable for another user');
    assert.equal(out.state, 'S', 'the state still reads');
    assert.equal(out.role, null, "wchan reads '0' for another user's process: no role");
    assert.equal(out.readCalls, null, 'io unreadable');
  } finally {
    target.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
