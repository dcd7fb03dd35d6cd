/**
 * Reports of real recorded sessions (test/fixtures/sessions/*.trainio.jsonl, each with the ground truth
 * its training job wrote): every format is exported from the loaded session and read back by a real
 * consumer, and what it shows is compared with the report and with the job's own truth.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  csvFileNames,
  exportReport,
  renderMarkdown,
  renderTrace,
  type ReportFormat,
} from '../../src/core/report/index';
import { TRACE_THREADS } from '../../src/core/report/trace';
import { loadSession } from '../../src/core/session/sessionReader';
import type { SessionReport } from '../../src/shared/model';
import { readTruth, toSessionS, type Truth } from '../support/truth';
import { requireTool, SYSTEM_PYTHON } from '../support/tools';

const FIXTURES = join('test', 'fixtures', 'sessions');
const fixtures = existsSync(FIXTURES)
  ? readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.trainio.jsonl'))
      .sort()
  : [];
const dir = mkdtempSync(join(tmpdir(), 'trainio-report-sessions-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** a checkpoint's start as the job logged it and as the hook recorded it differ by the hook's own timing */
const SAVE_START_TOLERANCE_S = 0.1;
/** epoch boundaries: the hook marks iterator creation, the job logs its epoch start a few ms apart */
const EPOCH_TOLERANCE_S = 0.1;

function truthOf(file: string): Truth {
  return readTruth(join(FIXTURES, file.replace('.trainio.jsonl', '.truth.jsonl')));
}

function startedAtMs(file: string): number {
  const header = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8').split('\n')[0]) as {
    startedAtMs: number;
  };
  return header.startedAtMs;
}

async function exportAll(report: SessionReport, stem: string): Promise<Record<ReportFormat, string>> {
  const out = {} as Record<ReportFormat, string>;
  for (const [format, ext] of [
    ['json', 'json'],
    ['md', 'md'],
    ['csv', 'csv'],
    ['trace', 'trace.json'],
    ['html', 'html'],
  ] as const) {
    out[format] = join(dir, `${stem}.${ext}`);
    await exportReport(format, [report], out[format]);
  }
  return out;
}

void test('recorded sessions are there to report on', () => {
  assert.ok(fixtures.length > 0, `no session fixtures in ${FIXTURES}`);
});

for (const fixture of fixtures) {
  void test(`every format of ${fixture} holds the session's numbers and the job's truth`, async (t) => {
    if (!requireTool(t, existsSync(SYSTEM_PYTHON), 'python3', 'apt-get install python3')) return;
    const report = await loadSession(join(FIXTURES, fixture));
    const truth = truthOf(fixture);
    const t0 = startedAtMs(fixture);
    const files = await exportAll(report, fixture.replace('.trainio.jsonl', ''));

    // JSON: the report itself, and stable facts of the run
    const json = JSON.parse(readFileSync(files.json, 'utf8')) as SessionReport;
    assert.deepEqual(json, JSON.parse(JSON.stringify(report)));
    assert.equal(json.schema, 'trainio.session/1');
    // an attached session sees only the epochs that started after it attached
    const seen = truth.epochs.filter((e) => toSessionS(e.startT, t0) >= -EPOCH_TOLERANCE_S);
    assert.equal(json.epochs.length, seen.length, 'one epoch per epoch the job ran while recorded');
    json.epochs.forEach((e, i) => {
      const start = toSessionS(seen[i].startT, t0);
      assert.ok(
        Math.abs(e.startS - start) <= EPOCH_TOLERANCE_S,
        `epoch ${i} starts at ${e.startS}, truth ${start}`,
      );
    });
    if (report.target.mode === 'launch') {
      assert.deepEqual(
        json.checkpoints.map((c) => [c.path, c.bytes]),
        truth.checkpoints.map((c) => [c.path, c.bytes]),
        'the hook saw every torch.save with its exact size',
      );
      json.checkpoints.forEach((c, i) => {
        const start = toSessionS(truth.checkpoints[i].t0, t0);
        assert.ok(
          Math.abs(c.startS - start) <= SAVE_START_TOLERANCE_S,
          `save ${i} at ${c.startS}, truth ${start}`,
        );
      });
    }

    // CSV, read back by python's csv module: the same epochs and checkpoints
    const names = csvFileNames(files.csv);
    const py = spawnSync(
      SYSTEM_PYTHON,
      [
        '-c',
        'import csv,json,sys; print(json.dumps([list(csv.DictReader(open(f, newline=""))) for f in sys.argv[1:]]))',
        names.series,
        names.epochs,
        names.checkpoints,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(py.status, 0, py.stderr);
    const [series, epochs, checkpoints] = JSON.parse(py.stdout) as Record<string, string>[][];
    assert.equal(series.length, report.series.t.length);
    assert.deepEqual(
      series.map((r) => Number(r.t)),
      report.series.t,
    );
    assert.deepEqual(
      epochs.map((r) => [Number(r.start_s), Number(r.end_s), Number(r.bytes_read)]),
      report.epochs.map((e) => [e.startS, e.endS, e.bytesRead]),
    );
    assert.deepEqual(
      checkpoints.map((r) => [r.path, Number(r.bytes)]),
      report.checkpoints.map((c) => [c.path, c.bytes]),
    );

    // trace: slices for each epoch and checkpoint, on named threads
    const trace = JSON.parse(readFileSync(files.trace, 'utf8')) as ReturnType<typeof renderTrace>;
    const slices = (tid: number) => trace.traceEvents.filter((e) => e.ph === 'X' && e.tid === tid);
    assert.equal(slices(TRACE_THREADS.epochs).length, seen.length);
    assert.deepEqual(
      slices(TRACE_THREADS.checkpoints).map((e) => e.args?.bytes),
      report.checkpoints.map((c) => c.bytes),
    );

    // Markdown: the same shape every time (golden structure), the numbers of this session
    const md = readFileSync(files.md, 'utf8');
    assert.deepEqual(
      md
        .split('\n')
        .filter((l) => l.startsWith('#'))
        .map((l) => l.replace(/ — .*/, '')),
      [
        '# trainio session report',
        '## Advice',
        '## Epochs',
        '## Checkpoints',
        '## Datasets',
        '## DataLoaders',
        '## Environment',
        ...(report.notes.length ? ['## Notes'] : []),
      ],
    );
    assert.equal(md, renderMarkdown(report));
    const epochRows = md
      .split('## Epochs')[1]
      .split('##')[0]
      .split('\n')
      .filter((l) => /^\| \d+ \|/.test(l));
    assert.equal(epochRows.length, seen.length);
    const stallShown = /\*\*Data stall\*\* \| ([\d.]+)%/.exec(md);
    assert.ok(stallShown && report.dataStall.pct !== null);
    assert.ok(
      Math.abs(Number(stallShown[1]) - report.dataStall.pct) < 0.051,
      'stall as the report has it, to 0.1',
    );

    // HTML: one self-contained file carrying the report
    const html = readFileSync(files.html, 'utf8');
    assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]+(src|href)=/i, 'nothing loaded from anywhere');
    assert.ok(statSync(files.html).size < 2_000_000);
  });
}

void test('a session file cut off mid-write still exports in every format', async () => {
  assert.ok(fixtures.length > 0);
  const source = join(FIXTURES, fixtures[0]);
  const cut = join(dir, 'cut.trainio.jsonl');
  copyFileSync(source, cut);
  const size = statSync(cut).size;
  truncateSync(cut, Math.floor(size * 0.6));
  const report = await loadSession(cut);
  assert.equal(report.ended, null);
  assert.ok(report.notes.some((n) => n.level === 'warning' && /cut short|no end record/.test(n.message)));
  const files = await exportAll(report, 'cut');
  assert.match(readFileSync(files.md, 'utf8'), /did not end cleanly/);
  assert.match(readFileSync(files.html, 'utf8'), /did not end cleanly/);
  assert.ok(JSON.parse(readFileSync(files.trace, 'utf8')).traceEvents.length > 0);
});

void test('two recorded sessions compare in Markdown and HTML', async () => {
  assert.ok(fixtures.length > 0);
  const a = await loadSession(join(FIXTURES, fixtures[0]));
  const b = await loadSession(join(FIXTURES, fixtures[fixtures.length - 1]));
  const md = join(dir, 'compare.md');
  const html = join(dir, 'compare.html');
  await exportReport('md', [a, b], md);
  await exportReport('html', [a, b], html);
  const text = readFileSync(md, 'utf8');
  const row = text.split('\n').find((l) => l.startsWith('| **Data stall**'));
  assert.ok(row, 'a data stall row');
  const cells = row.split('|').map((c) => c.trim());
  assert.ok(Math.abs(Number(cells[2].replace('%', '')) - a.dataStall.pct!) < 0.051);
  assert.ok(Math.abs(Number(cells[3].replace('%', '')) - b.dataStall.pct!) < 0.051);
  assert.match(readFileSync(html, 'utf8'), /trainio comparison/);
});
