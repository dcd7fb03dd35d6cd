/**
 * Report export at scale: a synthetic 24-hour launch-mode record stream (the process tree sampled every
 * 250 ms, 2 s stall windows, system counters every second, an epoch every 10 min, a checkpoint every
 * 30 min) is pushed through the session analyzer, and the resulting report exported in every format.
 * A hand-built report with a 43,200-window series (a day at one window per 2 s, not averaged by the
 * analyzer) is exported too. Prints a Markdown table of times and sizes.
 *
 *   node --import tsx bench/report.ts [hours]
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SessionAnalyzer } from '../src/core/analysis/sessionAnalyzer';
import { loadSession } from '../src/core/session/sessionReader';
import { recordLine } from '../src/core/session/sessionWriter';
import { csvFileNames, exportReport, type ReportFormat } from '../src/core/report/index';
import { RECORDING_SCHEMA, type SessionRecord, type SessionReport } from '../src/shared/model';
import { sampleReport } from '../test/support/reportSample';

const hours = Number(process.argv[2] ?? 24);
const TREE_S = 0.25;
const EPOCH_S = 600;
const SAVE_EVERY_S = 1800;
const SAVE_BYTES = 500_000_000;
const SAVE_S = 4;
const DATASET_BYTES = 50_000_000_000;

/** The records a day of launch-mode recording writes, in order. */
function* dayOfRecords(durationS: number): Generator<SessionRecord> {
  yield {
    type: 'header',
    schema: RECORDING_SCHEMA,
    startedAtMs: Date.UTC(2025, 0, 1),
    target: {
      mode: 'launch',
      pid: 4242,
      command: ['python3', 'train.py', '--epochs', '144'],
      cwd: '/home/u/proj',
    },
    datasets: ['/data/imagenet'],
    checkpoints: ['/ckpt'],
    intervalMs: 250,
    hook: true,
    env: { host: 'gpu-node-1', kernel: '6.1.0', cpus: 32, memBytes: 256e9, python: '3.11.2', torch: '2.3.0' },
  };
  yield {
    type: 'dataset',
    s: 0.2,
    path: '/data/imagenet',
    files: 1_281_167,
    bytes: DATASET_BYTES,
    dirs: 1000,
    histogram: [
      { le: 65536, count: 300_000, bytes: 12e9 },
      { le: 1048576, count: 981_167, bytes: 38e9 },
      { le: null, count: 0, bytes: 0 },
    ],
    largestDirs: [{ path: '/data/imagenet/n01440764', files: 1300 }],
    indexS: 42,
    partial: false,
  };
  yield {
    type: 'loader',
    s: 0.5,
    id: 1,
    pid: 4242,
    numWorkers: 8,
    batchSize: 256,
    site: { file: '/home/u/proj/train.py', line: 42 },
  };
  const readRate = DATASET_BYTES / EPOCH_S;
  let rchar = 0;
  let readBytes = 0;
  let writeBytes = 0;
  let sysRead = 0;
  for (let i = 1; i * TREE_S <= durationS; i++) {
    const s = i * TREE_S;
    const epoch = Math.floor(s / EPOCH_S);
    if (s % EPOCH_S === TREE_S) yield { type: 'epochMark', s: s - TREE_S, source: 'hook', loaderId: 1 };
    rchar += readRate * TREE_S;
    readBytes += (epoch === 0 ? 1 : 0.3) * readRate * TREE_S;
    sysRead += (epoch === 0 ? 1.05 : 0.35) * readRate * TREE_S;
    const inSave = s % SAVE_EVERY_S > 0 && s % SAVE_EVERY_S <= SAVE_S && s > SAVE_EVERY_S;
    if (inSave) writeBytes += (SAVE_BYTES / SAVE_S) * TREE_S;
    const io = {
      rchar: Math.round(rchar),
      wchar: Math.round(writeBytes),
      readBytes: Math.round(readBytes),
      writeBytes: Math.round(writeBytes),
      majorFaults: 0,
    };
    yield { type: 'tree', s, pids: [4242, 4243, 4244], io, cpuS: s * 6, rssBytes: 8e9, workers: 8 };
    if (i % 4 === 0) {
      const system = {
        diskReadBytes: Math.round(sysRead),
        diskWriteBytes: Math.round(writeBytes),
        memTotalBytes: 256e9,
        memAvailableBytes: 100e9,
        pageCacheBytes: 120e9,
        cpuPct: 70,
      };
      yield { type: 'system', s, ...system };
    }
    if (i % 8 === 0) {
      const waitS = 2 * (0.08 + 0.07 * Math.sin(s / 900));
      yield { type: 'stall', s, windowS: 2, method: 'exact', waitS, loopS: 2, confidence: 'high' };
    }
    if (s % SAVE_EVERY_S === 0) {
      yield {
        type: 'save',
        startS: s + 0.01,
        endS: s + SAVE_S,
        path: `/ckpt/step-${Math.round(s)}.pt`,
        bytes: SAVE_BYTES,
        source: 'hook',
        site: { file: '/home/u/proj/train.py', line: 88 },
      };
    }
  }
  yield { type: 'end', s: durationS, reason: 'exited', exitCode: 0, signal: null };
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, performance.now() - t0];
}

async function exportTimed(
  format: ReportFormat,
  report: SessionReport,
  file: string,
): Promise<[number, number]> {
  const t0 = performance.now();
  await exportReport(format, [report], file);
  const ms = performance.now() - t0;
  const files = format === 'csv' ? Object.values(csvFileNames(file)) : [file];
  return [ms, files.reduce((a, f) => a + statSync(f).size, 0)];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-bench-report-'));
  try {
    const durationS = hours * 3600;
    let records = 0;
    const [report, analyzeMs] = timed(() => {
      const analyzer = new SessionAnalyzer();
      for (const r of dayOfRecords(durationS)) {
        analyzer.add(r);
        records++;
      }
      return analyzer.report();
    });
    const large = sampleReport({ windows: (durationS / 2) | 0 });
    console.log(`| case | format | export (ms) | size (bytes) |`);
    console.log(`|---|---|---:|---:|`);
    console.log(
      `| ${hours} h record stream → analyzer | (${records} records, ${report.series.t.length} windows, ${report.epochs.length} epochs, ${report.checkpoints.length} checkpoints) | ${analyzeMs.toFixed(0)} | — |`,
    );
    for (const [name, r] of [
      ['analyzer report', report],
      [`hand-built report, ${large.series.t.length} windows`, large],
    ] as const) {
      for (const format of ['json', 'md', 'csv', 'trace', 'html'] as const) {
        const [ms, size] = await exportTimed(format, r, join(dir, `${name.length}.${format}`));
        console.log(`| ${name} | ${format} | ${ms.toFixed(0)} | ${size} |`);
      }
    }
    const [ms, size] = await exportTimed('md', report, join(dir, 'warm.md'));
    console.log(`| analyzer report, second md export (warm) | md | ${ms.toFixed(0)} | ${size} |`);

    // what `trainio report day.trainio.jsonl --format html` does: read the file, analyze, export
    const session = join(dir, 'day.trainio.jsonl');
    const out = createWriteStream(session);
    for (const r of dayOfRecords(durationS)) if (!out.write(recordLine(r) + '\n')) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
    const t0 = performance.now();
    const loaded = await loadSession(session);
    const loadMs = performance.now() - t0;
    const [htmlMs, htmlSize] = await exportTimed('html', loaded, join(dir, 'day.html'));
    console.log(
      `| ${hours} h session file (${statSync(session).size} bytes) → loadSession | — | ${loadMs.toFixed(0)} | — |`,
    );
    console.log(`| … → html | html | ${htmlMs.toFixed(0)} | ${htmlSize} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
