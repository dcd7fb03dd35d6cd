/** Driving the panel page in Chromium: open it, talk to it through the host peer, switch themes. */
import type { Browser, Page } from 'playwright-core';
import type { HostToWebview } from '../../src/shared/protocol';
import type { HostPeerRecord, ThemeKind } from '../support/panelPage';

export interface PanelPage {
  page: Page;
  /** console errors and uncaught exceptions seen so far */
  problems: string[];
}

/** opens a URL, collecting console errors and page errors from the first moment */
export async function openPanel(
  browser: Browser,
  url: string,
  size = { width: 1100, height: 900 },
): Promise<PanelPage> {
  const page = await browser.newPage({ viewport: size });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, problems };
}

export function sendToPanel(page: Page, message: HostToWebview): Promise<void> {
  return page.evaluate(
    (m) => (window as unknown as { __hostPeer: { send(x: unknown): void } }).__hostPeer.send(m),
    message,
  );
}

export function hostPeerRecord(page: Page): Promise<HostPeerRecord> {
  return page.evaluate(() => {
    const p = (window as unknown as { __hostPeer: HostPeerRecord }).__hostPeer;
    return { received: p.received, state: p.state, violations: p.violations, errors: p.errors };
  });
}

export function setTheme(page: Page, kind: ThemeKind): Promise<void> {
  return page.evaluate(
    (k) => (window as unknown as { __hostPeer: { setTheme(x: string): void } }).__hostPeer.setTheme(k),
    kind,
  );
}

/** waits until the panel has drawn the given report (its duration shows in the header line) */
export async function waitForRender(page: Page): Promise<void> {
  await page.waitForSelector('[data-figure="stall"]');
  // two frames: updates are coalesced to one per animation frame
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}
