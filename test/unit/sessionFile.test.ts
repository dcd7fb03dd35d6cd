import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SessionAnalyzer } from '../../src/core/analysis/sessionAnalyzer';
import { isTrainioError } from '../../src/core/errors';
import { loadSession, readRecords } from '../../src/core/session/sessionReader';
import { SessionWriter } from '../../src/core/session/sessionWriter';
import type { SessionRecord } from '../../src/shared/model';
import { tempDir } from '../support/workloads';

function records(): SessionRecord[] {
  const out: SessionRecord[] = [
    {
      type: 'header',
      schema: 'trainio.recording/1',
      startedAtMs: 1_700_000_000_000,
      target: { mode: 'launch', pid: 7, command: ['python3', 'train.py'] },
      datasets: ['/data'],
      checkpoints: ['/ck'],
      intervalMs: 250,
      hook: true,
      env: { host: 'h', kernel: 'k', cpus: 2, memBytes: 8e9 },
    },
    {
      type: 'dataset',
      s: 0.2,
      path: '/data',
      files: 10,
      bytes: 10e6,
      dirs: 1,
      histogram: [
        { le: 1e6, count: 10, bytes: 10e6 },
        { le: Infinity, count: 0, bytes: 0 },
      ],
      largestDirs: [],
      indexS: 0.01,
      partial: false,
    },
  ];
  for (let i = 1; i <= 40; i++) {
    out.push({
      type: 'tree',
      s: i * 0.25,
      pids: [7],
      io: { rchar: i * 1e6, wchar: 0, readBytes: 0, writeBytes: 0, majorFaults: 0 },
      cpuS: i * 0.2,
      rssBytes: 1e8,
      workers: 2,
    });
    if (i % 8 === 0) {
      out.push({
        type: 'stall',
        s: i * 0.25,
        windowS: 2,
        method: 'exact',
        waitS: 0.5,
        loopS: 2,
        confidence: 'high',
      });
    }
  }
  out.push({ type: 'epochMark', s: 0.5, source: 'hook', loaderId: 0 });
  out.push({ type: 'end', s: 10.1, reason: 'exited', exitCode: 0, signal: null });
  return out;
}

async function writeSession(file: string, recs: SessionRecord[]): Promise<void> {
  const w = SessionWriter.create(file);
  for (const r of recs) w.write(r);
  await w.close();
}

async function rejectsWith(p: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isTrainioError(e), String(e));
    assert.equal(e.code, code);
    assert.match(e.message, text);
    assert.equal(e.message.includes('\n'), false);
    return true;
  });
}

void test('a reopened session gives exactly the report of the live records', async () => {
  const { dir, cleanup } = tempDir('session-roundtrip');
  try {
    const file = join(dir, 's.trainio.jsonl');
    const recs = records();
    await writeSession(file, recs);
    const live = new SessionAnalyzer();
    for (const r of recs) live.add(r);
    assert.deepEqual(await loadSession(file), live.report());
  } finally {
    cleanup();
  }
});

void test('non-finite numbers are written as null (the last histogram bucket)', async () => {
  const { dir, cleanup } = tempDir('session-null');
  try {
    const file = join(dir, 's.jsonl');
    await writeSession(file, records());
    const text = readFileSync(file, 'utf8');
    assert.equal(/NaN|Infinity/.test(text), false);
    assert.ok(text.includes('{"le":null,"count":0,"bytes":0}'));
    const [, ds] = text.split('\n');
    assert.equal(JSON.parse(ds).histogram[1].le, null);
  } finally {
    cleanup();
  }
});

void test('records reach the file within the flush interval while the writer is open', async () => {
  const { dir, cleanup } = tempDir('session-flush');
  const file = join(dir, 's.jsonl');
  const w = SessionWriter.create(file);
  try {
    const [header, ds] = records();
    w.write(header);
    w.write(ds);
    await new Promise((r) => setTimeout(r, 650));
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, 2);
  } finally {
    await w.close();
    cleanup();
  }
});

void test('a truncated last line is tolerated and noted', async () => {
  const { dir, cleanup } = tempDir('session-trunc');
  try {
    const file = join(dir, 's.jsonl');
    const recs = records().filter((r) => r.type !== 'end');
    await writeSession(file, recs);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text + '{"type":"tree","s":10.25,"pids":[7],"io":{"rch');
    const report = await loadSession(file);
    assert.equal(report.durationS, 10);
    assert.equal(report.ended, null);
    assert.ok(
      report.notes.some((n) => /cut short at line \d+/.test(n.message)),
      JSON.stringify(report.notes),
    );
  } finally {
    cleanup();
  }
});

void test('bad files are one-line errors: missing, not a session, corrupt in the middle under strict (with its line)', async () => {
  const { dir, cleanup } = tempDir('session-bad');
  try {
    await rejectsWith(loadSession(join(dir, 'nope.jsonl')), 'SESSION_NOT_FOUND', /no session file at/);
    const notSession = join(dir, 'x.json');
    writeFileSync(notSession, '{"hello": 1}\n{"type":"tree"}\n');
    await rejectsWith(loadSession(notSession), 'SESSION_CORRUPT', /line 1: not a trainio session/);
    const text = join(dir, 'readme.txt');
    writeFileSync(text, 'hello world\nsecond line\n');
    await rejectsWith(loadSession(text), 'SESSION_CORRUPT', /line 1: not a trainio session/);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    await rejectsWith(loadSession(empty), 'SESSION_CORRUPT', /empty/);
    const corrupt = join(dir, 'corrupt.jsonl');
    await writeSession(corrupt, records());
    const lines = readFileSync(corrupt, 'utf8').split('\n');
    lines[5] = lines[5].slice(0, 20) + '#garbage';
    writeFileSync(corrupt, lines.join('\n'));
    await rejectsWith(loadSession(corrupt, { strict: true }), 'SESSION_CORRUPT', /line 6: invalid JSON/);
    const salvaged = await loadSession(corrupt);
    assert.ok(
      salvaged.notes.some((n) =>
        /1 damaged line was skipped \(line 6; first: invalid JSON\)/.test(n.message),
      ),
      JSON.stringify(salvaged.notes),
    );
    await rejectsWith(loadSession(dir), 'SESSION_NOT_FOUND', /is a folder/);
  } finally {
    cleanup();
  }
});

void test('readRecords yields the header first and every record with its line number', async () => {
  const { dir, cleanup } = tempDir('session-read');
  try {
    const file = join(dir, 's.jsonl');
    const recs = records();
    await writeSession(file, recs);
    const seen: number[] = [];
    let first: string | undefined;
    for await (const { record, line } of readRecords(file)) {
      first ??= record.type;
      seen.push(line);
    }
    assert.equal(first, 'header');
    assert.deepEqual(
      seen,
      recs.map((_, i) => i + 1),
    );
  } finally {
    cleanup();
  }
});
