/**
 * Theming: the panel follows VS Code's light, dark and high-contrast themes — text through the CSS
 * variables, charts through colours read again when the body's theme class changes. Saves
 * test-results/panel-light.png and panel-dark.png for a person to look at.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  ensureWebviewBuilt,
  hasChromium,
  launchChromium,
  PanelServer,
  REPO_ROOT,
  rgbOf,
  THEMES,
  vscodePanelHtml,
  type ThemeKind,
} from '../support/panelPage';
import { hostPeerRecord, openPanel, sendToPanel, setTheme, waitForRender } from './panelDriver';
import { requireTool } from '../support/tools';
import { builtReport, initMessage } from './panelReports';
import { canvasInk } from './shownNumbers';

const RESULTS = join(REPO_ROOT, 'test-results');

function computed(
  page: Page,
  selector: string,
  property: 'color' | 'backgroundColor' | 'borderTopColor',
): Promise<string> {
  return page.$eval(selector, (e, p) => getComputedStyle(e)[p], property);
}

async function assertFollows(page: Page, kind: ThemeKind): Promise<void> {
  const vars = THEMES[kind].vars;
  const fg = vars['--vscode-foreground'] as string;
  await page.waitForFunction((want) => getComputedStyle(document.body).color === want, rgbOf(fg));
  assert.equal(
    await computed(page, 'h1.title', 'color'),
    rgbOf(fg),
    `${kind}: title in the theme's foreground`,
  );
  assert.equal(
    await computed(page, 'body', 'backgroundColor'),
    rgbOf(vars['--vscode-editor-background'] as string),
    `${kind}: editor background`,
  );
  // the data stall of this report (23.45 %) is above the error threshold (20 %)
  assert.equal(
    await computed(page, '[data-figure="stall"]', 'color'),
    rgbOf(vars['--vscode-errorForeground'] as string),
    `${kind}: stall figure in the error colour`,
  );
  const red = await canvasInk(page, 'chart-throughput', vars['--vscode-charts-red']);
  assert.ok(red.near > 50, `${kind}: disk reads drawn in this theme's red (${red.near} px)`);
}

void test('panel themes', async (t) => {
  if (!requireTool(t, hasChromium(), 'Chromium (/usr/bin/chromium)', 'install it: apt-get install chromium'))
    return;
  ensureWebviewBuilt();
  mkdirSync(RESULTS, { recursive: true });
  const browser = await launchChromium();
  const server = await PanelServer.start();
  t.after(async () => {
    await browser.close();
    await server.close();
  });
  const report = builtReport({ ended: false });

  await t.test('light → dark → high contrast: text and charts follow; screenshots saved', async () => {
    const { page, problems } = await openPanel(
      browser,
      server.page(vscodePanelHtml(server.origin, { theme: 'light' })),
      {
        width: 1000,
        height: 800,
      },
    );
    await sendToPanel(page, initMessage(report));
    await waitForRender(page);
    await assertFollows(page, 'light');
    await page.screenshot({ path: join(RESULTS, 'panel-light.png'), fullPage: true });

    await setTheme(page, 'dark');
    await assertFollows(page, 'dark');
    const lightRed = await canvasInk(page, 'chart-throughput', THEMES.light.vars['--vscode-charts-red']);
    assert.ok(lightRed.near < 5, `no light-theme red left after switching to dark (${lightRed.near} px)`);
    await page.screenshot({ path: join(RESULTS, 'panel-dark.png'), fullPage: true });

    await setTheme(page, 'high-contrast');
    await assertFollows(page, 'high-contrast');
    assert.equal(
      await computed(page, '.figure', 'borderTopColor'),
      rgbOf(THEMES['high-contrast'].vars['--vscode-contrastBorder'] as string),
      'high contrast: figures outlined with the contrast border',
    );
    await page.screenshot({ path: join(RESULTS, 'panel-high-contrast.png'), fullPage: true });
    assert.deepEqual((await hostPeerRecord(page)).violations, []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  await t.test('print: no buttons, page-friendly colours', async () => {
    const { page, problems } = await openPanel(
      browser,
      server.page(vscodePanelHtml(server.origin, { theme: 'dark' })),
    );
    await sendToPanel(page, initMessage(report));
    await waitForRender(page);
    assert.equal(await page.isVisible('.actions'), true);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('.actions'), false, 'Stop/Export are not printed');
    assert.equal(await computed(page, 'body', 'backgroundColor'), 'rgb(255, 255, 255)');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
