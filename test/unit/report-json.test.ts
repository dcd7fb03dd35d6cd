import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isTrainioError } from '../../src/core/errors';
import { exportReport, renderJson } from '../../src/core/report/index';
import { REPORT_SCHEMA } from '../../src/shared/model';
import { emptyReport, sampleReport } from '../support/reportSample';

void test('the JSON export is the SessionReport itself, schema trainio.session/1', () => {
  const report = sampleReport({ hostile: true });
  const parsed = JSON.parse(renderJson(report)) as typeof report;
  assert.equal(parsed.schema, REPORT_SCHEMA);
  const expected = structuredClone(report);
  expected.datasets[0].histogram[2].le = null;
  assert.deepEqual(parsed, expected);
});

void test('numbers JSON cannot hold are written as null', () => {
  const report = emptyReport();
  report.datasets.push({
    path: '/d',
    files: 1,
    bytes: 1,
    dirs: 1,
    histogram: [{ le: Infinity, count: 1, bytes: 1 }],
    largestDirs: [],
    indexS: 0,
    partial: false,
  });
  report.series = {
    t: [1],
    readBps: [NaN],
    diskReadBps: [0],
    writeBps: [0],
    systemDiskReadBps: [0],
    stallPct: [null],
  };
  const parsed = JSON.parse(renderJson(report)) as typeof report;
  assert.equal(parsed.datasets[0].histogram[0].le, null);
  assert.equal(parsed.series.readBps[0], null);
});

void test('exportReport writes the file (creating its folder) and leaves no temporary file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-json-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'nested', 'session.json');
  const written = await exportReport('json', [sampleReport()], out);
  assert.deepEqual(written, [out]);
  assert.equal(readFileSync(out, 'utf8'), renderJson(sampleReport()));
  assert.deepEqual(readdirSync(join(dir, 'nested')), ['session.json']);
});

void test('exportReport refuses what it cannot do with a one-line USAGE error', async () => {
  const two = [sampleReport(), sampleReport()];
  for (const format of ['json', 'csv', 'trace'] as const) {
    await assert.rejects(exportReport(format, two, join(tmpdir(), 'never-written')), (e: unknown) => {
      assert.ok(isTrainioError(e) && e.code === 'USAGE');
      assert.match(e.message, new RegExp(`html or md, not ${format}`));
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  }
  await assert.rejects(
    exportReport('json', [], '/x'),
    (e: unknown) => isTrainioError(e) && e.code === 'USAGE',
  );
  await assert.rejects(
    exportReport('pdf' as never, [sampleReport()], '/x'),
    (e: unknown) => isTrainioError(e) && e.code === 'USAGE' && /html, md, csv, json, trace/.test(e.message),
  );
});

void test('an HTML export without the built panel says how to build it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-noassets-'));
  try {
    await assert.rejects(
      exportReport('html', [sampleReport()], join(dir, 'r.html'), { assetsRoot: dir }),
      (e: unknown) => isTrainioError(e) && e.code === 'UNSUPPORTED' && /npm run build/.test(e.message),
    );
    assert.deepEqual(readdirSync(dir), [], 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
