import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportReport, renderTrace, type TraceDocument, type TraceEvent } from '../../src/core/report/index';
import { MAX_TRACE_WINDOWS, TRACE_THREADS } from '../../src/core/report/trace';
import { emptyReport, sampleReport } from '../support/reportSample';
import { requireTool, SYSTEM_PYTHON } from '../support/tools';

const MB = 1e6;
const PHASES = new Set(['X', 'C', 'M', 'i']);
const METADATA = new Set([
  'process_name',
  'process_labels',
  'process_sort_index',
  'thread_name',
  'thread_sort_index',
]);

/** The Chrome trace event format, as chrome://tracing and Perfetto's JSON importer read it. */
function validateTraceFormat(doc: TraceDocument): void {
  assert.ok(Array.isArray(doc.traceEvents));
  assert.ok(doc.displayTimeUnit === 'ms' || doc.displayTimeUnit === 'ns');
  const named = new Set<string>();
  for (const e of doc.traceEvents) {
    assert.ok(PHASES.has(e.ph), `phase ${e.ph}`);
    assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid), 'pid/tid are integers');
    assert.equal(typeof e.name, 'string');
    if (e.ph === 'M') {
      assert.ok(METADATA.has(e.name), e.name);
      if (e.name.endsWith('_name')) assert.equal(typeof e.args?.name, 'string');
      if (e.name === 'thread_name') named.add(`${e.pid}/${e.tid}`);
      continue;
    }
    assert.ok(Number.isInteger(e.ts) && e.ts! >= 0, `ts in whole µs: ${e.ts}`);
    if (e.ph === 'X') assert.ok(Number.isInteger(e.dur) && e.dur! >= 0, `dur in whole µs: ${e.dur}`);
    if (e.ph === 'C') {
      const values = Object.values(e.args ?? {});
      assert.ok(
        values.length > 0 && values.every((v) => typeof v === 'number' && Number.isFinite(v)),
        e.name,
      );
    }
    if (e.ph === 'i') assert.ok(e.s === 'g' || e.s === 'p' || e.s === 't');
    if (e.ph === 'X' || e.ph === 'i')
      assert.ok(named.has(`${e.pid}/${e.tid}`), `slice on a named thread ${e.tid}`);
  }
}

const slices = (doc: TraceDocument, tid: number): TraceEvent[] =>
  doc.traceEvents.filter((e) => e.ph === 'X' && e.tid === tid);

void test('the trace follows the trace event format and holds the report numbers', () => {
  const report = sampleReport({ hostile: true });
  const doc = renderTrace(report);
  validateTraceFormat(doc);
  const epochs = slices(doc, TRACE_THREADS.epochs);
  assert.equal(epochs.length, report.epochs.length);
  report.epochs.forEach((e, i) => {
    assert.equal(epochs[i].name, `epoch ${e.index}`);
    assert.ok(Math.abs(epochs[i].ts! - e.startS * 1e6) <= 1, 'start within 1 µs');
    assert.ok(Math.abs(epochs[i].dur! - (e.endS - e.startS) * 1e6) <= 1, 'duration within 1 µs');
    assert.equal(epochs[i].args?.bytes_read, e.bytesRead);
  });
  const saves = slices(doc, TRACE_THREADS.checkpoints);
  assert.deepEqual(
    saves.map((s) => [s.ts, s.dur, s.args?.path, s.args?.bytes]),
    report.checkpoints.map((c) => [
      Math.round(c.startS * 1e6),
      Math.round(c.durationS * 1e6),
      c.path,
      c.bytes,
    ]),
  );
  assert.doesNotMatch(saves[0].name, /[\n\u202e]/, 'names shown in a viewer have visible controls');
  const reads = doc.traceEvents.filter((e) => e.name === 'Throughput (MB/s)');
  assert.equal(reads.length, report.series.t.length);
  reads.forEach((c, i) =>
    assert.ok(Math.abs((c.args!.read as number) - report.series.readBps[i] / MB) < 1e-9),
  );
  reads.forEach((c, i) =>
    assert.ok(Math.abs((c.args!.write as number) - report.series.writeBps[i] / MB) < 1e-9),
  );
  const stall = doc.traceEvents.filter((e) => e.name === 'Data stall (%)');
  assert.deepEqual(
    stall.map((c) => c.args!.stall),
    report.series.stallPct.filter((v) => v !== null),
  );
  // every window of the sample is ≥ 5 % once known: one merged slice from the first known window to the end
  const waits = slices(doc, TRACE_THREADS.stall);
  assert.equal(waits.length, 1);
  assert.equal(waits[0].ts, report.series.t[2] * 1e6);
  assert.equal(waits[0].ts! + waits[0].dur!, report.series.t.at(-1)! * 1e6);
});

void test('the trace of an empty session is valid and holds only metadata', () => {
  const doc = renderTrace(emptyReport());
  validateTraceFormat(doc);
  assert.ok(doc.traceEvents.every((e) => e.ph === 'M'));
});

void test('very long series are averaged down in the trace', () => {
  const doc = renderTrace(sampleReport({ windows: 2 * MAX_TRACE_WINDOWS + 10 }));
  const reads = doc.traceEvents.filter((e) => e.name === 'Throughput (MB/s)');
  assert.equal(reads.length, MAX_TRACE_WINDOWS);
});

void test('the trace file loads in real consumers: python json and the DevTools trace engine', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-trace-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const report = sampleReport({ hostile: true });
  const file = join(dir, 'session.trace.json');
  await exportReport('trace', [report], file);

  if (requireTool(t, existsSync(SYSTEM_PYTHON), 'python3', 'apt-get install python3')) {
    const strict = `import json,sys
def no(c): raise ValueError('non-standard JSON constant ' + c)
d = json.load(open(sys.argv[1], encoding='utf-8'), parse_constant=no)
print(len(d['traceEvents']), d['displayTimeUnit'])`;
    const r = spawnSync(SYSTEM_PYTHON, ['-c', strict, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${renderTrace(report).traceEvents.length} ms`);
  }

  type Engine = { analyzeTrace(f: string): Promise<{ parsedTrace: { data: DevToolsData } }> };
  let engine: Engine | undefined;
  try {
    const entry: string = '@paulirish/trace_engine/analyze-trace.mjs';
    engine = (await import(entry)) as Engine;
  } catch {
    engine = undefined;
  }
  if (
    !requireTool(t, engine !== undefined, '@paulirish/trace_engine', 'it is a dev dependency: run `npm ci`')
  )
    return;
  const { data } = (await engine!.analyzeTrace(file)).parsedTrace;
  const pid = report.target.pid;
  const threads = data.Renderer.processes.get(pid)?.threads;
  assert.ok(threads, 'the engine sees the training process');
  const names = new Map([...threads.entries()].map(([tid, th]) => [tid, th.name]));
  assert.equal(names.get(TRACE_THREADS.epochs), 'Epochs');
  assert.equal(names.get(TRACE_THREADS.checkpoints), 'Checkpoints');
  assert.equal(threads.get(TRACE_THREADS.epochs)!.entries.length, report.epochs.length);
  assert.equal(threads.get(TRACE_THREADS.checkpoints)!.entries.length, report.checkpoints.length);
  const bounds = data.Meta.traceBounds;
  assert.equal(bounds.min, report.epochs[0].startS * 1e6, 'the trace starts with the first epoch');
  assert.equal(bounds.max, report.series.t.at(-1)! * 1e6, 'and ends with the last window');
});

interface DevToolsData {
  Renderer: { processes: Map<number, { threads: Map<number, { name: string; entries: unknown[] }> }> };
  Meta: { traceBounds: { min: number; max: number } };
}
