// Runs the extension's own suite (test/extension/suite) inside a REAL VS Code extension host:
// code-server 4.100.3 (VS Code 1.100.3) from npm, driven by headless Chromium, offline. The suite
// profiles a real PyTorch job; this test passes only when mocha reports no failure (exit code 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureCodeServer,
  makeScratch,
  missingTools,
  REPO_ROOT,
  startCodeServer,
} from '../support/codeServer';
import { hasTorch, requireTool } from '../support/tools';
import { buildBundles, scratchWorkspace } from './hostSetup';
import { openWorkbench, within } from './workbench';

const SUITE_LIMIT_MS = 200_000;

void test(
  'the extension-host suite passes in a real VS Code (code-server 4.100.3)',
  { timeout: 420_000 },
  async (t) => {
    for (const m of missingTools()) if (!requireTool(t, false, m.what, m.howToGet)) return;
    if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install -y python3-torch'))
      return;
    const entry = ensureCodeServer((line) => t.diagnostic(line));
    buildBundles();
    const scratch = makeScratch();
    const server = await startCodeServer(entry, scratch, scratchWorkspace(scratch.root));
    const output: string[] = [];
    const shots = join(REPO_ROOT, 'test-results', 'extension-host');
    mkdirSync(shots, { recursive: true });
    // the suite asks for screenshots of what the user sees at its key moments
    const shoot = (line: string): void => {
      const name = /^\[\[trainio-screenshot\]\] ([\w-]+)$/.exec(line)?.[1];
      if (name) void workbench.page.screenshot({ path: join(shots, `${name}.png`) }).catch(() => undefined);
      // the panel's text as the user reads it, for the suite to check (scrolled to its top)
      const textFile = /^\[\[trainio-panel-text\]\] (\S+)$/.exec(line)?.[1];
      if (textFile) {
        const body = workbench.page
          .frameLocator('iframe.webview.ready')
          .frameLocator('#active-frame')
          .locator('body');
        void body
          .evaluate((b) => {
            b.ownerDocument.defaultView?.scrollTo(0, 0);
            return (b as HTMLElement).innerText;
          })
          .then((text) => writeFileSync(textFile, text))
          .catch((e: unknown) => writeFileSync(textFile, `could not read the panel: ${String(e)}`));
      }
    };
    const workbench = await openWorkbench(
      server,
      join(scratch.root, 'workspace'),
      {
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath: join(REPO_ROOT, 'out', 'test', 'suite', 'index.js'),
      },
      (line) => {
        output.push(line);
        shoot(line);
      },
      // the suite runs export → Open without the click that would let the page open a tab
      ['--disable-popup-blocking'],
    );
    // the report the extension opens in the browser: a tab of its own, kept as a screenshot
    workbench.page.context().on('page', (tab) => {
      void tab
        .waitForLoadState('load')
        .then(() => tab.screenshot({ path: join(shots, 'report-in-browser.png'), fullPage: false }))
        .catch(() => undefined);
    });
    try {
      const code = await within(workbench.exited, SUITE_LIMIT_MS, 'extension-host suite');
      assert.equal(code, 0, 'the extension-host suite failed (its report is above)');
      assert.match(output.join('\n'), /passing/, 'mocha reported its results');
    } catch (e) {
      console.log(`--- code-server output ---\n${server.output()}`);
      throw e;
    } finally {
      console.log(output.join('\n'));
      await workbench.close();
      await server.stop();
      rmSync(scratch.root, { recursive: true, force: true });
    }
  },
);
