/**
 * Hostile strings — file names, command lines, advice, notes holding `<img src=x onerror=…>` — are
 * shown as text. Checked on a page WITHOUT a CSP (so markup injected anywhere would really run: a
 * positive control proves it does), and on the strict-CSP page (no violation may be reported).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { SessionReport } from '../../src/shared/model';
import {
  ensureWebviewBuilt,
  hasChromium,
  launchChromium,
  PanelServer,
  vscodePanelHtml,
} from '../support/panelPage';
import { hostPeerRecord, openPanel, sendToPanel, waitForRender } from './panelDriver';
import { requireTool } from '../support/tools';
import { HOSTILE, hostileReport, initMessage } from './panelReports';
import { textOf } from './shownNumbers';

type Flags = { __pwned?: unknown; __control?: unknown };

async function assertShownAsText(page: Page, report: SessionReport): Promise<void> {
  // an injected <img src=x> would fail to load within a few ms and run its onerror
  await page.waitForTimeout(300);
  assert.equal(
    await page.evaluate(() => (window as unknown as Flags).__pwned),
    undefined,
    'no injected handler ran',
  );
  assert.equal(await page.locator('img').count(), 0, 'no <img> element was created');
  assert.equal(await page.title(), `Training I/O — ${HOSTILE}`);
  assert.equal(await textOf(page, 'h1.title'), `Training I/O — ${HOSTILE}`);
  assert.ok(
    (await textOf(page, '.target')).includes(report.target.command.join(' ')),
    'command line shown verbatim',
  );
  assert.equal(await textOf(page, 'table.checkpoints td.path'), report.checkpoints[0]?.path);
  assert.equal(await textOf(page, 'article.dataset h3'), report.datasets[0]?.path);
  assert.equal(await textOf(page, 'table.largest-dirs tbody td'), report.datasets[0]?.largestDirs[0]?.path);
  assert.equal(await textOf(page, '.advice .message'), report.advice[0]?.message);
  assert.equal(await textOf(page, '.advice .evidence li'), report.advice[0]?.evidence[0]);
  assert.ok((await textOf(page, '.notes')).includes(`note ${HOSTILE}`));
  assert.ok((await textOf(page, '.notes')).includes(`Not readable on this system: ${HOSTILE}`));
  assert.equal(await page.getAttribute('.advice .site-link', 'title'), `Open /src/${HOSTILE}.py:3`);
  const shown = await page.evaluate(
    (needle) => document.body.textContent?.split(needle).length ?? 0,
    HOSTILE,
  );
  assert.ok(shown - 1 >= 10, `the hostile string is shown as text in every place (${shown - 1} times)`);
}

void test('hostile strings in a report', async (t) => {
  if (!requireTool(t, hasChromium(), 'Chromium (/usr/bin/chromium)', 'install it: apt-get install chromium'))
    return;
  ensureWebviewBuilt();
  const browser = await launchChromium();
  const server = await PanelServer.start();
  t.after(async () => {
    await browser.close();
    await server.close();
  });
  const report = hostileReport();
  const init = { ...initMessage(report), title: `Training I/O — ${HOSTILE}` };

  await t.test('render as text on a page with no CSP at all (positive control included)', async () => {
    const { page, problems } = await openPanel(
      browser,
      server.page(vscodePanelHtml(server.origin, { csp: false })),
    );
    await sendToPanel(page, init);
    await waitForRender(page);
    await assertShownAsText(page, report);
    await sendToPanel(page, { type: 'update', report });
    await sendToPanel(page, { type: 'ended', report });
    await waitForRender(page);
    await assertShownAsText(page, report);

    await page.click('.advice .site-link');
    const { received } = await hostPeerRecord(page);
    assert.deepEqual(received[received.length - 1], {
      type: 'openSite',
      site: { file: `/src/${HOSTILE}.py`, line: 3 },
    });

    // the control: on this page, markup that reaches innerHTML does run
    await page.evaluate((markup) => {
      const probe = document.createElement('div');
      probe.innerHTML = markup.replace('__pwned', '__control');
      document.body.append(probe);
    }, HOSTILE);
    await page.waitForFunction(() => (window as unknown as Flags).__control === 1, undefined, {
      timeout: 5000,
    });
    assert.equal(await page.evaluate(() => (window as unknown as Flags).__pwned), undefined);
    assert.deepEqual(
      problems.filter((p) => !p.includes('404')),
      [],
    );
    await page.close();
  });

  await t.test('render under the strict CSP with no violation reported', async () => {
    const { page, problems } = await openPanel(browser, server.page(vscodePanelHtml(server.origin)));
    await sendToPanel(page, init);
    await waitForRender(page);
    await assertShownAsText(page, report);
    assert.deepEqual((await hostPeerRecord(page)).violations, []);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
