import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { test } from 'node:test';
import { classifyFdLink, FdResolver } from '../../src/core/proc/fdTarget';
import { ProcFile, readProcOnce } from '../../src/core/proc/procFile';
import { parseIo, parseStat } from '../../src/core/proc/procParsers';
import { requireTool } from '../support/tools';

function exited(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

void test('a kept-open ProcFile re-reads fresh values at offset 0', () => {
  const f = new ProcFile('/proc/self/io', 64); // small buffer: must grow
  try {
    const a = f.read();
    assert.ok(a.ok);
    fs.readFileSync('/proc/self/stat'); // some reading in between
    const b = f.read();
    assert.ok(b.ok);
    const ia = parseIo(a.text);
    const ib = parseIo(b.text);
    assert.ok(ia && ib);
    assert.ok(ib.rchar > ia.rchar, 'rchar moved between the two reads');
    assert.ok(ib.syscr >= ia.syscr + 2);
  } finally {
    f.close();
  }
});

void test('a process that exits reads as gone, both kept-open and freshly opened', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid as number;
  const f = new ProcFile(`/proc/${pid}/stat`);
  const first = f.read();
  assert.ok(first.ok);
  assert.equal(parseStat(first.text)?.pid, pid);
  child.kill('SIGKILL');
  await exited(child);
  assert.deepEqual(f.read(), { ok: false, reason: 'gone' });
  assert.deepEqual(readProcOnce(`/proc/${pid}/stat`), { ok: false, reason: 'gone' });
  f.close();
});

void test('another user reading our io file is denied, not gone', (t) => {
  if (process.getuid?.() !== 0) {
    requireTool(t, false, 'root', 'run the tests as root to start a process as another user');
    return;
  }
  // as nobody, read this (root) process's io file through the same code path
  const script = `
    const fs = require('fs');
    try { fs.readFileSync('/proc/${process.pid}/io'); console.log('read'); }
    catch (e) { console.log(e.code); }`;
  const r = spawnSync(
    'setpriv',
    ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', script],
    { encoding: 'utf8' },
  );
  assert.match(r.stdout.trim(), /^(EACCES|EPERM)$/);
});

void test('FdResolver tells pipes, sockets, files and devices apart', async () => {
  const file = fs.openSync(`${os.tmpdir()}/trainio-fd-${process.pid}`, 'w');
  // stdin: a real pipe from `echo`; stdout: Node's stdio pipe (a socketpair); stderr: a file
  const child = spawn('bash', ['-c', 'exec sleep 30 < <(echo)'], { stdio: ['ignore', 'pipe', file] });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const fds = new FdResolver(child.pid as number);
    assert.equal(fds.resolve(0)?.kind, 'pipe');
    assert.equal(fds.resolve(1)?.kind, 'socket');
    assert.equal(fds.resolve(2)?.path, `${os.tmpdir()}/trainio-fd-${process.pid}`);
    assert.equal(fds.resolve(2)?.kind, 'file');
    assert.equal(fds.resolve(99), null);
  } finally {
    child.kill();
    fs.closeSync(file);
    fs.rmSync(`${os.tmpdir()}/trainio-fd-${process.pid}`, { force: true });
  }
  assert.equal(classifyFdLink('/dev/null'), 'device');
  assert.equal(classifyFdLink('anon_inode:[eventpoll]'), 'anon');
});
