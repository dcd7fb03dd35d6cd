import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { exportReport, findAssetsRoot } from '../../src/core/report/index';
import { loadSession } from '../../src/core/session/sessionReader';
import { forEmbedding, MAX_HTML_POINTS, renderHtml } from '../../src/core/report/html';
import { visibleText } from '../../src/core/report/visibleText';
import type { SessionReport } from '../../src/shared/model';
import { EMBEDDED_INIT_ID, type HostToWebview } from '../../src/shared/protocol';
import { emptyReport, HOSTILE_NAME, sampleReport } from '../support/reportSample';
import { CHROMIUM_ARGS as ARGS, CHROMIUM_PATH as CHROMIUM } from '../support/chromium';
import { requireTool } from '../support/tools';

let browser: Browser | undefined;
let dir = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trainio-html-'));
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Skips (locally) or fails (CI) without Chromium or the built panel. */
function ready(t: TestContext): boolean {
  if (!requireTool(t, browser !== undefined, 'chromium', 'apt-get install chromium')) return false;
  const root = findAssetsRoot();
  return requireTool(t, root !== null, 'the panel bundle dist/webview/panel.js', 'run `npm run build`');
}

interface Visit {
  page: Page;
  requests: string[];
  problems: string[];
}

/** Opens a report file and records every request, console error, page error and CSP violation. */
async function visit(file: string, javaScriptEnabled = true): Promise<Visit> {
  const context = await browser!.newContext({ viewport: { width: 1200, height: 900 }, javaScriptEnabled });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective}`),
    );
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, requests, problems };
}

/** painted (non-transparent) pixels of each canvas on the page */
async function paintedPixels(page: Page): Promise<number[]> {
  return page.$$eval('canvas', (canvases) =>
    canvases.map((c) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
      return n;
    }),
  );
}

void test('the HTML report draws the panel charts offline, with no request, error or CSP violation', async (t) => {
  if (!ready(t)) return;
  const report = sampleReport({ hostile: true });
  const file = join(dir, 'report.html');
  await exportReport('html', [report], file);
  const { page, requests, problems } = await visit(file);
  await page.waitForSelector('#trainio-panel > .section canvas');
  await page.waitForTimeout(300);

  assert.deepEqual(requests, [pathToFileURL(file).href], 'the file itself is the only request');
  const painted = await paintedPixels(page);
  assert.ok(painted.length >= 2, `${painted.length} canvases`);
  for (const n of painted) assert.ok(n > 500, `every chart is drawn (${painted.join(', ')} painted pixels)`);

  // the hostile name stayed text: no element was made of it and its script never ran
  assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined);
  assert.equal(await page.locator('img').count(), 0);
  const cwd = await page.locator('.tio-details dt:text-is("Working directory") + dd').textContent();
  assert.equal(cwd, visibleText(report.target.cwd!));
  assert.ok(HOSTILE_NAME.includes('</script>'));

  // the embedded init message is exactly what the panel was given
  const embedded = JSON.parse((await page.locator(`#${EMBEDDED_INIT_ID}`).textContent()) ?? '') as Extract<
    HostToWebview,
    { type: 'init' }
  >;
  assert.equal(embedded.live, false);
  assert.deepEqual(embedded.report, JSON.parse(JSON.stringify(forEmbedding(report))));

  // the panel shows what the fallback summary holds, so the summary is hidden once the panel drew
  assert.equal(await page.locator('.tio-fallback').isVisible(), false);
  assert.equal(await page.locator('.tio-details').isVisible(), true);

  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: join('test-results', 'report.png'), fullPage: true });
  await page.context().close();
  assert.deepEqual(problems, []);
});

void test('with scripts off the summary holds the numbers, and the page stays offline', async (t) => {
  if (!ready(t)) return;
  const report = sampleReport();
  const file = join(dir, 'noscript.html');
  await exportReport('html', [report], file);
  const { page, requests, problems } = await visit(file, false);
  assert.deepEqual(requests, [pathToFileURL(file).href]);
  assert.equal(await page.locator('.tio-fallback').isVisible(), true);
  const stall = await page.locator('.tio-card', { hasText: 'Data stall' }).locator('strong').textContent();
  assert.ok(
    Math.abs(Number(stall!.replace('%', '')) - report.dataStall.pct!) < 0.051,
    `stall ${stall} within the 0.1 shown`,
  );
  const rows = await page
    .locator('.tio-fallback h2:text-is("Epochs") + .tio-table-wrap tbody tr')
    .allTextContents();
  assert.equal(rows.length, report.epochs.length);
  const checkpointPaths = await page
    .locator('.tio-fallback h2:text-is("Checkpoints") + .tio-table-wrap tbody tr td:first-child')
    .allTextContents();
  assert.deepEqual(
    checkpointPaths,
    report.checkpoints.map((c) => c.path),
  );
  await page.context().close();
  assert.deepEqual(problems, []);
});

void test('a session cut off before anything was measured opens without errors', async (t) => {
  if (!ready(t)) return;
  const file = join(dir, 'empty.html');
  await exportReport('html', [emptyReport()], file);
  const { page, problems } = await visit(file);
  await page.waitForSelector('#trainio-panel > .section');
  assert.match((await page.locator('.tio-details').textContent()) ?? '', /did not end cleanly/);
  await page.context().close();
  assert.deepEqual(problems, []);
});

void test('a day-long session stays a small HTML file and still draws', async (t) => {
  if (!ready(t)) return;
  const day: SessionReport = sampleReport({ windows: 43_200 });
  const file = join(dir, 'day.html');
  await exportReport('html', [day], file);
  const size = statSync(file).size;
  assert.ok(size < 2_000_000, `${size} bytes`);
  const { page, problems } = await visit(file);
  await page.waitForSelector('#trainio-panel > .section canvas');
  const embedded = JSON.parse((await page.locator(`#${EMBEDDED_INIT_ID}`).textContent()) ?? '') as {
    report: SessionReport;
  };
  assert.equal(embedded.report.series.t.length, MAX_HTML_POINTS);
  assert.equal(
    embedded.report.series.t.at(-1),
    day.series.t.at(-1),
    'the averaged series still ends where the session ends',
  );
  for (const n of await paintedPixels(page)) assert.ok(n > 500);
  await page.context().close();
  assert.deepEqual(problems, []);
});

void test('the HTML comparison shows both runs side by side without any script', async (t) => {
  if (!requireTool(t, browser !== undefined, 'chromium', 'apt-get install chromium')) return;
  const a = sampleReport({ hostile: true });
  const b = sampleReport();
  b.dataStall = { ...b.dataStall, pct: 3.5 };
  b.series = { ...b.series, stallPct: b.series.stallPct.map((v) => (v === null ? null : v / 6)) };
  const file = join(dir, 'compare.html');
  await exportReport('html', [a, b], file);
  assert.doesNotMatch(readFileSync(file, 'utf8'), /<script/, 'no script at all');
  const { page, requests, problems } = await visit(file);
  assert.deepEqual(requests, [pathToFileURL(file).href]);
  const stallRow = await page
    .locator('table.tio-compare tr', { hasText: 'Data stall' })
    .locator('td')
    .allTextContents();
  assert.deepEqual(
    stallRow.map((s) => s.trim()),
    ['23.4%', '3.5%', `−${(23.45 - 3.5).toFixed(1)} points`, 'B ▶'],
  );
  const paths = await page.$$eval('svg.tio-svg-chart path', (ps) =>
    ps.map((p) => (p as SVGPathElement).getTotalLength()),
  );
  assert.equal(paths.length, 4, 'stall and throughput lines of A and B');
  for (const length of paths) assert.ok(length > 100, `a drawn line (${length})`);
  assert.equal(await page.locator('img').count(), 0);
  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: join('test-results', 'report-compare.png'), fullPage: true });
  await page.context().close();
  assert.deepEqual(problems, []);
});

void test('a recorded session opens as a report with its charts drawn', async (t) => {
  if (!ready(t)) return;
  const fixture = join('test', 'fixtures', 'sessions', 'launch-torch.trainio.jsonl');
  assert.ok(existsSync(fixture), 'the recorded launch-mode session');
  const report = await loadSession(fixture);
  const file = join(dir, 'recorded.html');
  await exportReport('html', [report], file);
  const { page, requests, problems } = await visit(file);
  await page.waitForSelector('#trainio-panel > .section canvas');
  await page.waitForTimeout(300);
  assert.deepEqual(requests, [pathToFileURL(file).href]);
  for (const n of await paintedPixels(page)) assert.ok(n > 500);
  const command = await page.locator('.tio-details dt:text-is("Command") + dd').textContent();
  assert.match(command ?? '', /train_torch\.py --data data --epochs 3/);
  await page.screenshot({ path: join('test-results', 'report-recorded.png'), fullPage: true });
  await page.context().close();
  assert.deepEqual(problems, []);
});

void test('inlined script and styles cannot end their element early, and still run as written', async (t) => {
  if (!requireTool(t, browser !== undefined, 'chromium', 'apt-get install chromium')) return;
  // a bundle holding the dangerous sequences in strings and in a unicode regular expression
  const script = `document.body.dataset.seen = ["</script>", "<!--<script>", /<!--/u.test("<!--"), /<\\/SCRIPT>/iu.test("</script>")].join("|");`;
  const css = `.probe::after { content: "</style><script>window.__pwned = 1</script>"; }`;
  const file = join(dir, 'inline.html');
  writeFileSync(file, renderHtml(sampleReport(), { script, css }));
  const { page, problems } = await visit(file);
  assert.equal(
    await page.evaluate(() => document.body.dataset.seen),
    ['</script>', '<!--<script>', 'true', 'true'].join('|'),
  );
  assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined);
  assert.equal(await page.locator('script').count(), 2, 'the init data and the one inlined script');
  await page.context().close();
  assert.deepEqual(problems, []);
});
