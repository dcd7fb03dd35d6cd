/**
 * The panel in real Chromium, in a page built like VS Code's webview (strict CSP with a nonce,
 * theme variables, acquireVsCodeApi from the host peer): handshake, the numbers it shows against
 * the report, charts that draw, live updates in place, the messages it posts, reveal, ended,
 * a 24-hour series — and no CSP violation or console error anywhere.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { SessionReport } from '../../src/shared/model';
import { isWebviewToHost } from '../../src/shared/protocol';
import {
  ensureWebviewBuilt,
  hasChromium,
  launchChromium,
  PanelServer,
  THEMES,
  vscodePanelHtml,
} from '../support/panelPage';
import { hostPeerRecord, openPanel, sendToPanel, waitForRender } from './panelDriver';
import { requireTool } from '../support/tools';
import { builtReport, dayLongReport, initMessage, recordedReports } from './panelReports';
import { assertClose, assertShowsReport, canvasInk, LAST_ROWS, tableTexts, textOf } from './shownNumbers';

function changedReport(before: SessionReport): SessionReport {
  const r = structuredClone(before);
  r.durationS += 30;
  r.dataStall.pct = 41.7;
  r.dataStall.windowPct = 55.5;
  const last = r.epochs[r.epochs.length - 1] as SessionReport['epochs'][number];
  r.epochs.push({
    ...last,
    index: last.index + 1,
    startS: last.endS,
    endS: last.endS + 28.5,
    stallPct: 61.25,
  });
  r.checkpoints.push({
    path: '/ckpt/new.pt',
    bytes: 33_000_000,
    startS: r.durationS - 5,
    durationS: 0.5,
    lostS: 0.45,
    source: 'burst',
  });
  const step = 0.5;
  for (let i = 0; i < 60; i++) {
    r.series.t.push((r.series.t[r.series.t.length - 1] ?? 0) + step);
    r.series.readBps.push(80_000_000);
    r.series.diskReadBps.push(70_000_000);
    r.series.writeBps.push(0);
    r.series.systemDiskReadBps.push(71_000_000);
    r.series.stallPct.push(60 + (i % 5));
  }
  return r;
}

void test('panel in a VS Code webview page', async (t) => {
  if (!requireTool(t, hasChromium(), 'Chromium (/usr/bin/chromium)', 'install it: apt-get install chromium'))
    return;
  ensureWebviewBuilt();
  const browser: Browser = await launchChromium();
  const server = await PanelServer.start();
  t.after(async () => {
    await browser.close();
    await server.close();
  });
  const recorded = await recordedReports();
  const report = (recorded[recorded.length - 1] as (typeof recorded)[number]).report;
  const dark = THEMES.dark.vars;

  await t.test('posts ready first, renders only after init, keeps the state for the serializer', async () => {
    const { page, problems } = await openPanel(browser, server.page(vscodePanelHtml(server.origin)));
    await page.waitForFunction(
      () => (window as unknown as { __hostPeer: { received: unknown[] } }).__hostPeer.received.length > 0,
    );
    const before = await hostPeerRecord(page);
    assert.deepEqual(before.received, [{ type: 'ready' }]);
    assert.equal(await page.locator('canvas').count(), 0, 'nothing drawn before init');
    assert.match(await textOf(page, '.panel-message'), /Waiting/);

    const init = initMessage(report);
    await sendToPanel(page, init);
    await waitForRender(page);
    const after = await hostPeerRecord(page);
    assert.deepEqual(after.received, [{ type: 'ready' }], 'ready is posted exactly once');
    assert.deepEqual(after.state, init.state);
    assert.equal(await page.title(), init.title);

    // a repeated init (another session in the same page) replaces the panel: one set of charts
    const canvases = await page.locator('canvas').count();
    await sendToPanel(page, { ...initMessage(builtReport()), title: 'Training I/O — other.py' });
    await page.waitForFunction(() => document.title === 'Training I/O — other.py');
    await waitForRender(page);
    assert.equal(await page.locator('canvas').count(), 2 + builtReport().datasets.length);
    assert.ok(canvases >= 2);
    assert.equal(await page.locator('header.summary').count(), 1);
    assert.deepEqual(after.violations, []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  for (const { report: shown, source } of recorded) {
    await t.test(`shows the numbers of the ${source}; both charts and the histogram draw`, async () => {
      const { page, problems } = await openPanel(browser, server.page(vscodePanelHtml(server.origin)));
      await sendToPanel(page, initMessage(shown));
      await waitForRender(page);
      await assertShowsReport(page, shown);

      const stall = await canvasInk(page, 'chart-stall', dark['--vscode-charts-orange']);
      assert.ok(stall.width > 300 && stall.height > 100, `stall canvas sized ${stall.width}×${stall.height}`);
      if (shown.series.stallPct.some((v) => v !== null && v > 1)) {
        assert.ok(stall.near > 100, `the stall line is drawn in the theme's orange (${stall.near} px)`);
      } else {
        assert.ok(stall.drawn > 1000, `the stall chart draws its axes (${stall.drawn} px)`);
      }
      if (shown.series.readBps.some((v) => v > 0)) {
        const throughput = await canvasInk(page, 'chart-throughput', dark['--vscode-charts-blue']);
        assert.ok(throughput.near > 100, `reads drawn in the theme's blue (${throughput.near} px)`);
      }
      if (shown.series.diskReadBps.some((v) => v > 0.2 * Math.max(...shown.series.readBps))) {
        const diskRed = await canvasInk(page, 'chart-throughput', dark['--vscode-charts-red']);
        assert.ok(diskRed.near > 20, `disk reads drawn in the theme's red (${diskRed.near} px)`);
      }
      if (shown.datasets.length) {
        const histogramInk = await page.$eval('article.dataset canvas', (c) => {
          const canvas = c as HTMLCanvasElement;
          const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
          const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
          let drawn = 0;
          for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) drawn++;
          return drawn;
        });
        assert.ok(histogramInk > 500, `histogram draws (${histogramInk} px)`);
      }
      assert.match(await textOf(page, '#summary-stall'), /data.stall/i);
      assert.match(await textOf(page, '#summary-throughput'), /read|throughput/i);
      assert.equal(await page.getAttribute('#chart-stall', 'role'), 'img');
      assert.ok(
        (await page.getAttribute('#chart-stall', 'aria-label'))?.length,
        'the chart has an aria-label',
      );
      assert.deepEqual((await hostPeerRecord(page)).violations, []);
      assert.deepEqual(problems, []);
      await page.close();
    });
  }

  await t.test('update changes the numbers in place: same canvases, same rows, new pixels', async () => {
    const base = builtReport({ ended: false });
    const { page, problems } = await openPanel(browser, server.page(vscodePanelHtml(server.origin)));
    await sendToPanel(page, initMessage(base));
    await waitForRender(page);
    const before = await page.evaluate(() => {
      const w = window as unknown as { __canvases: Element[] };
      w.__canvases = Array.from(document.querySelectorAll('canvas'));
      (document.querySelector('table.epochs tbody tr') as unknown as { __kept: boolean }).__kept = true;
      return (document.getElementById('chart-stall') as HTMLCanvasElement).toDataURL();
    });
    const next = changedReport(base);
    // a burst of updates, as the host may send them: only the last must show
    await page.evaluate((r) => {
      for (let i = 0; i < 10; i++) {
        const report = structuredClone(r);
        report.dataStall.pct = i === 9 ? 41.7 : 30 + i;
        window.postMessage({ type: 'update', report }, '*');
      }
    }, next);
    await page.waitForFunction(
      () => document.querySelector('[data-figure="stall"]')?.textContent === '41.7%',
    );
    await waitForRender(page);
    await assertShowsReport(page, next);
    const same = await page.evaluate(() => {
      const w = window as unknown as { __canvases: Element[] };
      const now = Array.from(document.querySelectorAll('canvas'));
      const row = document.querySelector('table.epochs tbody tr') as unknown as { __kept?: boolean };
      return {
        canvases: now.length === w.__canvases.length && now.every((c, i) => c === w.__canvases[i]),
        rowKept: row.__kept === true,
        image: (document.getElementById('chart-stall') as HTMLCanvasElement).toDataURL(),
      };
    });
    assert.ok(same.canvases, 'canvas elements are the same objects after updates');
    assert.ok(same.rowKept, 'existing table rows are reused');
    assert.notEqual(same.image, before, 'the stall chart shows the new data');
    const red = await canvasInk(page, 'chart-stall', dark['--vscode-charts-orange']);
    assert.ok(red.near > 200);
    assert.deepEqual((await hostPeerRecord(page)).violations, []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  await t.test('Stop, Export and call sites post valid messages; ended hides Stop', async () => {
    const base = builtReport({ ended: false });
    const { page, problems } = await openPanel(browser, server.page(vscodePanelHtml(server.origin)));
    await sendToPanel(page, initMessage(base));
    await waitForRender(page);
    assert.equal(await textOf(page, '.badge'), 'live');
    await page.click('button.stop');
    await page.click('text=Export…');
    await page.click('table.checkpoints tbody tr:nth-child(1) td.path');
    await page.click('table.checkpoints tbody tr:nth-child(4) td.path'); // a burst: no call site
    await page.click('.advice .site-link');
    const siteOfCheckpoint = base.checkpoints[0]?.site;
    const siteOfAdvice = base.advice[0]?.site;
    const { received } = await hostPeerRecord(page);
    assert.deepEqual(received, [
      { type: 'ready' },
      { type: 'stop' },
      { type: 'export' },
      { type: 'openSite', site: siteOfCheckpoint },
      { type: 'openSite', site: siteOfAdvice },
    ]);
    assert.ok(received.every(isWebviewToHost), 'every posted message passes the host’s guard');

    // the session file stopped (disk full): the panel says so and offers to move it, until resumed
    assert.equal(await page.isVisible('.file-stopped'), false, 'no warning while the file is written');
    const stopped = structuredClone(base);
    const why = 'session file stopped at 0:26 — disk full (ENOSPC); recording goes on in memory';
    stopped.notes.push({ type: 'note', s: 26, level: 'warning', message: why, about: 'session-file' });
    await sendToPanel(page, { type: 'update', report: stopped });
    await page.waitForSelector('.file-stopped:not([hidden])');
    assert.equal(await textOf(page, '.file-stopped span'), `Warning: ${why}`);
    await page.click('text=Move Session…');
    assert.deepEqual((await hostPeerRecord(page)).received.at(-1), { type: 'moveSession' });
    const resumed = structuredClone(stopped);
    resumed.notes.push({
      type: 'note',
      s: 40,
      level: 'info',
      message: 'session file writing resumed at 0:40',
      about: 'session-file',
    });
    await sendToPanel(page, { type: 'update', report: resumed });
    await page.waitForSelector('.file-stopped', { state: 'hidden' });

    const ended = structuredClone(base);
    ended.ended = { type: 'end', s: ended.durationS, reason: 'stopped', exitCode: null, signal: 'SIGINT' };
    await sendToPanel(page, { type: 'ended', report: ended });
    await page.waitForFunction(() => document.querySelector('.badge')?.textContent?.startsWith('ended'));
    assert.equal(await textOf(page, '.badge'), 'ended: stopped (SIGINT)');
    assert.equal(await page.isVisible('button.stop'), false, 'no Stop once ended');
    assert.equal(await page.isVisible('text=Export…'), true);
    assert.deepEqual(problems, []);
    await page.close();
  });

  await t.test('a new session taking over the panel starts at its top', async () => {
    const { page, problems } = await openPanel(browser, server.page(vscodePanelHtml(server.origin)), {
      width: 900,
      height: 500,
    });
    await sendToPanel(page, initMessage(report));
    await waitForRender(page);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    assert.ok((await page.evaluate(() => window.scrollY)) > 200, 'the first session was read further down');
    await sendToPanel(page, { ...initMessage(builtReport()), title: 'Training I/O — next.py' });
    await page.waitForFunction(() => document.title === 'Training I/O — next.py');
    await waitForRender(page);
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  await t.test('reveal scrolls to the section, focuses its heading and highlights it', async () => {
    const { page, problems } = await openPanel(browser, server.page(vscodePanelHtml(server.origin)), {
      width: 900,
      height: 500,
    });
    await sendToPanel(page, { type: 'reveal', section: 'advice' }); // before init: kept for later
    await sendToPanel(page, initMessage(report));
    await waitForRender(page);
    assert.equal(await page.getAttribute('#section-advice', 'class'), 'section revealed');
    await sendToPanel(page, { type: 'reveal', section: 'checkpoints' });
    await page.waitForFunction(() =>
      document.getElementById('section-checkpoints')?.classList.contains('revealed'),
    );
    const where = await page.evaluate(() => ({
      top: (document.getElementById('section-checkpoints') as HTMLElement).getBoundingClientRect().top,
      scrollY: window.scrollY,
      focused: document.activeElement?.id,
      others: document.querySelectorAll('.section.revealed').length,
    }));
    assert.ok(where.scrollY > 0, 'the page scrolled');
    assertClose(where.top, 0, 2, 'section top after reveal (px)');
    assert.equal(where.focused, 'heading-checkpoints');
    assert.equal(where.others, 1, 'only the revealed section is highlighted');
    assert.deepEqual(problems, []);
    await page.close();
  });

  await t.test('a 24-hour series (~4000 points, 120 epochs, 96 checkpoints) renders', async () => {
    const day = dayLongReport();
    assert.equal(day.series.t.length, 4000);
    const { page, problems } = await openPanel(browser, server.page(vscodePanelHtml(server.origin)));
    await sendToPanel(page, initMessage(day));
    await waitForRender(page);
    await sendToPanel(page, { type: 'update', report: day });
    await waitForRender(page);
    const stall = await canvasInk(page, 'chart-stall', dark['--vscode-charts-orange']);
    assert.ok(stall.near > 500, `stall line drawn (${stall.near} px)`);
    // collapsed to the last rows, the footer summing them all
    assert.equal((await tableTexts(page, 'table.epochs tbody tr')).length, LAST_ROWS);
    assert.equal((await tableTexts(page, 'table.checkpoints tbody tr')).length, LAST_ROWS);
    assert.equal((await tableTexts(page, 'table.checkpoints tfoot tr'))[0]?.[0], '96 saved');
    assert.equal(await textOf(page, '[data-figure="epoch"]'), '119');
    assert.deepEqual((await hostPeerRecord(page)).violations, []);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
