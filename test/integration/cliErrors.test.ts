/**
 * Bad input and bad endings through the real CLI: each is one clear `trainio:` line on stderr, a
 * non-zero exit code and no stack trace; whatever was recorded stays readable.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSession } from '../../src/core/session/sessionReader';
import { inCI } from '../support/tools';
import { tempDir } from '../support/workloads';
import { assertOneLineFailure, cliArgv, finished, runCli, sessionHeader, spawnCli, waitFor } from './cliRun';

/** a PID that is not running */
function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) if (!existsSync(`/proc/${pid}`)) return pid;
}

function lines(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

void test('a PID that does not exist', async () => {
  const { dir, cleanup } = tempDir('cli-nopid');
  try {
    const pid = deadPid();
    const r = await runCli(['record', '--out', join(dir, 's.jsonl'), '--pid', String(pid)]);
    assertOneLineFailure(r, 1, new RegExp(`no process with PID ${pid}`));
    assert.equal(existsSync(join(dir, 's.jsonl')), false);
  } finally {
    cleanup();
  }
});

void test("another user's process", async (t) => {
  // trainio runs as user nobody and is pointed at one of root's processes: its I/O counters are
  // not readable, which is what attaching to a colleague's job looks like
  if (process.getuid?.() !== 0) {
    const message = 'needs root to run trainio as another user (setpriv)';
    if (inCI) throw new Error(`CI=true and the test ${message}`);
    t.skip(message);
    return;
  }
  const { dir, cleanup } = tempDir('cli-otheruser');
  chmodSync(dir, 0o777);
  const mine = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const asNobody = spawn(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        process.execPath,
        ...cliArgv(),
        'record',
        '--out',
        join(dir, 's.jsonl'),
        '--pid',
        String(mine.pid),
      ],
      { cwd: dir, env: { ...process.env, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    assertOneLineFailure(
      await finished(asNobody),
      1,
      new RegExp(`process ${mine.pid} \\(sleep\\) belongs to user root`),
    );
  } finally {
    mine.kill('SIGKILL');
    cleanup();
  }
});

void test('a dataset or checkpoint folder that can never exist (a file is in the way)', async () => {
  const { dir, cleanup } = tempDir('cli-nodir');
  try {
    const file = join(dir, 'data.tar');
    writeFileSync(file, 'x');
    const missing = join(file, 'nope');
    const r = await runCli([
      'record',
      '--out',
      join(dir, 's.jsonl'),
      '--dataset',
      missing,
      '--',
      'sleep',
      '5',
    ]);
    assertOneLineFailure(r, 1, new RegExp(`no directory at ${missing}, and none can be created there`));
    const c = await runCli([
      'record',
      '--out',
      join(dir, 's.jsonl'),
      '--checkpoints',
      file,
      '--pid',
      String(process.pid),
    ]);
    assertOneLineFailure(c, 1, new RegExp(`${file} is not a directory`));
  } finally {
    cleanup();
  }
});

void test('a command that cannot be started', async () => {
  const { dir, cleanup } = tempDir('cli-nocmd');
  try {
    const r = await runCli(['record', '--out', join(dir, 's.jsonl'), '--', join(dir, 'no-such-program')]);
    assertOneLineFailure(r, 1, /cannot run ".*no-such-program": command not found/);
  } finally {
    cleanup();
  }
});

void test('the job killed mid-session: the session ends cleanly with what was recorded', async () => {
  const { dir, cleanup } = tempDir('cli-killed');
  try {
    const file = join(dir, 's.jsonl');
    const rec = spawnCli(['record', '--out', file, '--', 'sleep', '30']);
    const done = finished(rec);
    await waitFor(() => lines(file) >= 4, 15_000, 'records');
    const pid = sessionHeader(file).target.pid;
    process.kill(pid, 'SIGKILL');
    const r = await done;
    assertOneLineFailure(r, 1, /the job was killed by SIGKILL after \d+\.\d s/);
    const report = await loadSession(file);
    assert.equal(report.ended?.reason, 'exited');
    assert.equal(report.ended?.signal, 'SIGKILL');
    assert.ok(report.durationS > 0.5);
  } finally {
    cleanup();
  }
});

void test('a corrupt session file is one line naming the bad line under --strict, salvaged without; a truncated one still reports', async () => {
  const { dir, cleanup } = tempDir('cli-corrupt');
  try {
    const file = join(dir, 's.jsonl');
    const rec = await runCli(['record', '--out', file, '--duration', '1.5', '--', 'sleep', '5']);
    assert.equal(rec.code, 0, rec.stderr);
    const text = readFileSync(file, 'utf8').split('\n');
    const corrupt = join(dir, 'corrupt.jsonl');
    writeFileSync(corrupt, [...text.slice(0, 3), '{"type":"tree", oops', ...text.slice(3)].join('\n'));
    const bad = await runCli([
      'report',
      corrupt,
      '--strict',
      '--format',
      'json',
      '--out',
      join(dir, 'r.json'),
    ]);
    assertOneLineFailure(bad, 1, /corrupt\.jsonl line 4: invalid JSON/);
    // without --strict the damaged line is skipped, said on stderr and in the report's notes
    const salvaged = await runCli(['report', corrupt, '--format', 'json', '--out', join(dir, 'r.json')]);
    assert.equal(salvaged.code, 0, salvaged.stderr);
    assert.match(
      salvaged.stderr,
      /corrupt\.jsonl: 1 damaged line was skipped \(line 4; first: invalid JSON\)/,
    );
    const notes = (JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { notes: { message: string }[] })
      .notes;
    assert.ok(
      notes.some((n) => /damaged line was skipped \(line 4/.test(n.message)),
      JSON.stringify(notes),
    );
    const notSession = join(dir, 'notes.txt');
    writeFileSync(notSession, 'shopping list\n');
    assertOneLineFailure(
      await runCli(['report', notSession, '--format', 'json', '--out', join(dir, 'r.json')]),
      1,
      /line 1: not a trainio session/,
    );
    assertOneLineFailure(
      await runCli(['report', join(dir, 'missing.jsonl'), '--format', 'json', '--out', join(dir, 'r.json')]),
      1,
      /no session file at/,
    );
    const truncated = join(dir, 'truncated.jsonl');
    const body = text.filter(Boolean).slice(0, -1).join('\n');
    writeFileSync(truncated, body + '\n' + '{"type":"tree","s":1.7,"pi');
    const ok = await runCli(['report', truncated, '--format', 'json', '--out', join(dir, 'r.json')]);
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { notes: { message: string }[] };
    assert.ok(report.notes.some((n) => n.message.includes('cut short')));
  } finally {
    cleanup();
  }
});

void test('the recorder killed outright: the file loads and covers up to about a second before the kill', async () => {
  const { dir, cleanup } = tempDir('cli-sigkill');
  try {
    const file = join(dir, 's.jsonl');
    const rec = spawnCli(['record', '--out', file, '--', 'sleep', '30']);
    const done = finished(rec);
    await waitFor(() => lines(file) >= 4, 15_000, 'records');
    const job = sessionHeader(file).target.pid;
    await new Promise((r) => setTimeout(r, 2500));
    const killedAtS = (Date.now() - sessionHeader(file).startedAtMs) / 1000;
    rec.kill('SIGKILL');
    await done;
    process.kill(job, 'SIGKILL');
    assert.ok(statSync(file).size > 0);
    const report = await loadSession(file);
    assert.equal(report.ended, null);
    assert.ok(
      report.durationS >= killedAtS - 1.0,
      `covers ${report.durationS} s of ${killedAtS.toFixed(2)} s`,
    );
    assert.ok(report.notes.some((n) => /no end record|cut short/.test(n.message)));
  } finally {
    cleanup();
  }
});

void test('Ctrl-C stops the recording cleanly: summary, exit 130, everything written', async () => {
  const { dir, cleanup } = tempDir('cli-sigint');
  try {
    const file = join(dir, 's.jsonl');
    mkdirSync(join(dir, 'data'));
    const rec = spawnCli(['record', '--out', file, '--dataset', join(dir, 'data'), '--', 'sleep', '30']);
    const done = finished(rec);
    await waitFor(() => lines(file) >= 4, 15_000, 'records');
    const job = sessionHeader(file).target.pid;
    rec.kill('SIGINT');
    const r = await done;
    process.kill(job, 'SIGKILL');
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stdout, /^Recorded \d+\.\d s of sleep 30 \(launch mode\)/);
    assert.equal(/^\s+at /m.test(r.stderr), false);
    const report = await loadSession(file);
    assert.equal(report.ended?.reason, 'stopped');
  } finally {
    cleanup();
  }
});
