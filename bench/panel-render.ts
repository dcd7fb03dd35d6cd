/**
 * The live panel's cost per update in headless Chromium: a report is delivered the way the host
 * delivers it (a `message` event), and the time from the start of the animation frame that applies
 * it to the end of that frame's scripts (DOM + chart.js drawing) and to the next frame (style,
 * layout, paint) is read in the page. Series of 192 to 8000 points, with epochs and checkpoints
 * grown alongside; also the bundle's size. Prints a Markdown table.
 *
 *   node --import tsx bench/panel-render.ts [updates]
 */
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import type { SessionReport } from '../src/shared/model';
import {
  ensureWebviewBuilt,
  launchChromium,
  PanelServer,
  REPO_ROOT,
  vscodePanelHtml,
} from '../test/support/panelPage';
import { openPanel, sendToPanel, waitForRender } from '../test/webview/panelDriver';
import { builtReport, dayLongReport, initMessage } from '../test/webview/panelReports';

const updates = Number(process.argv[2] ?? 20);

function reportOf(points: number): SessionReport {
  if (points === 4000) return dayLongReport();
  const r = builtReport({ points, durationS: points * 2, ended: false });
  return r;
}

/**
 * in the page: one update of the report stored there, timed from the start of the frame that
 * applies it to the end of that frame's scripts, and to the next frame (style, layout, paint)
 */
function timeOneUpdate(i: number): Promise<{ script: number; frame: number }> {
  const report = structuredClone((window as unknown as { __report: SessionReport }).__report);
  report.dataStall.pct = 10 + (i % 30);
  return new Promise((done) => {
    let start = 0;
    requestAnimationFrame(() => (start = performance.now()));
    window.dispatchEvent(new MessageEvent('message', { data: { type: 'update', report } }));
    requestAnimationFrame(() => {
      const script = performance.now() - start;
      requestAnimationFrame(() => done({ script, frame: performance.now() - start }));
    });
  });
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  ensureWebviewBuilt();
  const minified = buildSync({
    entryPoints: [`${REPO_ROOT}/webview/src/main.ts`],
    bundle: true,
    minify: true,
    write: false,
    platform: 'browser',
    target: 'chrome114',
    format: 'iife',
  }).outputFiles[0]?.contents;
  const browser = await launchChromium();
  const server = await PanelServer.start();
  const rows: string[] = [];
  try {
    for (const points of [192, 1000, 4000, 8000]) {
      const report = reportOf(points);
      const { page, problems } = await openPanel(browser, server.page(vscodePanelHtml(server.origin)));
      const t0 = Date.now();
      await sendToPanel(page, initMessage(report));
      await waitForRender(page);
      const initMs = Date.now() - t0;
      const script: number[] = [];
      const frame: number[] = [];
      await page.evaluate((r) => ((window as unknown as { __report: SessionReport }).__report = r), report);
      for (let i = 0; i < updates; i++) {
        const r = await page.evaluate(timeOneUpdate, i);
        script.push(r.script);
        frame.push(r.frame);
      }
      if (problems.length) throw new Error(problems.join('\n'));
      rows.push(
        `| ${points} | ${report.epochs.length} | ${report.checkpoints.length} | ${initMs} | ` +
          `${quantile(script, 0.5).toFixed(1)} | ${quantile(script, 0.95).toFixed(1)} | ` +
          `${quantile(frame, 0.5).toFixed(1)} | ${quantile(frame, 0.95).toFixed(1)} |`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`updates per size: ${updates}`);
  if (minified) {
    console.log(
      `bundle (minified): ${(minified.length / 1024).toFixed(0)} KiB, gzip ${(gzipSync(minified).length / 1024).toFixed(0)} KiB`,
    );
  }
  console.log(
    '| points | epochs | checkpoints | init→drawn, ms (incl. IPC) | update script p50 ms | p95 | to next frame p50 ms | p95 |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

void main();
