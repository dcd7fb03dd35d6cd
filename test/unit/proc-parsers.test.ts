import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  parseChildren,
  parseCmdline,
  parseIo,
  parseSchedstat,
  parseStat,
  parseStatus,
  parseSyscall,
  statusBytes,
} from '../../src/core/proc/procParsers';

void test('parseStat reads the fields after the last parenthesis (comm may hold spaces and parens)', () => {
  const text =
    '4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 1500 0 7 3 120 45 6 2 20 0 3 0 98765 123456789 2500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';
  const s = parseStat(text);
  assert.ok(s);
  assert.equal(s.pid, 4242);
  assert.equal(s.comm, 'my (odd) name');
  assert.equal(s.state, 'S');
  assert.equal(s.ppid, 17);
  assert.equal(s.minorFaults, 1500);
  assert.equal(s.majorFaults, 7);
  assert.equal(s.childMajorFaults, 3);
  assert.equal(s.utime, 120);
  assert.equal(s.stime, 45);
  assert.equal(s.childUtime, 6);
  assert.equal(s.childStime, 2);
  assert.equal(s.numThreads, 3);
  assert.equal(s.startTime, 98765);
  assert.equal(s.rssPages, 2500);
  assert.equal(s.processor, 1);
  assert.equal(parseStat('garbage'), null);
});

void test('parseStat on this process matches what Node knows about it', () => {
  const s = parseStat(fs.readFileSync('/proc/self/stat', 'utf8'));
  assert.ok(s);
  assert.equal(s.pid, process.pid);
  assert.equal(s.ppid, process.ppid);
  assert.equal(s.state, 'R'); // it is running while it reads its own stat
  // rss in pages vs Node's rss in bytes, read back to back: within 10%
  const rss = process.memoryUsage().rss;
  assert.ok(Math.abs(s.rssPages * 4096 - rss) / rss < 0.1, `${s.rssPages * 4096} vs ${rss}`);
});

void test('parseIo: rchar grows by at least the bytes a read returned, syscr by the read calls', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainio-io-'));
  try {
    const file = path.join(dir, 'blob');
    const size = 3 * 1024 * 1024;
    fs.writeFileSync(file, Buffer.alloc(size, 7));
    const before = parseIo(fs.readFileSync('/proc/self/io', 'utf8'));
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(1024 * 1024);
    let reads = 0;
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0) reads++;
    fs.closeSync(fd);
    const after = parseIo(fs.readFileSync('/proc/self/io', 'utf8'));
    assert.ok(before && after);
    const d = after.rchar - before.rchar;
    // the counters' own reads of /proc/self/io add a few hundred bytes
    assert.ok(d >= size && d < size + 64 * 1024, `Δrchar ${d} for ${size} bytes`);
    assert.ok(
      after.syscr - before.syscr >= reads + 1,
      `Δsyscr ${after.syscr - before.syscr}, ${reads + 1} reads`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('parseIo maps every field and rejects text without them', () => {
  const io = parseIo(
    'rchar: 10\nwchar: 20\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 4096\n',
  );
  assert.deepEqual(io, {
    rchar: 10,
    wchar: 20,
    syscr: 3,
    syscw: 4,
    readBytes: 4096,
    writeBytes: 8192,
    cancelledWriteBytes: 4096,
  });
  assert.equal(parseIo('nothing here'), null);
});

void test('parseStatus and statusBytes read kB values; VmRSS agrees with Node within 10%', () => {
  const status = parseStatus(fs.readFileSync('/proc/self/status', 'utf8'));
  assert.equal(Number(status.get('Pid')), process.pid);
  const rss = statusBytes(status, 'VmRSS');
  assert.ok(rss !== null);
  const node = process.memoryUsage().rss;
  assert.ok(Math.abs(rss - node) / node < 0.1, `${rss} vs ${node}`);
  assert.equal(statusBytes(status, 'NoSuchKey'), null);
});

void test('parseSyscall tells running, a blocked call with its first argument, and kernel waits', () => {
  assert.deepEqual(parseSyscall('running\n'), { kind: 'running' });
  assert.deepEqual(parseSyscall('7 0x7ffd5a0 0x1 0x1388 0x0 0x0 0x0 0x7ffd 0x7f00\n'), {
    kind: 'syscall',
    nr: 7,
    arg0: 0x7ffd5a0n,
  });
  assert.deepEqual(parseSyscall('-1 0x7ffd 0x7f00\n'), { kind: 'kernel' });
  assert.equal(parseSyscall('what'), null);
});

void test('parseSyscall on a real process blocked in read(0) shows syscall 0 on fd 0', async () => {
  const { spawn } = await import('node:child_process');
  const cat = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
  try {
    let sc = null;
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      sc = parseSyscall(fs.readFileSync(`/proc/${cat.pid}/syscall`, 'utf8'));
      if (sc?.kind === 'syscall') break;
    }
    assert.deepEqual(sc, { kind: 'syscall', nr: process.arch === 'arm64' ? 63 : 0, arg0: 0n });
  } finally {
    cat.kill();
  }
});

void test('parseChildren, parseSchedstat, parseCmdline', () => {
  assert.deepEqual(parseChildren('12 345 6789 '), [12, 345, 6789]);
  assert.deepEqual(parseChildren(''), []);
  assert.deepEqual(parseSchedstat('1500000 250000 12\n'), { cpuNs: 1500000, runqNs: 250000, slices: 12 });
  assert.equal(parseSchedstat('x'), null);
  assert.deepEqual(parseCmdline('python3\0train.py\0--data\0my dir\0'), [
    'python3',
    'train.py',
    '--data',
    'my dir',
  ]);
  const self = parseCmdline(fs.readFileSync('/proc/self/cmdline', 'utf8'));
  assert.deepEqual(self.slice(1, 1 + process.execArgv.length), process.execArgv);
});

void test('the children file of a real parent lists exactly its live children', () => {
  const r = spawnSync('bash', ['-c', 'sleep 2 & sleep 2 & cat /proc/$$/task/$$/children; kill %1 %2'], {
    encoding: 'utf8',
  });
  assert.equal(parseChildren(r.stdout).length, 3); // two sleeps and cat itself
});
