import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { csvFileNames, exportReport, renderCsv } from '../../src/core/report/index';
import { CHECKPOINT_COLUMNS, csvField, EPOCH_COLUMNS, SERIES_COLUMNS } from '../../src/core/report/csv';
import { emptyReport, HOSTILE_NAME, sampleReport } from '../support/reportSample';
import { requireTool, SYSTEM_PYTHON } from '../support/tools';

/** Python's csv module (a real consumer) reads each file back; numbers stay numbers, empty stays None. */
const READ_BACK = `
import csv, json, sys
out = {}
for name in sys.argv[1:]:
    with open(name, newline='', encoding='utf-8') as f:
        rows = list(csv.reader(f, strict=True))
    out[name] = rows
print(json.dumps(out))
`;

function readWithPython(t: TestContext, files: string[]): Record<string, string[][]> | null {
  const ok = existsSync(SYSTEM_PYTHON);
  if (!requireTool(t, ok, 'python3', 'install Debian python3 (apt-get install python3)')) return null;
  const r = spawnSync(SYSTEM_PYTHON, ['-c', READ_BACK, ...files], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, string[][]>;
}

/** the CSV cell as the number it stands for; '' is unknown */
function num(cell: string): number | null {
  return cell === '' ? null : Number(cell);
}

void test('the CSV tables parse back with python csv to exactly the report numbers', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-csv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const report = sampleReport({ hostile: true });
  const out = join(dir, 'report.csv');
  return exportReport('csv', [report], out).then((written) => {
    const names = csvFileNames(out);
    assert.deepEqual(written, [names.series, names.epochs, names.checkpoints]);
    assert.equal(names.epochs, join(dir, 'report.epochs.csv'));
    const back = readWithPython(t, written);
    if (!back) return;
    const series = back[names.series];
    assert.deepEqual(series[0], [...SERIES_COLUMNS]);
    assert.equal(series.length - 1, report.series.t.length);
    const s = report.series;
    series.slice(1).forEach((row, i) => {
      assert.deepEqual(row.map(num), [
        s.t[i],
        s.readBps[i],
        s.diskReadBps[i],
        s.writeBps[i],
        s.systemDiskReadBps[i],
        s.stallPct[i],
        s.gpuUtilPct![i],
      ]);
    });
    const epochs = back[names.epochs];
    assert.deepEqual(epochs[0], [...EPOCH_COLUMNS]);
    report.epochs.forEach((e, i) => {
      const row = epochs[i + 1];
      assert.deepEqual(row.slice(0, 10).map(num), [
        e.index,
        e.startS,
        e.endS,
        e.endS - e.startS,
        e.bytesRead,
        e.diskBytesRead,
        e.rereadFactor,
        e.pageCacheHitPct,
        e.stallPct,
        e.filesRead,
      ]);
      assert.equal(row[10], e.source);
    });
    const checkpoints = back[names.checkpoints];
    assert.deepEqual(checkpoints[0], [...CHECKPOINT_COLUMNS]);
    report.checkpoints.forEach((c, i) => {
      const row = checkpoints[i + 1];
      assert.equal(row[0], c.path, 'a path with quotes, commas and a newline reads back exactly');
      assert.deepEqual([row[1], row[2], row[3], row[4]].map(num), [c.bytes, c.startS, c.durationS, c.lostS]);
      assert.equal(row[5], c.source);
      assert.equal(row[6], c.site?.file ?? '');
      assert.equal(num(row[7]), c.site?.line ?? null);
    });
    assert.ok(report.checkpoints[0].path.includes(HOSTILE_NAME));
  });
});

void test('CSV fields follow RFC 4180 and never start a spreadsheet formula', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField(-1.5), '-1.5', 'numbers are never prefixed');
  assert.equal(csvField(1e21), '1e+21');
  assert.equal(csvField(NaN), '');
  assert.equal(csvField(null), '');
  const tables = renderCsv(sampleReport());
  assert.ok(tables.series.endsWith('\r\n') && !/[^\r]\n/.test(tables.series), 'CRLF line ends');
});

void test('an empty session writes the headers only', () => {
  const tables = renderCsv(emptyReport());
  assert.equal(tables.series, SERIES_COLUMNS.join(',') + '\r\n');
  assert.equal(tables.epochs, EPOCH_COLUMNS.join(',') + '\r\n');
  assert.equal(tables.checkpoints, CHECKPOINT_COLUMNS.join(',') + '\r\n');
});

void test('CSV file names: the series in the named file, the event tables beside it', () => {
  assert.deepEqual(csvFileNames('/o/run.CSV'), {
    series: '/o/run.CSV',
    epochs: '/o/run.epochs.csv',
    checkpoints: '/o/run.checkpoints.csv',
  });
  assert.deepEqual(csvFileNames('/o/run1'), {
    series: '/o/run1',
    epochs: '/o/run1.epochs.csv',
    checkpoints: '/o/run1.checkpoints.csv',
  });
});
