/**
 * A full disk for real: `trainio record` writes its session into a tiny tmpfs (as root). The CLI
 * must say at once that the file stopped, keep recording in memory, write what it kept when the
 * tmpfs is grown, and say in the end record and the summary exactly what the file holds.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadSession } from '../../src/core/session/sessionReader';
import type { EndRecord, SessionRecord } from '../../src/shared/model';
import { requireTool } from '../support/tools';
import { tempDir } from '../support/workloads';
import { finished, spawnCli, waitFor } from './cliRun';

const INTERVAL_MS = 50;

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** a 64 kB tmpfs with about `freeKb` left; unmounted by the returned cleanup */
function smallDisk(
  t: TestContext,
  freeKb: number,
): { mnt: string; grow: (size: string) => void; done: () => void } {
  const { dir, cleanup } = tempDir('diskfull');
  const mnt = join(dir, 'small');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
  writeFileSync(join(mnt, 'filler'), Buffer.alloc((64 - freeKb) * 1024));
  const done = (): void => {
    try {
      execFileSync('umount', [mnt]);
    } finally {
      cleanup();
    }
  };
  t.after(done);
  return { mnt, grow: (size) => execFileSync('mount', ['-o', `remount,size=${size}`, mnt]), done };
}

function readSessionLines(file: string): { lines: string[]; records: SessionRecord[] } {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return { lines, records: lines.map((l) => JSON.parse(l) as SessionRecord) };
}

function killJob(records: SessionRecord[]): void {
  const header = records[0];
  if (header?.type === 'header') {
    try {
      process.kill(header.target.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

void test('disk full while recording: warned at once, kept in memory, all written when space returns', async (t) => {
  if (!requireTool(t, isRoot(), 'root (to mount a tmpfs)', 'run the test as root')) return;
  const { mnt, grow } = smallDisk(t, 12);
  const out = join(mnt, 's.trainio.jsonl');
  const durationS = 12;
  const child = spawnCli([
    'record',
    '--out',
    out,
    '--interval',
    String(INTERVAL_MS),
    '--duration',
    String(durationS),
    '--',
    'sleep',
    '40',
  ]);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const run = finished(child);
  await waitFor(
    () => /warning: session file stopped at \d+:\d\d — disk full \(ENOSPC\)/.test(stderr),
    15_000,
    `the disk-full warning (stderr: ${stderr})`,
  );
  const sizeAtStop = statSync(out).size;
  // recording goes on in memory for a while: the file cannot grow
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(statSync(out).size, sizeAtStop);
  grow('8m');
  await waitFor(
    () => /session file writing resumed/.test(stderr),
    10_000,
    `the resumed warning (stderr: ${stderr})`,
  );
  const r = await run;
  const { lines, records } = readSessionLines(out);
  killJob(records);
  assert.equal(r.code, 0, r.stderr);
  const end = records.at(-1) as EndRecord;
  assert.equal(end.type, 'end');
  assert.ok(end.file, 'the end record says what the file holds');
  assert.equal(end.file.error, 'ENOSPC');
  assert.equal(end.file.writtenRecords, lines.length, 'the end record counts the lines of the file');
  assert.equal(end.file.lostRecords, 0);
  assert.ok(end.file.stoppedAtS !== undefined && end.file.resumedAtS !== undefined);
  assert.ok(end.file.resumedAtS - end.file.stoppedAtS >= 2.5, JSON.stringify(end.file));
  // the kept records cover the outage: tree samples every 50 ms from start to end, no gap
  const trees = records.filter((x) => x.type === 'tree').map((x) => x.s);
  const gaps = trees.slice(1).map((s, i) => s - trees[i]);
  assert.ok(Math.max(...gaps) < 1, `largest gap between tree samples ${Math.max(...gaps)} s`);
  assert.ok(Math.abs(end.s - durationS) < 0.5, `end at ${end.s} s vs --duration ${durationS}`);
  assert.ok(trees.length > (0.6 * durationS * 1000) / INTERVAL_MS, `${trees.length} tree samples`);
  assert.match(
    r.stdout,
    new RegExp(
      `The session file holds ${lines.length} records: writing stopped at \\d+:\\d\\d — disk full \\(ENOSPC\\), resumed at`,
    ),
  );
  const report = await loadSession(out);
  assert.equal(
    report.notes.some((n) => /damaged|cut short|no end record/.test(n.message)),
    false,
    JSON.stringify(report.notes),
  );
  // the space check warned before recording, then the stop and the resumption
  const fileNotes = report.notes.filter((n) => n.about === 'session-file').map((n) => n.message);
  assert.equal(fileNotes.length, 3, JSON.stringify(fileNotes));
  assert.match(fileNotes[0], /^only \d+(\.\d+)? kB free for the session file/);
});

void test('disk full until the end: the summary says what the file lacks, and the file still reports', async (t) => {
  if (!requireTool(t, isRoot(), 'root (to mount a tmpfs)', 'run the test as root')) return;
  const { mnt } = smallDisk(t, 8);
  const out = join(mnt, 's.trainio.jsonl');
  const r = await finished(
    spawnCli([
      'record',
      '--out',
      out,
      '--interval',
      String(INTERVAL_MS),
      '--duration',
      '5',
      '--',
      'sleep',
      '30',
    ]),
  );
  const text = readFileSync(out, 'utf8');
  killJob([JSON.parse(text.split('\n')[0]) as SessionRecord]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: session file stopped at \d+:\d\d — disk full \(ENOSPC\)/);
  const held = text.split('\n').filter(Boolean).length;
  // the last line may be cut short by the full disk: it is not a record
  const complete = text.endsWith('\n') ? held : held - 1;
  assert.match(
    r.stdout,
    new RegExp(
      `The session file holds ${complete} records: writing stopped at \\d+:\\d\\d — disk full \\(ENOSPC\\), never resumed`,
    ),
  );
  assert.match(r.stdout, /Recorded 5\.\d s/);
  const report = await loadSession(out);
  assert.ok(report.durationS > 0 && report.durationS < 5, `the file covers ${report.durationS} s of 5`);
  assert.equal(report.ended, null);
});
