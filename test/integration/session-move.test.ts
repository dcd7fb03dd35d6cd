/**
 * Moving a session off a full disk for real: `trainio record` writes into a tiny tmpfs (as root);
 * with --fallback-out the session moves to another filesystem once the file has stopped, and the
 * new file holds the whole session. A fallback place that is full too leaves the session where it
 * was, says why, and loses nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { EndRecord, SessionRecord } from '../../src/shared/model';
import { requireTool } from '../support/tools';
import { tempDir } from '../support/workloads';
import { finished, spawnCli, waitFor } from './cliRun';

const INTERVAL_MS = 50;

/** a 64 kB tmpfs with about `freeKb` left, unmounted after the test */
function smallDisk(t: TestContext, freeKb: number): { mnt: string; grow: (size: string) => void } {
  const { dir, cleanup } = tempDir('diskmove');
  const mnt = join(dir, 'small');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
  writeFileSync(join(mnt, 'filler'), Buffer.alloc((64 - freeKb) * 1024));
  t.after(() => {
    try {
      execFileSync('umount', [mnt]);
    } finally {
      cleanup();
    }
  });
  return { mnt, grow: (size) => execFileSync('mount', ['-o', `remount,size=${size}`, mnt]) };
}

function records(file: string): { lines: string[]; records: SessionRecord[] } {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return { lines, records: lines.map((l) => JSON.parse(l) as SessionRecord) };
}

function largestTreeGapS(rs: SessionRecord[]): number {
  const trees = rs.filter((x) => x.type === 'tree').map((x) => x.s);
  return Math.max(...trees.slice(1).map((s, i) => s - trees[i]));
}

function killJob(rs: SessionRecord[]): void {
  const header = rs[0];
  if (header?.type !== 'header') return;
  try {
    process.kill(header.target.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const record = (out: string, fallback: string, durationS: number): ReturnType<typeof spawnCli> =>
  spawnCli([
    'record',
    '--out',
    out,
    '--fallback-out',
    fallback,
    '--fallback-after',
    '1',
    '--interval',
    String(INTERVAL_MS),
    '--duration',
    String(durationS),
    '--',
    'sleep',
    '40',
  ]);

void test('disk full: the session moves to another filesystem and the new file holds all of it', async (t) => {
  if (!requireTool(t, process.getuid?.() === 0, 'root (to mount a tmpfs)', 'run the test as root')) return;
  const { mnt } = smallDisk(t, 12);
  const other = tempDir('moved');
  t.after(other.cleanup);
  const out = join(mnt, 's.trainio.jsonl');
  const fallback = join(other.dir, 'later', 's.trainio.jsonl');
  const durationS = 10;
  const child = record(out, fallback, durationS);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const run = finished(child);
  await waitFor(() => /session moved from /.test(stderr), 20_000, `the move (stderr: ${stderr})`);
  const oldAtMove = readFileSync(out);
  const r = await run;
  const moved = records(fallback);
  killJob(moved.records);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    stderr,
    new RegExp(
      `warning: session moved from ${out} to ${fallback} at \\d+:\\d\\d: the old file stopped at \\d+:\\d\\d`,
    ),
  );
  assert.deepEqual(readFileSync(out), oldAtMove, 'the old file is left as it was');
  assert.ok(
    readFileSync(fallback).subarray(0, oldAtMove.length).equals(oldAtMove),
    'the old content comes first',
  );
  assert.equal(moved.records[0].type, 'header');
  const end = moved.records.at(-1) as EndRecord;
  assert.equal(end.type, 'end');
  assert.ok(end.file);
  assert.equal(
    end.file.writtenRecords,
    moved.lines.length,
    'the end record counts the lines of the new file',
  );
  assert.equal(end.file.lostRecords, 0);
  assert.equal(end.file.path, fallback);
  assert.equal(end.file.movedFrom, out);
  assert.equal(end.file.error, 'ENOSPC');
  assert.ok(largestTreeGapS(moved.records) < 1, `largest gap ${largestTreeGapS(moved.records)} s`);
  assert.ok(Math.abs(end.s - durationS) < 0.5, `end at ${end.s} s vs --duration ${durationS}`);
  assert.match(
    r.stdout,
    new RegExp(
      `The session was moved at \\d+:\\d\\d from ${out} .* to ${fallback}, which holds ${moved.lines.length} records: the whole session\\.`,
    ),
  );
});

void test('the fallback place is full too: the session stays, says why, and loses nothing', async (t) => {
  if (!requireTool(t, process.getuid?.() === 0, 'root (to mount a tmpfs)', 'run the test as root')) return;
  const { mnt, grow } = smallDisk(t, 12);
  const full = smallDisk(t, 2);
  const out = join(mnt, 's.trainio.jsonl');
  const fallback = join(full.mnt, 's.trainio.jsonl');
  const child = record(out, fallback, 8);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const run = finished(child);
  await waitFor(
    () => /could not move the session/.test(stderr),
    20_000,
    `the failed move (stderr: ${stderr})`,
  );
  assert.match(
    stderr,
    new RegExp(
      `could not move the session to ${fallback} — disk full \\(ENOSPC\\); it stays in ${out}; recording goes on in memory`,
    ),
  );
  assert.equal(existsSync(fallback), false, 'nothing is left behind in the full fallback place');
  grow('8m');
  const r = await run;
  const kept = records(out);
  killJob(kept.records);
  assert.equal(r.code, 0, r.stderr);
  const end = kept.records.at(-1) as EndRecord;
  assert.equal(end.type, 'end');
  assert.ok(end.file);
  assert.equal(end.file.path, undefined);
  assert.equal(end.file.writtenRecords, kept.lines.length);
  assert.equal(end.file.lostRecords, 0);
  assert.ok(largestTreeGapS(kept.records) < 1, `largest gap ${largestTreeGapS(kept.records)} s`);
});
