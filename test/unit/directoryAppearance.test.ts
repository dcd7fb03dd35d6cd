/**
 * Folders that do not exist yet: the walk up to the nearest existing parent, the one-line errors for
 * paths that can never become a directory, and the wait that follows the levels as a real mkdir
 * creates them, with one inotify watch at a time.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { directoryState, whenDirectoryAppears } from '../../src/core/dataset/directoryAppearance';
import { isTrainioError } from '../../src/core/errors';
import { hasCommand, requireTool } from '../support/tools';
import { tempDir } from '../support/workloads';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** inotify watches this process holds now (every fs.watch is one) */
function inotifyWatches(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target = '';
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== 'anon_inode:inotify') continue;
    n += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('inotify wd:')).length;
  }
  return n;
}

function oneLineError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isTrainioError(e), String(e));
    assert.equal(e.code, 'DIR_NOT_FOUND');
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, pattern);
    return true;
  });
}

void test('the walk up: present, missing levels below the nearest existing parent', () => {
  const { dir, cleanup } = tempDir('appear-walk');
  try {
    assert.deepEqual(directoryState(dir), { kind: 'present', path: dir });
    assert.deepEqual(directoryState(join(dir, 'a', 'b', 'c')), {
      kind: 'missing',
      path: join(dir, 'a', 'b', 'c'),
      parent: dir,
      missing: ['a', 'b', 'c'],
    });
    mkdirSync(join(dir, 'a'));
    const s = directoryState(join(dir, 'a', 'b', 'c', '..', 'c'));
    assert.equal(s.kind, 'missing');
    assert.equal(s.kind === 'missing' && s.parent, join(dir, 'a'));
    assert.deepEqual(s.kind === 'missing' && s.missing, ['b', 'c']);
  } finally {
    cleanup();
  }
});

void test('a path that can never be a directory is a one-line error naming what is in the way', () => {
  const { dir, cleanup } = tempDir('appear-file');
  try {
    const file = join(dir, 'weights.pt');
    writeFileSync(file, 'x');
    oneLineError(() => directoryState(file), new RegExp(`^${file} is not a directory$`));
    oneLineError(
      () => directoryState(join(file, 'ckpt', 'a')),
      new RegExp(
        `^no directory at ${file}/ckpt/a, and none can be created there: ${file} is not a directory$`,
      ),
    );
  } finally {
    cleanup();
  }
});

void test('a parent trainio may not read is a one-line error (checked as an ordinary user)', (t) => {
  const asUser = process.getuid?.() === 0;
  if (
    !requireTool(t, !asUser || hasCommand('setpriv', ['--version']), 'setpriv', 'apt-get install util-linux')
  )
    return;
  const { dir, cleanup } = tempDir('appear-perm');
  try {
    chmodSync(dir, 0o755);
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o700 });
    chmodSync(locked, 0o300); // writable and searchable by its owner, not readable
    const target = join(locked, 'ckpt');
    const probe = `const m = require(${JSON.stringify(join(__dirname, '../../src/core/dataset/directoryAppearance.ts'))});
      try { m.directoryState(${JSON.stringify(target)}); console.log('no error'); } catch (e) { console.log(e.message); }`;
    const node = [process.execPath, '--import', 'tsx', '-e', probe];
    // as root every directory is readable: the check then runs as nobody, who may not read `locked`
    const r = asUser
      ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...node], {
          encoding: 'utf8',
          cwd: join(__dirname, '..', '..'),
        })
      : spawnSync(node[0] as string, node.slice(1), { encoding: 'utf8', cwd: join(__dirname, '..', '..') });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout.trim(),
      `no directory at ${target}, and trainio cannot watch for it: ${locked} is not readable`,
    );
  } finally {
    chmodSync(join(dir, 'locked'), 0o700);
    cleanup();
  }
});

void test('waits level by level with one watch, and sees nested levels made at once', async () => {
  const { dir, cleanup } = tempDir('appear-wait');
  try {
    const before = inotifyWatches();
    const stop = new AbortController();
    const target = join(dir, 'run', 'a', 'b', 'c');
    const t0 = Date.now();
    const waiting = whenDirectoryAppears(target, stop.signal);
    let resolvedAt = 0;
    void waiting.then(() => (resolvedAt = Date.now()));
    await sleep(100);
    assert.equal(inotifyWatches() - before, 1, 'one watch on the nearest existing parent');
    // unrelated names in the watched parent do not end the wait
    writeFileSync(join(dir, 'other.txt'), 'x');
    mkdirSync(join(dir, 'run'));
    await sleep(150);
    assert.equal(resolvedAt, 0);
    assert.equal(inotifyWatches() - before, 1, 'the watch moved down to run/, it did not add one');
    mkdirSync(join(dir, 'run', 'a', 'b', 'c'), { recursive: true }); // makedirs: three levels at once
    const madeAt = Date.now();
    assert.equal(await waiting, 'appeared');
    assert.ok(resolvedAt - madeAt < 200, `seen ${resolvedAt - madeAt} ms after it was made`);
    assert.ok(resolvedAt - t0 >= 250);
    await sleep(20);
    assert.equal(inotifyWatches() - before, 0, 'no watch left once it appeared');
  } finally {
    cleanup();
  }
});

void test('stopping ends the wait; a file made in the path ends it with the error', async () => {
  const { dir, cleanup } = tempDir('appear-stop');
  try {
    const before = inotifyWatches();
    const stop = new AbortController();
    const waiting = whenDirectoryAppears(join(dir, 'never'), stop.signal);
    await sleep(50);
    stop.abort();
    assert.equal(await waiting, 'stopped');
    assert.equal(inotifyWatches() - before, 0, 'the watch is closed');

    const blocked = whenDirectoryAppears(join(dir, 'x', 'ckpt'), new AbortController().signal);
    await sleep(50);
    writeFileSync(join(dir, 'x'), 'not a folder');
    await assert.rejects(blocked, /x is not a directory/);
    assert.equal(
      await whenDirectoryAppears(dir, new AbortController().signal),
      'appeared',
      'already there: at once',
    );
  } finally {
    cleanup();
  }
});
