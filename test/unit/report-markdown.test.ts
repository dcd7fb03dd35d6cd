import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test, type TestContext } from 'node:test';
import { renderComparisonMarkdown, renderMarkdown } from '../../src/core/report/index';
import { sparkline } from '../../src/core/report/sparkline';
import { emptyReport, HOSTILE_NAME, sampleReport } from '../support/reportSample';
import { requireTool } from '../support/tools';

interface MarkdownIt {
  render(src: string): string;
}

/** markdown-it (a CommonMark + GFM tables renderer, installed with @vscode/vsce) as the real consumer */
function markdownIt(t: TestContext): MarkdownIt | null {
  let make: ((o: object) => MarkdownIt) | undefined;
  try {
    make = createRequire(__filename)('markdown-it') as (o: object) => MarkdownIt;
  } catch {
    make = undefined;
  }
  if (
    !requireTool(
      t,
      make !== undefined,
      'markdown-it',
      'it is installed with the dev dependencies: run `npm ci`',
    )
  )
    return null;
  // html: true and linkify: true, like GitHub: the report's own escaping must be what keeps it inert
  return make!({ html: true, linkify: true });
}

/** rows of every rendered table, as cell texts (tags stripped, entities decoded) */
function tables(rendered: string): string[][][] {
  const decode = (s: string): string =>
    s
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .trim();
  return [...rendered.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((m) =>
    [...m[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
      [...r[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => decode(c[1])),
    ),
  );
}

/** "875 ms", "42.3 s", "1 min 29 s" → seconds */
function seconds(cell: string): number {
  const ms = /^(\d+) ms$/.exec(cell);
  if (ms) return Number(ms[1]) / 1000;
  const m = /^(?:(\d+) min )?([\d.]+) s$/.exec(cell);
  assert.ok(m, `"${cell}" is a duration`);
  return 60 * Number(m[1] ?? 0) + Number(m[2]);
}

/** "277 MB", "1.66 MB", "830 kB" → bytes (decimal units, three significant digits) */
function bytes(cell: string): number {
  const m = /^([\d.]+) (B|kB|MB|GB)$/.exec(cell);
  assert.ok(m, `"${cell}" is a byte count`);
  return Number(m[1]) * 1000 ** ['B', 'kB', 'MB', 'GB'].indexOf(m[2]);
}

void test('the Markdown report renders its headline and tables with the report numbers', (t) => {
  const md = markdownIt(t);
  if (!md) return;
  const report = sampleReport();
  const text = renderMarkdown(report);
  const rendered = md.render(text);
  const [headline, epochs, checkpoints, datasets] = tables(rendered);
  assert.match(headline[1][1], /^23\.[45]% \(exact: timed inside the DataLoader/);
  assert.match(headline[1][1], /the outside estimate read 17\.8%/);
  assert.equal(epochs.length, 1 + report.epochs.length);
  report.epochs.forEach((e, i) => {
    const row = epochs[i + 1];
    assert.equal(Number(row[0]), e.index);
    // shown to 0.1 s below a minute, to the second above
    assert.ok(Math.abs(seconds(row[2]) - (e.endS - e.startS)) <= 0.5, `epoch ${i} duration ${row[2]}`);
    // three significant digits: within 0.5 %
    assert.ok(Math.abs(bytes(row[3]) - e.bytesRead) / e.bytesRead <= 0.005, `epoch ${i} read ${row[3]}`);
    assert.ok(
      Math.abs(bytes(row[4]) - e.diskBytesRead) / e.diskBytesRead <= 0.005,
      `epoch ${i} disk ${row[4]}`,
    );
    assert.ok(
      Math.abs(Number(row[6].replace('%', '')) - e.pageCacheHitPct) <= 0.05,
      `epoch ${i} cache ${row[6]}`,
    );
  });
  assert.equal(checkpoints.length, 3);
  assert.equal(checkpoints[1][0], report.checkpoints[0].path);
  assert.equal(bytes(checkpoints[1][1]), 16_700_000);
  assert.equal(seconds(checkpoints[1][3]), report.checkpoints[0].durationS);
  // a path inside the target's working directory is shown relative to it
  assert.equal(checkpoints[1][6], 'train.py:88');
  assert.equal(report.checkpoints[0].site!.file, `${report.target.cwd}/train.py`);
  assert.equal(datasets[1][0], report.datasets[0].path);
  assert.equal(datasets[1][1], '3,000');
  // advice with its evidence, under its own heading
  assert.match(rendered, /<h2>Advice<\/h2>[\s\S]*raise num_workers[\s\S]*<li>stall 23\.45% \(exact\)<\/li>/);
});

void test('a hostile file name stays text in every part of the Markdown report', (t) => {
  const md = markdownIt(t);
  if (!md) return;
  const report = sampleReport({ hostile: true });
  const rendered = md.render(renderMarkdown(report));
  assert.doesNotMatch(
    rendered,
    /<img|<script|<a[\s>]|<[a-z]+[^>]*\sonerror|<!--/i,
    'no element, link or comment from the name',
  );
  for (const table of tables(rendered)) {
    const width = table[0].length;
    for (const row of table)
      assert.equal(row.length, width, `a row keeps ${width} cells: ${JSON.stringify(row)}`);
  }
  const [, , checkpoints] = tables(rendered);
  const shown = HOSTILE_NAME.replace(/\n/g, '\u2424').replace(/[\u2028\u202e]/g, '\ufffd');
  assert.equal(
    checkpoints[1][0],
    `/ckpt/epoch_0${shown}.pt`,
    'the path reads back exactly, controls made visible',
  );
});

void test('a session cut off before anything was measured still renders', () => {
  const text = renderMarkdown(emptyReport());
  assert.match(text, /did not end cleanly/);
  assert.match(text, /\*\*Data stall\*\* \| unknown/);
  assert.match(text, /## Epochs\n\nNone\./);
});

void test('a day-long series keeps the Markdown small: the sparkline averages it', () => {
  const day = sampleReport({ windows: 43_200 });
  const text = renderMarkdown(day);
  assert.ok(text.length < 12_000, `${text.length} characters`);
  const line = text.split('\n').find((l) => /^`[▁▂▃▄▅▆▇█ ]+`$/.test(l));
  assert.ok(line, 'a sparkline line');
  assert.equal([...line.slice(1, -1)].length, 60);
});

void test('sparkline maps values onto eight levels of a fixed scale, unknown as a space', () => {
  assert.equal(sparkline([0, 100, 50, null], 4, 100), '▁█▅ ');
  assert.equal(sparkline([0, 0, 100, 100], 2, 100), '▁█', 'cells average their values');
  assert.equal(sparkline([], 10), '');
});

void test('the Markdown comparison shows both runs, the change and the better one', (t) => {
  const md = markdownIt(t);
  if (!md) return;
  const a = sampleReport();
  const b = sampleReport();
  b.dataStall = { ...b.dataStall, pct: 3.5 };
  b.loaders = [{ ...b.loaders[0], numWorkers: 8 }];
  const rendered = md.render(renderComparisonMarkdown(a, b));
  const [metrics, setup] = tables(rendered);
  const stall = metrics.find((r) => r[0] === 'Data stall')!;
  assert.deepEqual(stall.slice(1), ['23.4%', '3.5%', `−${(23.45 - 3.5).toFixed(1)} points`, 'B ▶']);
  const workers = setup.find((r) => r[0] === 'num_workers')!;
  assert.deepEqual(workers.slice(1), ['2', '8']);
  assert.match(rendered, /<strong>8<\/strong>/, 'a setting that differs is bold');
});
