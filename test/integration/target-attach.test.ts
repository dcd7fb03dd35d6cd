/**
 * Attaching to a process: a PID that does not exist, a process of another user (checked from both
 * sides: root may attach to anyone, another user may not attach to root's process), and a target
 * that exits while it is being sampled.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildSync } from 'esbuild';
import { isTrainioError } from '../../src/core/errors';
import { TreeSampler } from '../../src/core/proc/treeSampler';
import { StallSampler } from '../../src/core/stall/stallSampler';
import { validateAttachTarget } from '../../src/core/target/attach';
import { sourceHarness } from '../support/sourceHarness';
import { hasCommand, requireTool } from '../support/tools';

const isRoot = process.getuid?.() === 0;

function unusedPid(): number {
  const max = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  for (let pid = max - 1; pid > 1; pid--) if (!fs.existsSync(`/proc/${pid}`)) return pid;
  throw new Error('no free pid');
}

void test('a PID that does not exist: PID_NOT_FOUND, one line that says what to check', () => {
  const pid = unusedPid();
  assert.throws(
    () => validateAttachTarget(pid),
    (e) =>
      isTrainioError(e) &&
      e.code === 'PID_NOT_FOUND' &&
      e.message === `no process with PID ${pid} — is the training still running?`,
  );
  assert.throws(
    () => validateAttachTarget(-3),
    (e) => isTrainioError(e) && e.code === 'USAGE',
  );
});

void test('root may attach to another user’s process and gets its command and directory', (t) => {
  if (!requireTool(t, isRoot, 'root', 'run the tests as root to start a process as another user')) return;
  if (!requireTool(t, hasCommand('setpriv', ['--version']), 'setpriv', 'apt-get install util-linux')) return;
  const child = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'sleep', '30'], {
    cwd: '/tmp',
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 3000;
    let target = validateAttachTarget(child.pid as number);
    while (target.command.join(' ') !== 'sleep 30' && Date.now() < deadline)
      target = validateAttachTarget(child.pid as number);
    assert.deepEqual(target, { mode: 'attach', pid: child.pid, command: ['sleep', '30'], cwd: '/tmp' });
  } finally {
    child.kill();
  }
});

void test('another user cannot attach to root’s process: PID_NOT_OURS names the owner', (t) => {
  if (!isRoot) {
    requireTool(t, false, 'root', 'run the tests as root to run trainio as another user');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainio-attach-'));
  try {
    fs.chmodSync(dir, 0o755);
    const entry = path.join(dir, 'entry.ts');
    fs.writeFileSync(
      entry,
      `import { validateAttachTarget } from ${JSON.stringify(path.resolve('src/core/target/attach'))};
       try { validateAttachTarget(Number(process.argv[2])); console.log(JSON.stringify({ ok: true })); }
       catch (e) { console.log(JSON.stringify({ code: (e as { code: string }).code, message: (e as Error).message })); }`,
    );
    buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      outfile: path.join(dir, 'attach.js'),
      logLevel: 'error',
    });
    fs.chmodSync(path.join(dir, 'attach.js'), 0o644);
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        process.execPath,
        path.join(dir, 'attach.js'),
        String(process.pid),
      ],
      { encoding: 'utf8' },
    );
    const out = JSON.parse(r.stdout) as { code?: string; message?: string };
    assert.equal(out.code, 'PID_NOT_OURS', r.stdout + r.stderr);
    assert.match(
      out.message ?? '',
      new RegExp(`^process ${process.pid} \\(.+\\) belongs to user root: run trainio as root`),
    );
    assert.ok(!(out.message ?? '').includes('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('a target that exits mid-session: the samplers notice, end, and keep what they recorded', async () => {
  // reads a 1 MB file 40 times over ≈ 1 s, then exits
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainio-exit-'));
  try {
    fs.writeFileSync(path.join(dir, 'blob'), Buffer.alloc(1 << 20, 1));
    // it prints its own rchar before the loop: what the interpreter read to start up
    const script = `import time\nprint(open('/proc/self/io').read().split()[1], flush=True)\nfor i in range(40):\n    open(${JSON.stringify(path.join(dir, 'blob'))}, 'rb').read()\n    time.sleep(0.025)\n`;
    const h = sourceHarness({ treeIntervalMs: 100, stallWindowMs: 500 });
    const child = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    let startup = '';
    child.stdout.on('data', (d: Buffer) => (startup += d.toString()));
    const tree = new TreeSampler(child.pid as number);
    const stall = new StallSampler(child.pid as number);
    tree.start(h.ctx);
    stall.start(h.ctx);
    const exitedAt = await new Promise<number>((resolve) => child.once('exit', () => resolve(h.ctx.now())));
    await tree.rootExited;
    const trees = h.of('tree');
    assert.ok(trees.length >= 5, `${trees.length} tree samples while it ran`);
    assert.ok(trees[trees.length - 1].s <= exitedAt + 0.01, 'no tree sample after the exit');
    // truth: start-up reads + 40 × 1 MiB; the last sample may miss the reads of its last 100 ms
    const total = Number(startup.trim()) + 40 * (1 << 20);
    const read = trees[trees.length - 1].io.rchar;
    assert.ok(
      read <= total + 64 * 1024 && read >= total - 6 * (1 << 20),
      `rchar ${read}, truth at exit ${total}`,
    );
    assert.ok(h.of('proc').some((p) => p.event === 'exit' && p.pid === child.pid));
    await new Promise((r) => setTimeout(r, 100));
    const windows = h.of('stall');
    assert.ok(windows.length >= 2, 'the stall sampler closed its windows when the thread went away');
    assert.ok(windows[windows.length - 1].s <= exitedAt + 0.1);
    const count = h.records.length;
    await tree.stop();
    await stall.stop();
    assert.equal(h.records.length, count, 'stopping after the end adds nothing');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('a process whose command line reads empty (a kernel thread, or a job exiting): the command the launcher knows, else its name', (t) => {
  if (!requireTool(t, isRoot, 'root', "run the tests as root (a kernel thread's I/O counters)")) return;
  // kthreadd (PID 2): alive, its counters readable by root, its cmdline empty — as a job's is once
  // it is exiting (its memory released) while its stat still names it
  assert.equal(fs.readFileSync('/proc/2/cmdline', 'utf8'), '');
  const comm = fs.readFileSync('/proc/2/comm', 'utf8').trim();
  assert.deepEqual(validateAttachTarget(2).command, [comm]);
  assert.deepEqual(validateAttachTarget(2, ['python3', 'train.py', '--x']).command, [
    'python3',
    'train.py',
    '--x',
  ]);
  // a readable command line wins over what the launcher says
  const own = validateAttachTarget(process.pid).command;
  assert.ok(own.length > 1 && own[0] !== 'python3');
  assert.deepEqual(validateAttachTarget(process.pid, ['python3', 'x.py']).command, own);
});
