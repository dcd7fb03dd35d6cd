/**
 * The static HTML report: the same panel code, inlined, boots from the embedded `init` element with
 * no host (no acquireVsCodeApi), under a hash-based CSP, with colours from the OS colour scheme.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { EMBEDDED_INIT_ID } from '../../src/shared/protocol';
import { loadPanelAssets } from '../../src/core/report/panelAssets';
import { renderHtml } from '../../src/core/report/html';
import {
  ensureWebviewBuilt,
  hasChromium,
  launchChromium,
  PanelServer,
  REPO_ROOT,
  rgbOf,
  staticReportHtml,
} from '../support/panelPage';
import { hostPeerRecord, openPanel, waitForRender } from './panelDriver';
import { requireTool } from '../support/tools';
import { builtReport, hasCallSites, initMessage, recordedReports } from './panelReports';
import { assertShowsReport, canvasInk, textOf } from './shownNumbers';

/** the fallback colours media/panel.css gives a page without VS Code's variables */
const FALLBACK = {
  light: { fg: '#1f2328', muted: '#5f6b7a', bg: '#ffffff', red: '#d1242f' },
  dark: { fg: '#d4d4d4', muted: '#9da5b0', bg: '#1e1e1e', red: '#f14c4c' },
};

/** WCAG contrast ratio of two rgb() colours */
function contrast(a: string, b: string): number {
  const lum = (rgb: string) => {
    const [r, g, bl] = (rgb.match(/\d+/g) ?? []).map((x) => {
      const c = Number(x) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

async function colours(page: Page): Promise<{ fg: string; bg: string; muted: string }> {
  return page.evaluate(() => ({
    fg: getComputedStyle(document.body).color,
    bg: getComputedStyle(document.body).backgroundColor,
    muted: getComputedStyle(document.querySelector('.figure-detail') as Element).color,
  }));
}

/**
 * The chart's pixels once the panel has redrawn it for a colour scheme. The CSS follows an emulated
 * scheme at once, but Chromium delivers the media query's `change` event to the page's listeners
 * later (on 156 it had not arrived one animation frame after the switch in 10 of 40 switches), so
 * the chart is read once it shows the scheme's red, or after 5 s, never right after the CSS changed.
 */
async function redrawnIn(
  page: Page,
  canvasId: string,
  red: string,
  otherRed: string,
): Promise<{ red: number; stale: number }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const ink = await canvasInk(page, canvasId, red);
    if (ink.near > 50 || Date.now() > deadline)
      return { red: ink.near, stale: (await canvasInk(page, canvasId, otherRed)).near };
    await page.waitForTimeout(20);
  }
}

void test('static report boot', async (t) => {
  if (!requireTool(t, hasChromium(), 'Chromium (/usr/bin/chromium)', 'install it: apt-get install chromium'))
    return;
  ensureWebviewBuilt();
  const browser = await launchChromium();
  const server = await PanelServer.start();
  t.after(async () => {
    await browser.close();
    await server.close();
  });

  for (const { report, source } of await recordedReports()) {
    await t.test(
      `boots from the embedded init of the ${source}, with no host: nothing to click that needs one`,
      async () => {
        // even an init that says live: a static page is never live
        const { page, problems } = await openPanel(
          browser,
          server.page(staticReportHtml(initMessage(report, true))),
        );
        await waitForRender(page);
        assert.equal(
          await page.evaluate(() => typeof (window as { acquireVsCodeApi?: unknown }).acquireVsCodeApi),
          'undefined',
        );
        await assertShowsReport(page, report);
        assert.equal(
          await page.locator('#trainio-panel header.summary').count(),
          1,
          'drawn into the page’s own root',
        );
        assert.equal(await page.isVisible('button.stop'), false);
        assert.equal(await page.isVisible('text=Export…'), false);
        assert.equal(await page.locator('.site-link').count(), 0, 'call sites are plain text without a host');
        if (hasCallSites(report)) assert.ok((await page.locator('.site').count()) > 0);
        assert.match(await textOf(page, '.badge'), report.ended ? /^ended/ : /^recorded$/);
        const ink = await canvasInk(page, 'chart-stall');
        assert.ok(ink.drawn > 1000, `stall chart draws (${ink.drawn} px)`);
        assert.deepEqual((await hostPeerRecord(page)).violations, []);
        assert.deepEqual(problems, []);
        await page.close();
      },
    );
  }

  await t.test('follows the OS colour scheme; text stays readable in both', async () => {
    const { page, problems } = await openPanel(
      browser,
      server.page(staticReportHtml(initMessage(builtReport(), false))),
    );
    await waitForRender(page);
    // light → dark → light: both directions go through the panel's media query listener
    for (const scheme of ['light', 'dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const want = FALLBACK[scheme];
      const other = FALLBACK[scheme === 'light' ? 'dark' : 'light'];
      await page.waitForFunction((fg) => getComputedStyle(document.body).color === fg, rgbOf(want.fg));
      const c = await colours(page);
      assert.equal(c.bg, rgbOf(want.bg), `${scheme}: background`);
      assert.equal(c.muted, rgbOf(want.muted), `${scheme}: secondary text`);
      assert.ok(contrast(c.fg, c.bg) >= 7, `${scheme}: text contrast ${contrast(c.fg, c.bg).toFixed(1)}:1`);
      assert.ok(
        contrast(c.muted, c.bg) >= 4.5,
        `${scheme}: secondary text contrast ${contrast(c.muted, c.bg).toFixed(1)}:1`,
      );
      const { red, stale } = await redrawnIn(page, 'chart-throughput', want.red, other.red);
      assert.ok(red > 50, `${scheme}: charts redrawn in the scheme's red (${red} px)`);
      assert.ok(stale < red / 20, `${scheme}: ${stale} px still in the other scheme's red`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  await t.test('a page with no host and no (or a broken) embedded session says so', async () => {
    const broken = staticReportHtml(initMessage(builtReport(), false)).replace(
      new RegExp(`(<script type="application/json" id="${EMBEDDED_INIT_ID}">)[^<]*`),
      '$1{"type":"init", broken',
    );
    const { page, problems } = await openPanel(browser, server.page(broken));
    await page.waitForSelector('.panel-message');
    assert.match(await textOf(page, '.panel-message'), /not valid JSON/);
    const missing = staticReportHtml(initMessage(builtReport(), false)).replace(
      `id="${EMBEDDED_INIT_ID}"`,
      'id="other"',
    );
    await page.goto(server.page(missing));
    await page.waitForSelector('.panel-message');
    assert.match(await textOf(page, '.panel-message'), /no host and no embedded session/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  await t.test('boots inside the real HTML report (core/report/html.ts)', async () => {
    const report = builtReport();
    const html = renderHtml(report, await loadPanelAssets(REPO_ROOT));
    const { page, problems } = await openPanel(browser, server.page(html));
    await waitForRender(page);
    await assertShowsReport(page, report);
    const ink = await canvasInk(page, 'chart-throughput');
    assert.ok(ink.drawn > 1000, `throughput chart draws (${ink.drawn} px)`);
    assert.deepEqual(problems, [], 'no CSP violation (Chromium reports them as console errors) and no error');
    await page.close();
  });
});
