/**
 * The cost of one scrape of /metrics: bytes of the exposition and CPU per scrape, for one rank and
 * for a node of 8 ranks (and 64, an upper bound no node has), after an hour of records; plus the
 * refresh from the session report, which a scrape triggers at most once a second.
 *
 *   node --import tsx bench/metrics-scrape.ts [scrapes=200]
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { SessionAnalyzer } from '../src/core/analysis/sessionAnalyzer';
import { JobMetrics } from '../src/core/metrics/jobMetrics';
import type { SessionRecord } from '../src/shared/model';
import { FIXTURE } from './jobSessions';

const scrapes = Number(process.argv[2] ?? 200);

function hourOfRecords(m: JobMetrics, ranks: number): void {
  const io = (x: number) => ({
    rchar: x,
    wchar: x / 10,
    readBytes: x / 4,
    writeBytes: x / 10,
    majorFaults: 0,
  });
  for (let s = 0.25; s <= 3600; s += 0.25) {
    const tree: SessionRecord = {
      type: 'tree',
      s,
      pids: [1],
      io: io(s * 1e8),
      cpuS: s,
      rssBytes: 1e9,
      workers: 4 * ranks,
      ranks:
        ranks > 1
          ? Array.from({ length: ranks }, (_, r) => ({
              rank: r,
              pid: 100 + r,
              io: io((s * 1e8) / ranks),
              cpuS: s / ranks,
              workers: 4,
            }))
          : undefined,
    };
    m.add(tree);
    if (Math.round(s * 4) % 8 === 0) {
      for (let r = 0; r < ranks; r++) {
        m.add({
          type: 'stall',
          s,
          rank: r,
          windowS: 2,
          method: 'exact',
          waitS: 0.3,
          loopS: 2,
          confidence: 'high',
        });
      }
    }
  }
  for (const id of ['shm', 'fds', 'memory', 'worker-memory'])
    m.add({ type: 'health', id, severity: 'info', value: 1, limit: 10 });
}

async function main(): Promise<void> {
  const analyzer = new SessionAnalyzer();
  for (const line of readFileSync(FIXTURE, 'utf8').split('\n'))
    if (line) analyzer.add(JSON.parse(line) as SessionRecord);
  const rows: string[] = [];
  for (const ranks of [1, 8, 64]) {
    const m = new JobMetrics({
      host: 'node-00',
      version: '0.1.0',
      mode: 'launch',
      startedAtMs: 0,
      minCheckpointBytes: 1e6,
    });
    hourOfRecords(m, ranks);
    await m.text();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let bytes = 0;
    for (let i = 0; i < scrapes; i++) bytes = Buffer.byteLength(await m.text());
    const cpu = process.cpuUsage(cpu0);
    const wallMs = (performance.now() - t0) / scrapes;
    const cpuMs = (cpu.user + cpu.system) / 1000 / scrapes;
    const lines = (await m.text()).split('\n').filter((l) => l && !l.startsWith('#')).length;
    rows.push(
      `| ${ranks} | ${lines} | ${(bytes / 1000).toFixed(1)} kB | ${cpuMs.toFixed(2)} ms | ${wallMs.toFixed(2)} ms |`,
    );
  }
  const cpu0 = process.cpuUsage();
  const n = 50;
  for (let i = 0; i < n; i++) analyzer.report();
  const c = process.cpuUsage(cpu0);
  console.log('| ranks on the node | series | bytes per scrape | CPU per scrape | wall per scrape |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
  console.log(
    `\nRefresh from the session report (at most once a second, on a scrape): report() of the fixture session ${((c.user + c.system) / 1000 / n).toFixed(2)} ms CPU.`,
  );
}

void main();
