/**
 * Reads the numbers the panel shows back into values, independently of the panel's own formatter,
 * and compares them with the report within the precision the panel displays.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { SessionReport } from '../../src/shared/model';
import { lastFullWindow } from '../../src/shared/vocabulary';

/** rows a collapsed panel table shows (webview/src/sections/rowLimit.ts) */
export const LAST_ROWS = 10;

const BYTE_UNITS: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15 };

export function parsePct(text: string): number | null {
  if (text.trim() === '—') return null;
  const m = /^(-?[\d.]+)%$/.exec(text.trim());
  assert.ok(m, `not a percentage: ${JSON.stringify(text)}`);
  return Number(m[1]);
}

export function parseBytes(text: string): number {
  const m = /^(-?[\d.]+) (B|kB|MB|GB|TB|PB)(\/s)?$/.exec(text.trim());
  assert.ok(m, `not a byte count: ${JSON.stringify(text)}`);
  return Number(m[1]) * (BYTE_UNITS[m[2] as string] as number);
}

/** seconds from "210 ms", "37.1 s", "1 min 34 s", "2 h 03 min" */
export function parseDuration(text: string): { s: number; tolerance: number } {
  const t = text.trim();
  let m = /^([\d.]+) ms$/.exec(t);
  if (m) return { s: Number(m[1]) / 1000, tolerance: 0.0005 };
  m = /^([\d.]+) s$/.exec(t);
  if (m) return { s: Number(m[1]), tolerance: 0.05 };
  m = /^(\d+) min (\d+) s$/.exec(t);
  if (m) return { s: 60 * Number(m[1]) + Number(m[2]), tolerance: 0.5 };
  m = /^(\d+) h (\d+) min$/.exec(t);
  if (m) return { s: 3600 * Number(m[1]) + 60 * Number(m[2]), tolerance: 30 };
  assert.fail(`not a duration: ${JSON.stringify(text)}`);
}

export function parseFactor(text: string): number {
  const m = /^([\d.]+)×$/.exec(text.trim());
  assert.ok(m, `not a factor: ${JSON.stringify(text)}`);
  return Number(m[1]);
}

export function parseCount(text: string): number {
  assert.match(text.trim(), /^\d{1,3}(,\d{3})*$/, `not a count: ${JSON.stringify(text)}`);
  return Number(text.replace(/,/g, ''));
}

/** seconds from "0:42", "12:05", "1:02:03" */
export function parseClock(text: string): number {
  const parts = text.trim().split(':').map(Number);
  assert.ok(
    parts.length >= 2 && parts.every((p) => Number.isInteger(p)),
    `not a clock: ${JSON.stringify(text)}`,
  );
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

export function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance + 1e-9,
    `${what}: shown ${actual}, report ${expected} (tolerance ${tolerance})`,
  );
}

/** a percentage shown with one decimal: within 0.05 points; null shows as — */
export function assertPct(text: string, expected: number | null | undefined, what: string): void {
  const shown = parsePct(text);
  if (expected === null || expected === undefined) {
    assert.equal(shown, null, `${what}: expected —, shown ${text}`);
    return;
  }
  assert.ok(shown !== null, `${what}: shown —, report ${expected}`);
  assertClose(shown, expected, 0.05, what);
}

/**
 * bytes shown with three significant digits: within 0.5 %; or, in a table whose unit is one for
 * every row (a small value in a large unit), within half the last digit shown
 */
export function assertBytes(text: string, expected: number, what: string): void {
  const m = /^-?\d+(?:\.(\d+))? (B|kB|MB|GB|TB|PB)/.exec(text.trim());
  const digit = m ? 10 ** -(m[1]?.length ?? 0) * (BYTE_UNITS[m[2] as string] as number) : 0;
  assertClose(parseBytes(text), expected, Math.max(0.005 * Math.abs(expected), digit / 2) + 0.5, what);
}

/** a coverage (bytes read ÷ dataset bytes) shown as a whole percentage */
export function assertCoverage(text: string, factor: number, what: string): void {
  const shown = parsePct(text);
  assert.ok(shown !== null, `${what}: shown —`);
  assertClose(shown, 100 * factor, 0.5, what);
}

export function assertDuration(text: string, expected: number, what: string): void {
  const { s, tolerance } = parseDuration(text);
  assertClose(s, expected, tolerance, what);
}

/** the cell texts of a table section, row by row */
export function tableTexts(page: Page, selector: string): Promise<string[][]> {
  return page.$$eval(selector, (rows) =>
    rows.map((r) => Array.from((r as HTMLTableRowElement).cells, (c) => c.textContent ?? '')),
  );
}

export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.textContent(selector)) ?? '';
}

export interface CanvasInk {
  width: number;
  height: number;
  /** pixels with any paint */
  drawn: number;
  /** opaque pixels within distance 40 of the colour asked for */
  near: number;
}

/** what a canvas holds: painted pixels, and those close to a colour (#rrggbb) */
export function canvasInk(page: Page, id: string, hex = '#000000'): Promise<CanvasInk> {
  return page.evaluate(
    ([canvasId, colour]) => {
      const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const n = parseInt(colour.slice(1), 16);
      const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
      let drawn = 0;
      let near = 0;
      for (let i = 0; i < data.length; i += 4) {
        const a = data[i + 3] as number;
        if (a > 0) drawn++;
        if (
          a > 200 &&
          Math.hypot((data[i] as number) - r, (data[i + 1] as number) - g, (data[i + 2] as number) - b) < 40
        )
          near++;
      }
      return { width: canvas.width, height: canvas.height, drawn, near };
    },
    [id, hex] as const,
  );
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** every number of the report that the panel shows, read back from the page */
export async function assertShowsReport(page: Page, report: SessionReport): Promise<void> {
  assertPct(await textOf(page, '[data-figure="stall"]'), report.dataStall.pct, 'header data stall');
  const last = report.epochs[report.epochs.length - 1];
  assert.equal(await textOf(page, '[data-figure="epoch"]'), last ? String(last.index) : '—', 'header epoch');
  const n = lastFullWindow(report.series);
  const readName = await textOf(page, '.figure-read dt');
  if (readName === 'Read now' && n >= 0) {
    assertBytes(
      (await textOf(page, '[data-figure="read"]')).replace('/s', ''),
      report.series.readBps[n] ?? 0,
      'read now (last full window)',
    );
  } else if (report.durationS > 0) {
    assert.equal(readName, 'Read (mean)', 'an ended session shows nothing "now"');
    assertBytes(
      (await textOf(page, '[data-figure="read"]')).replace('/s', ''),
      report.totals.rchar / report.durationS,
      'mean read rate',
    );
  }
  assertClose(
    parseFactor(await textOf(page, '[data-figure="reread"]')),
    report.reread.factor,
    0.005,
    'dataset passes',
  );
  assert.equal(
    Number(await textOf(page, '[data-figure="checkpoints"]')),
    report.checkpoints.length,
    'checkpoints',
  );

  const epochRows = await tableTexts(page, 'table.epochs tbody tr');
  const shownEpochs = report.epochs.slice(-Math.min(report.epochs.length, LAST_ROWS));
  assert.equal(epochRows.length, shownEpochs.length, 'one table row per epoch (the last ones of a long run)');
  shownEpochs.forEach((e, i) => {
    const [index, duration, read, coverage, cache, disk, stall] = epochRows[i] as string[];
    assert.equal(index, String(e.index));
    assertDuration(duration as string, e.endS - e.startS, `epoch ${e.index} duration`);
    assertBytes(read as string, e.bytesRead, `epoch ${e.index} bytes read`);
    assertCoverage(coverage as string, e.rereadFactor, `epoch ${e.index} coverage`);
    assertPct(cache as string, e.pageCacheHitPct, `epoch ${e.index} from cache`);
    assertBytes(disk as string, e.diskBytesRead, `epoch ${e.index} from disk`);
    assertPct(stall as string, e.stallPct, `epoch ${e.index} stall`);
  });

  const checkpointRows = await tableTexts(page, 'table.checkpoints tbody tr');
  const shownCheckpoints = report.checkpoints.slice(-Math.min(report.checkpoints.length, LAST_ROWS));
  assert.equal(checkpointRows.length, shownCheckpoints.length, 'one row per checkpoint (the last ones)');
  shownCheckpoints.forEach((c, i) => {
    const [time, path, size, duration, lost, site] = checkpointRows[i] as string[];
    assertClose(parseClock(time as string), c.startS, 0.5, `checkpoint ${i} time`);
    assert.equal(path, c.path);
    assertBytes(size as string, c.bytes, `checkpoint ${i} size`);
    assertDuration(duration as string, c.durationS, `checkpoint ${i} duration`);
    assertDuration(lost as string, c.lostS, `checkpoint ${i} training lost`);
    assert.equal(site, c.site ? `${baseName(c.site.file)}:${c.site.line}` : c.source);
  });

  const datasets = await page.$$eval('article.dataset', (cards) =>
    cards.map((card) => ({
      path: card.querySelector('h3')?.textContent ?? '',
      files: card.querySelector('[data-fact="files"]')?.textContent ?? '',
      bytes: card.querySelector('[data-fact="bytes"]')?.textContent ?? '',
    })),
  );
  assert.equal(datasets.length, report.datasets.length, 'one card per dataset');
  report.datasets.forEach((d, i) => {
    const shown = datasets[i] as { path: string; files: string; bytes: string };
    assert.equal(shown.path, d.path);
    assert.equal(parseCount(shown.files.replace(/\+$/, '')), d.files, 'dataset files');
    assertBytes(shown.bytes, d.bytes, 'dataset bytes');
  });
  const advice = await page.$$eval('.advice .message', (items) => items.map((m) => m.textContent));
  assert.deepEqual(
    advice,
    report.advice.map((a) => a.message),
  );
}
