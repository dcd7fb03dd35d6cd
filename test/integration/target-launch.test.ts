import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isTrainioError } from '../../src/core/errors';
import { launchTarget } from '../../src/core/target/launch';
import { listTrainingCandidates } from '../../src/core/target/processList';

void test('launching a command that does not exist: LAUNCH_FAILED naming it', () => {
  assert.throws(
    () => launchTarget(['no-such-trainer-xyz', 'train.py']),
    (e) => isTrainioError(e) && e.code === 'LAUNCH_FAILED' && e.message.includes('"no-such-trainer-xyz"'),
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainio-launch-'));
  try {
    const notExecutable = path.join(dir, 'train.sh');
    fs.writeFileSync(notExecutable, 'echo hi\n', { mode: 0o644 });
    assert.throws(
      () => launchTarget([notExecutable]),
      (e) => isTrainioError(e) && e.code === 'LAUNCH_FAILED',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(
    () => launchTarget([]),
    (e) => isTrainioError(e) && e.code === 'USAGE',
  );
});

void test('arguments reach the program as given (no shell), and the exit code comes back', async () => {
  const { child, target, exited } = launchTarget(['printf', '%s|', 'a b', '$HOME', '*'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  assert.equal(target.mode, 'launch');
  assert.equal(target.pid, child.pid);
  assert.deepEqual(target.command, ['printf', '%s|', 'a b', '$HOME', '*']);
  assert.deepEqual(await exited, { code: 0, signal: null });
  assert.equal(out, 'a b|$HOME|*|');
  const failing = launchTarget(['sh', '-c', 'exit 3'], { stdio: 'ignore', cwd: os.tmpdir() });
  assert.equal(failing.target.cwd, os.tmpdir());
  assert.deepEqual(await failing.exited, { code: 3, signal: null });
});

void test('the process picker lists Python first, with start time and CPU use', async () => {
  const busy = spawn('python3', ['-c', 'import time\nt = time.time()\nwhile time.time() - t < 6: pass'], {
    stdio: 'ignore',
  });
  const idle = spawn('sleep', ['6'], { stdio: 'ignore' });
  const spawnedS = Date.now() / 1000;
  try {
    await new Promise((r) => setTimeout(r, 300));
    const list = await listTrainingCandidates();
    const py = list.find((c) => c.pid === busy.pid);
    const sl = list.find((c) => c.pid === idle.pid);
    assert.ok(py && sl, 'both processes are listed');
    assert.equal(py.isPython, true);
    assert.equal(sl.isPython, false);
    assert.ok(list.indexOf(py) < list.indexOf(sl), 'Python first');
    assert.deepEqual(sl.command, ['sleep', '6']);
    assert.ok(Math.abs(py.startedS - spawnedS) < 1, `started ${py.startedS} vs spawned ${spawnedS}`);
    assert.ok((py.cpuPct ?? 0) > 20, `a spinning process uses CPU (${py.cpuPct}%)`);
    assert.ok((sl.cpuPct ?? 100) < 5, `a sleeping one does not (${sl.cpuPct}%)`);
    assert.ok(!list.some((c) => c.pid === process.pid), 'trainio does not list itself');
  } finally {
    busy.kill();
    idle.kill();
  }
});
