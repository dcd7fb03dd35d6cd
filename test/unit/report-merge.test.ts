/**
 * `report --merge` over the sessions of a 12-rank job made from a real recording (ranks and hosts
 * shifted, each rank's waits scaled): every row is checked against its own file's report, the job's
 * stall is the slowest rank's, the straggler and the spread are right, and each format renders it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportMergedReport, mergeSessionFiles } from '../../src/core/report/mergeSessions';
import { loadSession } from '../../src/core/session/sessionReader';
import { MERGED_SCHEMA, type MergedReport } from '../../src/shared/mergedReport';
import type { SessionReport } from '../../src/shared/model';
import { writeJobSessions } from '../../bench/jobSessions';
import { tempDir } from '../support/workloads';

const RANKS = 12;
const STRAGGLER = 7;

void test('a merged job report: a row per rank equal to its own session, the slowest rank is the job', async () => {
  const { dir, cleanup } = tempDir('merge');
  try {
    const files = await writeJobSessions(dir, { count: RANKS, ranksPerNode: 4, straggler: STRAGGLER });
    const merged = await mergeSessionFiles(
      files.map((f) => f.file),
      (f) => loadSession(f),
    );
    assert.equal(merged.schema, MERGED_SCHEMA);
    assert.equal(merged.sessions, RANKS);
    assert.deepEqual(
      merged.ranks.map((r) => r.rank),
      [...Array(RANKS).keys()],
    );
    const own: SessionReport[] = [];
    for (const f of files) own.push(await loadSession(f.file));
    merged.ranks.forEach((row, i) => {
      const r = own[i];
      assert.equal(row.host, files[i].host);
      assert.equal(row.session, files[i].file);
      assert.equal(row.dataStall.pct, r.dataStall.pct, `rank ${i} stall`);
      assert.equal(row.dataStall.method, 'exact');
      assert.equal(row.epochs, r.epochs.length);
      assert.equal(row.bytesRead, r.reread.bytesRead);
      assert.equal(row.pageCacheHitPct, r.reread.pageCacheHitPct);
      assert.equal(row.checkpoints, r.checkpoints.length);
      assert.ok(row.stallSeries.pct.length > 0 && row.stallSeries.pct.length <= 240);
    });
    const pcts = own.map((r) => r.dataStall.pct!);
    const max = Math.max(...pcts);
    assert.equal(merged.dataStall.pct, max);
    assert.equal(merged.dataStall.fastestPct, Math.min(...pcts));
    assert.ok(Math.abs(merged.dataStall.spreadPct - (max - Math.min(...pcts))) < 0.006);
    assert.equal(merged.straggler?.rank, STRAGGLER);
    assert.equal(merged.straggler?.host, 'node-01');
    // the scaled waits order the ranks as the generator made them: the straggler's is the largest
    assert.equal(pcts.indexOf(max), STRAGGLER);
    assert.equal(
      merged.totals.checkpoints,
      own.reduce((a, r) => a + r.checkpoints.length, 0),
    );
    assert.deepEqual(merged.notes, []);

    const md = join(dir, 'job.md');
    await exportMergedReport('md', merged, md);
    const text = readFileSync(md, 'utf8');
    assert.equal(text.split('\n').filter((l) => /^\| \**\d+/.test(l)).length, RANKS, 'a table row per rank');
    assert.match(text, new RegExp(`\\*\\*Straggler\\*\\*: rank ${STRAGGLER} on node-01`));
    assert.match(text, /\| \*\*7\*\* ◀ slowest \|/);

    const html = join(dir, 'job.html');
    await exportMergedReport('html', merged, html);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /Content-Security-Policy" content="default-src 'none'/);
    assert.doesNotMatch(page, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no script, nothing loaded');
    assert.equal((page.match(/<rect\s+class="tio-bar/g) ?? []).length, RANKS, 'a bar per rank');
    assert.equal((page.match(/tio-bar tio-slowest/g) ?? []).length, 1);
    assert.match(page, /rank 7 on node-01 \(slowest\)/);

    const json = join(dir, 'job.json');
    await exportMergedReport('json', merged, json);
    assert.deepEqual(JSON.parse(readFileSync(json, 'utf8')) as MergedReport, merged);
  } finally {
    cleanup();
  }
});

void test('the same node given twice and mixed methods are said, not hidden', async () => {
  const fixtures = join(__dirname, '..', 'fixtures', 'sessions');
  const files = ['launch-torch.trainio.jsonl', 'attach-torch.trainio.jsonl'].map((f) => join(fixtures, f));
  const merged = await mergeSessionFiles(files, (f) => loadSession(f));
  assert.equal(merged.ranks.length, 2);
  assert.equal(merged.dataStall.method, 'mixed');
  assert.match(merged.notes.join('\n'), /rank 0 on vm appears in 2 sessions/);
  assert.match(merged.notes.join('\n'), /measured exactly \(hook\) and others estimated/);
  assert.equal(
    merged.straggler?.session,
    files[merged.ranks.findIndex((r) => r.dataStall.pct === merged.dataStall.pct)],
  );
});
