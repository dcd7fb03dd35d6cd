/**
 * System-wide counters, GPU sampling and the environment description, against what the kernel and
 * Node report directly.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { DiskCounters, parseDiskstats, physicalDisks } from '../../src/core/system/diskCounters';
import { collectEnvironment } from '../../src/core/system/envInfo';
import { GpuSampler, parseGpuLine } from '../../src/core/system/gpuSampler';
import { SystemSampler } from '../../src/core/system/systemSampler';
import { sourceHarness } from '../support/sourceHarness';
import { requireTool } from '../support/tools';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

void test('diskstats: whole physical disks only, in 512-byte sectors', () => {
  const text = [
    ' 253       0 vda 1000 0 2048 0 500 0 4096 0 0 0 0',
    ' 253       1 vda1 900 0 2000 0 400 0 4000 0 0 0 0',
    '   7       0 loop0 10 0 80 0 0 0 0 0 0 0 0',
  ].join('\n');
  assert.deepEqual(parseDiskstats(text, new Set(['vda'])), { readBytes: 2048 * 512, writeBytes: 4096 * 512 });
  for (const d of physicalDisks()) assert.ok(!/^(loop|zram|ram|dm-)/.test(d), d);
});

void test('disk write counters follow an fsync-ed write', (t) => {
  const disks = new DiskCounters();
  if (disks.read() === null || physicalDisks().size === 0) {
    requireTool(t, false, 'a physical disk in /sys/block', 'run on a machine with a block device');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainio-disk-'));
  try {
    const size = 16 * 1024 * 1024;
    const before = disks.read();
    const fd = fs.openSync(path.join(dir, 'blob'), 'w');
    fs.writeSync(fd, Buffer.alloc(size, 3));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    const after = disks.read();
    assert.ok(before && after);
    const written = after.writeBytes - before.writeBytes;
    // the write reaches the disk; other processes may write at the same time (upper bound loose)
    assert.ok(written >= size * 0.95, `${written} bytes written for ${size}`);
    assert.ok(written < size * 4, `${written} bytes written for ${size}`);
  } finally {
    disks.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('system sampler: memory as /proc/meminfo says, CPU load up while a core spins', async () => {
  const h = sourceHarness({ treeIntervalMs: 250 });
  const sampler = new SystemSampler();
  const spin = spawn(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 3000) {}'], {
    stdio: 'ignore',
  });
  try {
    await sampler.start(h.ctx);
    await sleep(2600);
  } finally {
    await sampler.stop();
    spin.kill();
  }
  const records = h.of('system');
  assert.ok(records.length >= 2 && records.length <= 3, `${records.length} records in 2.6 s at 1 Hz`);
  const meminfo = fs.readFileSync('/proc/meminfo', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1]) * 1024;
  const last = records[records.length - 1];
  assert.equal(last.memTotalBytes, kb('MemTotal'));
  assert.ok(Math.abs(last.memAvailableBytes - kb('MemAvailable')) / kb('MemTotal') < 0.05);
  assert.ok(Math.abs(last.pageCacheBytes - kb('Cached')) / kb('MemTotal') < 0.05);
  // one spinning process on a machine of N cores is ≥ 100/N % of the load
  assert.ok(last.cpuPct >= 100 / os.cpus().length - 10, `cpu ${last.cpuPct}%`);
  assert.ok(last.diskReadBytes >= 0 && last.diskWriteBytes >= 0);
});

void test('GPU line parsing', () => {
  assert.deepEqual(parseGpuLine('0, 87, 1536'), { index: 0, utilPct: 87, memUsedBytes: 1536 * 1024 * 1024 });
  assert.equal(parseGpuLine('[N/A], 5, 3'), null);
  assert.equal(parseGpuLine(''), null);
});

void test('without nvidia-smi: one info note, no GPU records', async () => {
  const h = sourceHarness();
  const sampler = new GpuSampler('/nonexistent/nvidia-smi');
  sampler.start(h.ctx);
  await sampler.stop();
  assert.equal(h.of('gpu').length, 0);
  assert.deepEqual(
    h.of('note').map((n) => n.level),
    ['info'],
  );
});

void test('with an nvidia-smi: one long-running query process, one record per GPU line, stopped on stop', async () => {
  // No GPU here: a stand-in executable prints what `nvidia-smi --query-gpu=… -lms N` prints
  // (two GPUs every N ms) so the process handling and parsing run for real.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainio-gpu-'));
  try {
    const fake = path.join(dir, 'nvidia-smi');
    fs.writeFileSync(
      fake,
      `#!/bin/sh\necho "$@" > ${dir}/args\necho $$ > ${dir}/pid\nwhile true; do echo "0, 40, 1000"; echo "1, 90, 2000"; sleep 0.2; done\n`,
      { mode: 0o755 },
    );
    const h = sourceHarness();
    const sampler = new GpuSampler(fake, 200);
    sampler.start(h.ctx);
    await sleep(700);
    await sampler.stop();
    const gpus = h.of('gpu');
    assert.ok(gpus.length >= 4, `${gpus.length} records`);
    assert.deepEqual(
      gpus.slice(0, 2).map((g) => [g.index, g.utilPct, g.memUsedBytes]),
      [
        [0, 40, 1000 * 1024 * 1024],
        [1, 90, 2000 * 1024 * 1024],
      ],
    );
    assert.equal(
      fs.readFileSync(path.join(dir, 'args'), 'utf8').trim(),
      '--query-gpu=index,utilization.gpu,memory.used --format=csv,noheader,nounits -lms 200',
    );
    const pid = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8'));
    await sleep(100);
    assert.ok(
      !fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'),
      'the query process is gone',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('environment: host, kernel, CPUs, memory and disks as the system reports them', async () => {
  const env = await collectEnvironment();
  assert.equal(env.host, os.hostname());
  assert.equal(env.kernel, os.release());
  assert.equal(env.cpus, os.cpus().length);
  assert.equal(env.memBytes, os.totalmem());
  const lsblk = spawnSync('lsblk', ['-bdno', 'NAME,SIZE,TYPE'], { encoding: 'utf8' });
  if (lsblk.status === 0) {
    const disks = lsblk.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[2] === 'disk' && Number(f[1]) > 0);
    for (const [name, size] of disks) {
      const d = env.disks?.find((x) => x.name === name);
      assert.ok(d, `disk ${name} listed`);
      assert.equal(d.sizeBytes, Number(size));
    }
  }
  const smi = spawnSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8' });
  if (smi.status === 0)
    assert.deepEqual(
      env.gpus,
      smi.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim()),
    );
  else assert.equal(env.gpus, undefined, 'no nvidia-smi: no GPU names');
});
