/**
 * The Prometheus exporter against real recordings: every counter a session's records move is
 * checked against the session's own report (the analyses' totals), the exposition against promtool,
 * and the HTTP endpoint and textfile as a scraper and node_exporter see them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SessionAnalyzer } from '../../src/core/analysis/sessionAnalyzer';
import { JobMetrics } from '../../src/core/metrics/jobMetrics';
import { parseListenAddress } from '../../src/core/metrics/listenAddress';
import { MetricsExporter, type RecordingFeed } from '../../src/core/metrics/metricsExporter';
import { readSources } from '../../src/core/metrics/readSources';
import { Scrapers } from '../../src/core/metrics/scrapers';
import { readRecords } from '../../src/core/session/sessionReader';
import type { SessionRecord, SessionReport } from '../../src/shared/model';
import { hasCommand, requireTool } from '../support/tools';
import { tempDir } from '../support/workloads';

const FIXTURES = join(__dirname, '..', 'fixtures', 'sessions');

/** one sample of the exposition text: the value of `name{labels ⊇ match}` summed */
export function sampleSum(text: string, name: string, match: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(match).every(([k, v]) => labels[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

async function replay(
  file: string,
): Promise<{ metrics: JobMetrics; report: SessionReport; records: SessionRecord[] }> {
  const analyzer = new SessionAnalyzer();
  const records: SessionRecord[] = [];
  let metrics: JobMetrics | undefined;
  for await (const { record } of readRecords(file)) {
    analyzer.add(record);
    records.push(record);
    if (record.type === 'header') {
      metrics = new JobMetrics({
        host: record.env.host,
        version: '0.0.0-test',
        mode: record.target.mode,
        startedAtMs: record.startedAtMs,
        minCheckpointBytes: record.settings?.minCheckpointBytes ?? 1_000_000,
      });
    } else metrics!.add(record);
  }
  const report = analyzer.report();
  metrics!.refresh(report);
  return { metrics: metrics!, report, records };
}

for (const name of ['launch-torch.trainio.jsonl', 'attach-torch.trainio.jsonl']) {
  void test(`${name}: the counters equal the session report's totals`, async () => {
    const { metrics, report } = await replay(join(FIXTURES, name));
    const text = await metrics.text();
    const host = report.env.host;
    const d = report.dataStall;
    for (const method of ['exact', 'estimated'] as const) {
      const expected = method === d.method ? d.pct : method === 'exact' ? d.exactPct : d.estimatedPct;
      if (expected === undefined || expected === null) continue;
      const wait = sampleSum(text, 'trainio_data_wait_seconds_total', { host, rank: '0', method });
      const loop = sampleSum(text, 'trainio_loop_seconds_total', { host, rank: '0', method });
      assert.ok(
        Math.abs((100 * wait) / loop - expected) <= 0.01,
        `${method} stall ${(100 * wait) / loop} vs ${expected}`,
      );
    }
    // read() bytes split into page-cache hits and disk reads add up to rchar; what came from
    // storage (disk + mmap) covers read_bytes; all three are the bytes read as the report counts them
    const readCalls =
      sampleSum(text, 'trainio_read_bytes_total', { host, source: 'page_cache' }) +
      sampleSum(text, 'trainio_read_bytes_total', { host, source: 'disk' });
    assert.equal(readCalls, report.totals.rchar);
    const fetched =
      sampleSum(text, 'trainio_read_bytes_total', { source: 'disk' }) +
      sampleSum(text, 'trainio_read_bytes_total', { source: 'mmap' });
    assert.ok(fetched >= report.totals.readBytes);
    const hit =
      (100 * sampleSum(text, 'trainio_read_bytes_total', { source: 'page_cache' })) /
      sampleSum(text, 'trainio_read_bytes_total');
    assert.ok(
      Math.abs(hit - report.reread.pageCacheHitPct) <= 1,
      `cache hit ${hit} vs ${report.reread.pageCacheHitPct}`,
    );
    assert.equal(sampleSum(text, 'trainio_written_bytes_total', { host }), report.totals.writeBytes);
    assert.ok(Math.abs(sampleSum(text, 'trainio_cpu_seconds_total') - report.totals.cpuS) < 1e-6);
    assert.ok(report.checkpoints.length > 0, 'the fixture saves checkpoints');
    assert.equal(
      sampleSum(text, 'trainio_checkpoints_total', { host, rank: '0' }),
      report.checkpoints.length,
    );
    assert.equal(
      sampleSum(text, 'trainio_checkpoint_bytes_total'),
      report.checkpoints.reduce((a, c) => a + c.bytes, 0),
    );
    const seconds = report.checkpoints.reduce((a, c) => a + c.durationS, 0);
    assert.ok(
      Math.abs(sampleSum(text, 'trainio_checkpoint_seconds_total') - seconds) <=
        0.001 * report.checkpoints.length,
    );
    assert.equal(sampleSum(text, 'trainio_epoch', { host, rank: '0' }), report.epochs.length - 1);
    assert.equal(
      sampleSum(text, 'trainio_info', { host, mode: report.target.mode, version: '0.0.0-test' }),
      1,
    );
    // a second refresh with the same report counts nothing twice
    metrics.refresh(report);
    assert.equal(sampleSum(await metrics.text(), 'trainio_checkpoints_total'), report.checkpoints.length);
  });
}

void test('promtool accepts the exposition (names, types, help, units)', async (t) => {
  if (!requireTool(t, hasCommand('promtool', ['--version']), 'promtool', 'apt-get install prometheus'))
    return;
  const { metrics } = await replay(join(FIXTURES, 'launch-torch.trainio.jsonl'));
  metrics.add({ type: 'health', id: 'shm', severity: 'warning', value: 3, limit: 4 });
  metrics.add({ type: 'rank', s: 1, rank: 0, pid: 7, source: 'env', localRank: 0, worldSize: 2 });
  const text = await metrics.text();
  assert.equal(sampleSum(text, 'trainio_health_ratio', { check: 'shm' }), 0.75);
  assert.equal(sampleSum(text, 'trainio_health_severity', { check: 'shm' }), 1);
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
  assert.equal((r.stdout + r.stderr).trim(), '', 'no lint findings');
});

void test('ranks: per-rank counters, no byte counted twice when the tree starts splitting ranks', () => {
  const m = new JobMetrics({
    host: 'n1',
    version: 'v',
    mode: 'attach',
    startedAtMs: 0,
    minCheckpointBytes: 1,
  });
  const io = (rchar: number, readBytes = 0) => ({
    rchar,
    wchar: 0,
    readBytes,
    writeBytes: 0,
    majorFaults: 0,
  });
  const tree = (s: number, total: number, ranks?: [number, number][]): SessionRecord => ({
    type: 'tree',
    s,
    pids: [1],
    io: io(total),
    cpuS: 0,
    rssBytes: 0,
    workers: 0,
    ranks: ranks?.map(([rank, rchar]) => ({ rank, pid: 10 + rank, io: io(rchar), cpuS: 0, workers: 2 })),
  });
  m.add(tree(1, 1000));
  // the ranks are recognised: their own counters already hold what the whole tree counted
  m.add(
    tree(2, 1600, [
      [0, 700],
      [1, 800],
    ]),
  );
  m.add(
    tree(3, 2600, [
      [0, 1000],
      [1, 1500],
    ]),
  );
  m.add({
    type: 'stall',
    s: 3,
    rank: 1,
    windowS: 2,
    method: 'estimated',
    waitS: 1,
    loopS: 2,
    confidence: 'medium',
  });
  m.add({ type: 'save', startS: 1, endS: 1.5, path: '/c', bytes: 10, source: 'hook', rank: 1 });
  return m.text().then((text) => {
    assert.equal(sampleSum(text, 'trainio_read_bytes_total', { rank: '0' }), 1000 + 300);
    assert.equal(sampleSum(text, 'trainio_read_bytes_total', { rank: '1' }), 700);
    assert.equal(sampleSum(text, 'trainio_workers', { rank: '1' }), 2);
    assert.equal(sampleSum(text, 'trainio_data_wait_seconds_total', { rank: '1', method: 'estimated' }), 1);
    assert.equal(sampleSum(text, 'trainio_checkpoints_total', { rank: '1' }), 1);
    assert.equal(sampleSum(text, 'trainio_checkpoint_seconds_total', { rank: '1' }), 0.5);
  });
});

void test('read sources add up to the bytes read: read() hits and misses, mmap faults', () => {
  const d = (rchar: number, readBytes: number, majorFaults: number) =>
    readSources({ rchar, wchar: 0, readBytes, writeBytes: 0, majorFaults });
  assert.deepEqual(d(1000, 300, 0), { page_cache: 700, disk: 300, mmap: 0 });
  // an mmap'd dataset read from disk: read_bytes and faults, almost no rchar
  assert.deepEqual(d(100, 8192, 2), { page_cache: 0, disk: 100, mmap: 8092 });
  assert.deepEqual(d(0, 0, 3), { page_cache: 0, disk: 0, mmap: 3 * 4096 });
  assert.deepEqual(d(-5, -1, 0), { page_cache: 0, disk: 0, mmap: 0 });
});

void test('--metrics addresses: a port alone is loopback; host:port and [v6]:port as given', () => {
  assert.deepEqual(parseListenAddress('9400'), { host: '127.0.0.1', port: 9400 });
  assert.deepEqual(parseListenAddress('0.0.0.0:9400'), { host: '0.0.0.0', port: 9400 });
  assert.deepEqual(parseListenAddress('node-3:0'), { host: 'node-3', port: 0 });
  assert.deepEqual(parseListenAddress('[::1]:9400'), { host: '::1', port: 9400 });
  for (const bad of ['', 'x', ':9400', '9400:', '70000', 'a:b', '::1:9400']) {
    assert.throws(() => parseListenAddress(bad), /--metrics wants \[HOST:\]PORT/, bad);
  }
});

/** a recording replayed from a session file, record by record, as the Recorder delivers them */
class FileFeed implements RecordingFeed {
  private readonly analyzer = new SessionAnalyzer();
  private readonly listeners = new Set<(r: SessionRecord) => void>();
  constructor(readonly records: SessionRecord[]) {
    this.analyzer.add(records[0]);
  }
  report(): SessionReport {
    return this.analyzer.report();
  }
  onRecord(l: (r: SessionRecord) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  play(): void {
    for (const r of this.records.slice(1)) {
      this.analyzer.add(r);
      for (const l of this.listeners) l(r);
    }
  }
}

void test('the HTTP endpoint on loopback and the textfile: same values, atomic file, final scrape awaited', async () => {
  const { records, report } = await replay(join(FIXTURES, 'launch-torch.trainio.jsonl'));
  const { dir, cleanup } = tempDir('metrics');
  const textfile = join(dir, 'trainio.prom');
  const exporter = await MetricsExporter.open({
    listen: parseListenAddress('0'),
    textfile,
    version: 'v',
    minCheckpointBytes: 1_000_000,
  });
  try {
    const url = `http://127.0.0.1:${exporter.address!.port}`;
    assert.equal((await fetch(`${url}/metrics`)).status, 200, 'before the recording: empty, not an error');
    const feed = new FileFeed(records);
    exporter.attach(feed);
    feed.play();
    const res = await fetch(`${url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    assert.ok(sampleSum(body, 'trainio_loop_seconds_total') > 0);
    assert.equal((await fetch(`${url}/`)).status, 404);
    assert.equal((await fetch(`${url}/metrics`, { method: 'POST' })).status, 405);
    // a scraper every 200 ms: close() waits for its next scrape, which carries the final values
    const scraper = setInterval(() => void fetch(`${url}/metrics`).catch(() => undefined), 200);
    await new Promise((r) => setTimeout(r, 700));
    assert.ok(exporter.finalScrapeWaitMs() > 0 && exporter.finalScrapeWaitMs() <= 2 * 200 + 100);
    const t0 = Date.now();
    await exporter.close(report);
    clearInterval(scraper);
    assert.ok(Date.now() - t0 <= 400, `close waited ${Date.now() - t0} ms`);
    const file = readFileSync(textfile, 'utf8');
    assert.equal(sampleSum(file, 'trainio_checkpoints_total'), report.checkpoints.length);
    assert.equal(sampleSum(file, 'trainio_written_bytes_total'), report.totals.writeBytes);
    assert.deepEqual(readdirSync(dir), ['trainio.prom'], 'no temporary file left behind');
    await assert.rejects(fetch(`${url}/metrics`), 'the server is closed');
  } finally {
    await exporter.close();
    cleanup();
  }
  assert.equal(existsSync(dir), false);
});

void test('nobody scraping: close() does not wait', async () => {
  const exporter = await MetricsExporter.open({
    listen: parseListenAddress('0'),
    version: 'v',
    minCheckpointBytes: 1,
  });
  assert.equal(exporter.finalScrapeWaitMs(), 0);
  const t0 = Date.now();
  await exporter.close();
  assert.ok(Date.now() - t0 < 200);
});

void test('final scrapes: every scraper still coming is waited for, one that left is not', async () => {
  const s = new Scrapers();
  const t0 = Date.now() - 10_000;
  // Prometheus replica A every 1 s, replica B every 2 s; a curl that came twice long ago
  for (let i = 0; i <= 10; i++) s.begin('10.0.0.1 Prometheus/2', t0 + i * 1000);
  for (let i = 0; i <= 5; i++) s.begin('10.0.0.2 Prometheus/2', t0 + i * 2000);
  s.begin('10.0.0.9 curl', t0);
  s.begin('10.0.0.9 curl', t0 + 100);
  assert.deepEqual(
    s.active(t0 + 10_000).map((a) => [a.key, a.intervalMs]),
    [
      ['10.0.0.1 Prometheus/2', 1000],
      ['10.0.0.2 Prometheus/2', 2000],
    ],
  );
  assert.equal(s.finalWaitMs(30_000, t0 + 10_000), 4000);
  assert.equal(s.finalWaitMs(3000, t0 + 10_000), 3000);
  const waiting = s.everyScraperAgain(1000);
  s.begin('10.0.0.1 Prometheus/2');
  s.answered();
  s.begin('10.0.0.2 Prometheus/2');
  s.answered();
  assert.equal(await waiting, true);
  assert.equal(await s.everyScraperAgain(50), false, 'nobody scraped again');
  assert.equal(new Scrapers().finalWaitMs(30_000), 0);
});
