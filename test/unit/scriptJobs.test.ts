/**
 * The running jobs of a script, read from the real /proc: a python3 running a script (by a
 * relative path, from its own folder) with two forked children that share its command line, as
 * DataLoader workers do — one job, its PID, two workers; scans are cached for a few seconds.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScriptJobs, scanScriptJobs } from '../../src/core/target/scriptProcesses';

const JOB = `
import os, sys, time
kids = [os.fork() for _ in range(1)]
if kids[0] != 0:
    kids.append(os.fork())
if all(k != 0 for k in kids):
    print("ready", flush=True)
time.sleep(30)
`;

void test('a job running a script is found once, with its forked workers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-jobs-'));
  const script = join(dir, 'train_x.py');
  writeFileSync(script, JOB);
  const child = spawn('/usr/bin/python3', ['train_x.py'], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((ready) => child.stdout.once('data', () => ready()));
    const jobs = (await scanScriptJobs()).get(script);
    assert.deepEqual(jobs, [{ pid: child.pid, workers: 2 }]);
    let now = 0;
    const cached = new ScriptJobs(() => now);
    assert.deepEqual(await cached.running(script), [{ pid: child.pid, workers: 2 }]);
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    now = 1000;
    assert.equal((await cached.running(script)).length, 1, 'within 3 s the last scan answers');
    now = 5000;
    assert.deepEqual(await cached.running(script), [], 'after it, /proc is read again');
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
