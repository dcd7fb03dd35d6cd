/**
 * A 24-hour session in the panel, in real Chromium: a day made from the recorded launch fixture
 * (test/support/daySession.ts, read back by the real session reader) must stay as readable as a
 * minute: checkpoint marks drawn as ticks (not thousands of bands), epoch lines thinned, the tables
 * collapsed to the last rows plus their summary, the time-range control narrowing the charts.
 * The facts come from what the panel drew (counts it writes on the canvases, rows in the DOM), not
 * from one Chromium build's pixels. Render times are recorded in test-results/, not asserted, next
 * to the screenshots.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { loadSession } from '../../src/core/session/sessionReader';
import type { SessionReport } from '../../src/shared/model';
import { writeDaySession } from '../support/daySession';
import {
  ensureWebviewBuilt,
  hasChromium,
  launchChromium,
  PanelServer,
  REPO_ROOT,
  vscodePanelHtml,
} from '../support/panelPage';
import { requireTool } from '../support/tools';
import { hostPeerRecord, openPanel, sendToPanel, waitForRender } from './panelDriver';
import { initMessage } from './panelReports';
import { LAST_ROWS, parseClock, tableTexts, textOf } from './shownNumbers';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'sessions', 'launch-torch.trainio.jsonl');
const RESULTS = join(REPO_ROOT, 'test-results');

interface Drawn {
  bands: number;
  ticks: number;
  epochLines: number;
  /** the plot's width in CSS pixels */
  width: number;
}

function drawn(page: Page, id: string): Promise<Drawn> {
  return page.$eval(`#${id}`, (c) => {
    const canvas = c as HTMLCanvasElement;
    return {
      bands: Number(canvas.dataset.checkpointBands),
      ticks: Number(canvas.dataset.checkpointTicks),
      epochLines: Number(canvas.dataset.epochLines),
      width: canvas.getBoundingClientRect().width,
    };
  });
}

/** ms from posting `init` to the second frame after it (the panel drew) */
async function renderMs(page: Page, report: SessionReport): Promise<number> {
  const init = initMessage(report, false);
  return page.evaluate(async (message) => {
    const started = performance.now();
    window.postMessage(message, '*');
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return performance.now() - started;
  }, init);
}

void test('a recorded 24-hour session stays readable in the panel', async (t) => {
  if (!requireTool(t, hasChromium(), 'Chromium (/usr/bin/chromium)', 'install it: apt-get install chromium'))
    return;
  ensureWebviewBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'trainio-day-'));
  const browser = await launchChromium();
  const server = await PanelServer.start();
  t.after(async () => {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  mkdirSync(RESULTS, { recursive: true });
  const made = await writeDaySession({ fixture: FIXTURE, out: join(dir, 'day.trainio.jsonl') });
  const day = await loadSession(made.file);
  const minute = await loadSession(FIXTURE);
  assert.ok(day.durationS >= 86_400, `the session lasts ${day.durationS} s`);
  // the truth of the generated day: every replay holds the recording's epochs and checkpoints
  assert.equal(day.checkpoints.length, made.cycles * made.savesPerCycle);
  assert.equal(day.epochs.length, made.cycles * made.epochsPerCycle);

  const { page, problems } = await openPanel(browser, server.page(vscodePanelHtml(server.origin)), {
    width: 1100,
    height: 900,
  });
  await sendToPanel(page, initMessage(minute, false));
  await waitForRender(page);
  const timings = { minuteMs: await renderMs(page, minute), dayMs: await renderMs(page, day) };
  await waitForRender(page);

  await t.test('checkpoints are ticks, epoch lines thinned: no wash of bands', async () => {
    for (const id of ['chart-stall', 'chart-throughput']) {
      const d = await drawn(page, id);
      assert.equal(d.bands, 0, `${id}: ${day.checkpoints.length} checkpoints drawn as ${d.bands} bands`);
      assert.ok(d.ticks > 0 && d.ticks <= d.width / 3, `${id}: ${d.ticks} ticks in ${d.width} px`);
      assert.ok(d.epochLines > 0 && d.epochLines <= d.width / 8, `${id}: ${d.epochLines} epoch lines`);
    }
    assert.match(await textOf(page, '.range-shown'), /means per column/);
    await page.screenshot({ path: join(RESULTS, 'panel-24h-whole-run.png'), fullPage: true });
  });

  await t.test('tables collapse to the last rows and their summary; show all and back', async () => {
    const epochs = await tableTexts(page, 'table.epochs tbody tr');
    assert.equal(epochs.length, LAST_ROWS);
    assert.equal(epochs.at(-1)?.[0], String(day.epochs.at(-1)?.index));
    assert.equal((await tableTexts(page, 'table.epochs tfoot tr')).length, 1);
    assert.equal((await tableTexts(page, 'table.epochs tfoot tr'))[0]?.[0], `All ${day.epochs.length}`);
    assert.equal((await tableTexts(page, 'table.checkpoints tbody tr')).length, LAST_ROWS);
    assert.equal(
      (await tableTexts(page, 'table.checkpoints tfoot tr'))[0]?.[0],
      `${day.checkpoints.length} saved`,
    );
    const toggle = '#section-epochs .rows-toggle';
    assert.equal(await textOf(page, toggle), `Show all ${day.epochs.length}`);
    await page.click(toggle);
    assert.equal((await tableTexts(page, 'table.epochs tbody tr')).length, day.epochs.length);
    assert.equal(await page.getAttribute(toggle, 'aria-expanded'), 'true');
    await page.click(toggle);
    assert.equal((await tableTexts(page, 'table.epochs tbody tr')).length, LAST_ROWS);
    // a click on a collapsed checkpoint row opens that checkpoint's own call site
    await page.click('table.checkpoints tbody tr:nth-child(1) td.path');
    const posted = (await hostPeerRecord(page)).received.at(-1);
    assert.deepEqual(posted, { type: 'openSite', site: day.checkpoints.at(-LAST_ROWS)?.site });
  });

  await t.test('the last 10 minutes: the charts show that window, checkpoints as bands again', async () => {
    await page.click('button[data-range="last10m"]');
    await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    );
    assert.equal(await page.getAttribute('button[data-range="last10m"]', 'aria-pressed'), 'true');
    const [from, to] = (await textOf(page, '.range-shown')).split(' · ')[0]?.split(' → ') ?? [];
    const end = Math.max(day.durationS, day.series.t.at(-1) ?? 0);
    assert.ok(Math.abs(parseClock(to ?? '') - end) <= 1, `window ends at ${to}`);
    assert.ok(Math.abs(parseClock(to ?? '') - parseClock(from ?? '') - 600) <= 1, `window ${from} → ${to}`);
    const inWindow = day.checkpoints.filter((c) => c.startS + c.durationS >= end - 600).length;
    const d = await drawn(page, 'chart-stall');
    assert.equal(d.ticks, 0, 'sparse enough for bands');
    assert.equal(d.bands, inWindow, `one band per checkpoint of the window (${inWindow})`);
    await page.screenshot({ path: join(RESULTS, 'panel-24h-last-10-min.png'), fullPage: true });
    await page.click('button[data-range="all"]');
  });

  writeFileSync(
    join(RESULTS, 'panel-24h-render.json'),
    JSON.stringify(
      {
        ...timings,
        dayEpochs: day.epochs.length,
        dayCheckpoints: day.checkpoints.length,
        dayPoints: day.series.t.length,
      },
      null,
      2,
    ) + '\n',
  );
  t.diagnostic(
    `render: 1-minute session ${timings.minuteMs.toFixed(0)} ms, 24-hour ${timings.dayMs.toFixed(0)} ms`,
  );
  assert.deepEqual((await hostPeerRecord(page)).violations, []);
  assert.deepEqual(problems, []);
  await page.close();
});
