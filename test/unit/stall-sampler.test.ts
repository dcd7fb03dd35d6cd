/**
 * The stall sampler end to end on a small real job without PyTorch: a main process that forks a
 * worker (like a DataLoader worker) and, per step, waits in poll() for the worker's batch on a
 * pipe, reads it, then computes. The job logs its own waits: that is the truth.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { StallSampler } from '../../src/core/stall/stallSampler';
import { sourceHarness } from '../support/sourceHarness';

const JOB = `
import os, select, sys, time
r, w = os.pipe()
if os.fork() == 0:                      # the worker: a batch every 60 ms
    os.close(r)
    while True:
        time.sleep(0.06)
        try: os.write(w, b'x' * 512)
        except OSError: os._exit(0)
os.close(w)
p = select.poll(); p.register(r)
wait = 0.0
t0 = time.time()
while time.time() - t0 < 4:
    a = time.time()
    p.poll()                           # wait for the batch
    os.read(r, 512)
    wait += time.time() - a
    end = time.time() + 0.025          # compute
    while time.time() < end: pass
print(wait / (time.time() - t0) * 100, flush=True)
`;

for (const syscalls of [true, false]) {
  void test(`stall sampler on a forking job (${syscalls ? 'system calls' : 'wchan fallback'})`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainio-stalljob-'));
    try {
      const script = path.join(dir, 'job.py');
      fs.writeFileSync(script, JOB);
      const h = sourceHarness({ stallWindowMs: 1000 });
      const child = spawn('python3', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const sampler = new StallSampler(child.pid as number, { syscalls });
      sampler.start(h.ctx);
      await new Promise((r) => child.once('exit', r));
      await sampler.stop();
      const truth = Number(out.trim());

      const records = h.of('stall');
      const waitS = records.reduce((s, r) => s + r.waitS, 0);
      const loopS = records.reduce((s, r) => s + r.loopS, 0);
      const estimate = (100 * waitS) / loopS;
      assert.ok(truth > 30 && truth < 80, `the job waited ${truth}%`);
      assert.ok(
        Math.abs(estimate - truth) < 8,
        `estimated ${estimate.toFixed(1)}% vs truth ${truth.toFixed(1)}%`,
      );
      assert.ok(loopS > 3 && loopS < 4.3, `loop ${loopS} s of a 4 s loop`);
      const inLoop = records.filter((r) => r.loopS > 0.5);
      if (syscalls) {
        assert.ok(inLoop.every((r) => r.confidence === 'medium' && r.missing === undefined));
      } else {
        assert.ok(inLoop.every((r) => r.confidence === 'low' && r.missing?.includes('syscall')));
        assert.ok(h.of('note').some((n) => n.message.includes('without syscall')));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
