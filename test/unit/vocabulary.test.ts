/**
 * One vocabulary in every view, checked on the recorded fixtures (real sessions read back by the
 * session reader): a final partial stall window never headlines, an ended session and a report say
 * nothing "now", every byte column of a table has one unit, epochs of an attached session are counted
 * "since attach", dataset passes and epoch coverage are two words for two numbers, and an attached
 * report says why it shows no DataLoader.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { detailsHtml, fallbackSummaryHtml } from '../../src/core/report/htmlSummary';
import { renderMarkdown } from '../../src/core/report/markdown';
import { loadSession } from '../../src/core/session/sessionReader';
import type { SessionRecord, StallRecord } from '../../src/shared/model';
import { byteScale, formatBytesIn } from '../../src/shared/format';
import {
  coverageText,
  currentEpochText,
  epochColumn,
  epochName,
  lastFullWindow,
  passesPhrase,
  peakOfFullWindows,
  showsNow,
} from '../../src/shared/vocabulary';

const FIXTURES = join(__dirname, '..', 'fixtures', 'sessions');
const LAUNCH = join(FIXTURES, 'launch-torch.trainio.jsonl');
const ATTACH = join(FIXTURES, 'attach-torch.trainio.jsonl');

function records(file: string): SessionRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SessionRecord);
}

/** the rows of a Markdown table that follows `## title` */
function markdownRows(md: string, title: string): string[][] {
  const body = md.split(`## ${title}\n\n`)[1]?.split('\n\n')[0] ?? '';
  return body
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
}

void test('a final partial stall window never headlines: the last full window does', async () => {
  const report = await loadSession(LAUNCH);
  const exact = records(LAUNCH).filter((r): r is StallRecord => r.type === 'stall' && r.method === 'exact');
  const longest = Math.max(...exact.map((r) => r.windowS));
  const last = exact.at(-1) as StallRecord;
  assert.ok(last.windowS < 0.5 * longest, `the recording ends with a partial window (${last.windowS} s)`);
  const full = exact.filter((r) => r.windowS >= 0.5 * longest).at(-1) as StallRecord;
  const expected = Math.round(Math.min(100, (100 * full.waitS) / full.loopS) * 100) / 100;
  assert.equal(report.dataStall.windowPct, expected);
});

void test('the final few-ms point of a series is neither the rate now nor the highest window', () => {
  const t = [1, 2, 3, 4, 4.084];
  const stall = [20, 30, 25, 22, 92.3];
  assert.equal(lastFullWindow({ t }), 3);
  assert.deepEqual(peakOfFullWindows(t, stall), { at: 2, value: 30 });
  // a final window of more than half a step is a reading
  assert.equal(lastFullWindow({ t: [1, 2, 3, 3.6] }), 3);
  assert.equal(lastFullWindow({ t: [] }), -1);
});

void test('an ended session and its reports say nothing "now"', async () => {
  for (const file of [LAUNCH, ATTACH]) {
    const report = await loadSession(file);
    assert.ok(report.ended, `${file} ended`);
    assert.equal(showsNow(report, true), false, 'ended: no "now", even in a live panel');
    assert.equal(showsNow({ ...report, ended: null }, true), true);
    assert.equal(showsNow({ ...report, ended: null }, false), false, 'a report is never live');
    const md = renderMarkdown(report);
    assert.doesNotMatch(md, /\bnow\b/i, 'Markdown report');
    const visible = (fallbackSummaryHtml(report).value + detailsHtml(report).value).replace(/<[^>]+>/g, ' ');
    assert.doesNotMatch(visible, /\bnow\b/i, 'HTML report summary');
  }
});

void test('each table of the Markdown report writes its byte columns in one unit', async () => {
  for (const file of [LAUNCH, ATTACH]) {
    const report = await loadSession(file);
    const md = renderMarkdown(report);
    const unitOf = (cell: string): string => /\b(B|kB|MB|GB|TB)\b/.exec(cell)?.[1] ?? '';
    const epochs = markdownRows(md, 'Epochs').slice(2);
    assert.equal(epochs.length, report.epochs.length);
    const units = new Set(epochs.flatMap((r) => [unitOf(r[3] ?? ''), unitOf(r[4] ?? '')]));
    assert.equal(units.size, 1, `epochs table units: ${[...units].join(', ')}`);
    // the cells are the bytes of the report within the unit's precision
    report.epochs.forEach((e, i) => {
      const cell = epochs[i]?.[3] ?? '';
      const scale = byteScale(report.epochs.flatMap((x) => [x.bytesRead, x.diskBytesRead]));
      assert.equal(cell, formatBytesIn(e.bytesRead, scale));
      assert.ok(Math.abs(Number(cell.split(' ')[0]) * scale.divisor - e.bytesRead) <= 0.005 * e.bytesRead);
    });
    const sizes = markdownRows(md, 'Checkpoints')
      .slice(2)
      .map((r) => unitOf(r[1] ?? ''));
    assert.equal(sizes.length, report.checkpoints.length);
    assert.ok(new Set(sizes).size <= 1, `checkpoint sizes: ${sizes.join(', ')}`);
  }
  // a table of 830 kB to 290 MB rows: all in MB
  const scale = byteScale([289_835_000, 1_660_944, 830_472]);
  assert.deepEqual(
    [289_835_000, 1_660_944, 830_472, 0].map((b) => formatBytesIn(b, scale)),
    ['290 MB', '1.66 MB', '0.83 MB', '0 MB'],
  );
});

void test('epochs of an attached session are counted since attach; launch counts as the job does', async () => {
  const attach = await loadSession(ATTACH);
  const launch = await loadSession(LAUNCH);
  assert.equal(attach.target.mode, 'attach');
  assert.equal(epochName(attach, 3), 'epoch 3 since attach');
  assert.equal(epochColumn(attach), 'Epoch (since attach)');
  assert.equal(epochName(launch, 2), 'epoch 2');
  // the tooltip's sentence names the same number the panel shows (the last epoch's index)
  const last = launch.epochs.at(-1);
  assert.ok(last);
  assert.equal(currentEpochText(launch), `epoch ${last.index} · ${launch.epochs.length} seen`);
  assert.match(renderMarkdown(attach), /\| epoch \(since attach\) \|/);
  assert.match(renderMarkdown(launch), /\| epoch \| start \|/);
});

void test('dataset passes (session) and epoch coverage (per epoch) are different words', async () => {
  const launch = await loadSession(LAUNCH);
  // the job read its dataset once per epoch: coverage ≈ 100 %, passes ≈ the number of epochs
  for (const e of launch.epochs) assert.match(coverageText(e.rereadFactor), /^(9[5-9]|10[0-5])%$/);
  assert.ok(Math.abs(launch.reread.factor - launch.epochs.length) <= 0.05 * launch.epochs.length);
  const md = renderMarkdown(launch);
  assert.match(md, /\*\*Dataset passes\*\*/);
  assert.doesNotMatch(md, /re-read/i);
  assert.equal(passesPhrase(3.0412), '3.04 dataset passes');
});

void test('an attached report without DataLoaders says attach mode cannot see them', async () => {
  const attach = await loadSession(ATTACH);
  assert.equal(attach.loaders.length, 0);
  const md = renderMarkdown(attach);
  assert.match(md, /## DataLoaders\n\nNot visible in attach mode/);
  assert.doesNotMatch(md, /## DataLoaders\n\nNone\./);
  assert.match(detailsHtml(attach).value, /Not visible in attach mode/);
});
