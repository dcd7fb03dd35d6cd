/**
 * How sessions are named and listed: script, start, duration, stall; newest first with one row per
 * file; readable paths; and what a session file says about itself from its first and last lines
 * (a real file written by the session writer's record format).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { peekSession, peekSessionsIn } from '../../src/core/session/sessionPeek';
import {
  durationText,
  newestFirst,
  readablePath,
  sessionName,
  startText,
} from '../../src/extension/sessions/sessionNames';

const NOW = new Date(2026, 11, 1, 15, 0, 0);

void test('durations and start times read as a person says them', () => {
  assert.equal(durationText(42.4), '42 s');
  assert.equal(durationText(130), '2 min 10 s');
  assert.equal(durationText(3 * 3600 + 5 * 60), '3 h 05 min');
  assert.equal(durationText(2 * 86400 + 4 * 3600 + 59), '2 d 4 h');
  assert.equal(startText(new Date(2026, 11, 1, 14, 3).toISOString(), NOW), '14:03');
  assert.equal(startText(new Date(2026, 10, 28, 9, 7).toISOString(), NOW), 'Nov 28 09:07');
  assert.equal(startText(new Date(2025, 0, 2, 9, 7).toISOString(), NOW), '2025-01-02 09:07');
  assert.equal(startText('not a date', NOW), '');
});

void test('a session is named by script, start, duration and stall', () => {
  const base = {
    file: '/s/a.jsonl',
    script: 'train.py',
    startedAt: new Date(2026, 11, 1, 14, 3).toISOString(),
  };
  assert.deepEqual(
    sessionName({ ...base, durationS: 130, stallPct: 23.4, stallMethod: 'exact', live: false }, NOW),
    {
      label: 'train.py',
      description: '14:03 · 2 min 10 s · stall 23%',
    },
  );
  assert.equal(
    sessionName({ ...base, durationS: 5, stallPct: 7.6, stallMethod: 'estimated', live: true }, NOW)
      .description,
    '14:03 · recording 5 s · stall 8% (est.)',
  );
  assert.equal(sessionName({ ...base, stallPct: null, live: false }, NOW).description, '14:03');
});

void test('lists: one row per file (the first seen wins), newest first', () => {
  const rows = [
    { file: '/s/old.jsonl', startedAt: '2026-12-01T10:00:00Z', from: 'open' },
    { file: '/s/new.jsonl', startedAt: '2026-12-01T12:00:00Z', from: 'open' },
    { file: '/s/./old.jsonl', startedAt: '2026-12-01T10:00:00Z', from: 'disk' },
    { file: '/s/mid.jsonl', startedAt: '2026-12-01T11:00:00Z', from: 'disk' },
  ];
  const listed = newestFirst(rows, (f) => f.replace('/./', '/'));
  assert.deepEqual(
    listed.map((r) => [r.file, r.from]),
    [
      ['/s/new.jsonl', 'open'],
      ['/s/mid.jsonl', 'disk'],
      ['/s/old.jsonl', 'open'],
    ],
  );
});

void test('paths: ~ for home, the bare name inside the sessions folder', () => {
  assert.equal(readablePath('/home/u/runs/a.jsonl', '/home/u', '/st/sessions'), '~/runs/a.jsonl');
  assert.equal(readablePath('/st/sessions/a.jsonl', '/home/u', '/st/sessions/'), 'a.jsonl');
  assert.equal(readablePath('/data/a.jsonl', '/home/u'), '/data/a.jsonl');
  assert.equal(readablePath('/home/user2/a', '/home/u'), '/home/user2/a', 'a prefix is not a parent');
});

void test('a session file peeked: header and end, without reading it all; other files are skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-peek-'));
  try {
    const header = {
      type: 'header',
      schema: 'trainio.recording/1',
      startedAtMs: 1_796_000_000_000,
      target: { mode: 'launch', pid: 42, command: ['python3', '/w/train.py', '--x', '1'] },
    };
    const tree = { type: 'tree', s: 1, pids: [42] };
    const padding = Array.from({ length: 2000 }, () => JSON.stringify(tree)).join('\n');
    const end = { type: 'end', s: 61.5, reason: 'exited', exitCode: 2, stderrTail: 'x: error: y' };
    writeFileSync(join(dir, 'a.jsonl'), `${JSON.stringify(header)}\n${padding}\n${JSON.stringify(end)}\n`);
    writeFileSync(join(dir, 'live.jsonl'), `${JSON.stringify({ ...header, startedAtMs: 1 })}\n${padding}\n`);
    writeFileSync(join(dir, 'notes.jsonl'), '{"hello": 1}\n');
    writeFileSync(join(dir, 'other.txt'), 'x');
    const a = peekSession(join(dir, 'a.jsonl'));
    assert.equal(a?.startedAtMs, 1_796_000_000_000);
    assert.deepEqual(a?.command, ['python3', '/w/train.py', '--x', '1']);
    assert.equal(a?.durationS, 61.5);
    assert.equal(a?.ended?.exitCode, 2);
    const all = peekSessionsIn(dir).map((p) => [p.file.slice(dir.length + 1), p.durationS]);
    assert.deepEqual(all.sort(), [
      ['a.jsonl', 61.5],
      ['live.jsonl', undefined],
    ]);
    // a file with no end (still written, or cut off) reaches as far as its last record
    assert.equal(peekSession(join(dir, 'live.jsonl'))?.recordedS, 1);
    assert.equal(a?.recordedS, 61.5);
    assert.deepEqual(peekSessionsIn(join(dir, 'absent')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
