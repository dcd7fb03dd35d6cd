/**
 * Reports for the panel tests. `recordedReport()` prefers a real recorded session
 * (test/fixtures/sessions/*.trainio.jsonl through loadSession); `builtReport()` is a report shaped
 * like the measured PyTorch job (3000 .npy files, 264 MiB, 3 epochs, 16.7 MB checkpoints), with
 * every number known.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_SCHEMA, type SessionReport } from '../../src/shared/model';
import type { HostToWebview } from '../../src/shared/protocol';
import { loadSession } from '../../src/core/session/sessionReader';
import { REPO_ROOT } from '../support/panelPage';

export const HOSTILE = '<img src=x onerror=window.__pwned=1>';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'sessions');

/** a deterministic pseudo-random sequence in [0, 1) */
function noise(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/**
 * Every recorded session fixture (test/fixtures/sessions/*.trainio.jsonl), analysed by the real
 * session reader; the built report stands in only while no fixture is checked in.
 */
export async function recordedReports(): Promise<{ report: SessionReport; source: string }[]> {
  const files = existsSync(FIXTURES)
    ? readdirSync(FIXTURES)
        .filter((n) => n.endsWith('.trainio.jsonl'))
        .sort()
    : [];
  if (files.length === 0) return [{ report: builtReport(), source: 'built report (no recorded fixture)' }];
  return Promise.all(
    files.map(async (f) => ({ report: await loadSession(join(FIXTURES, f)), source: `fixture ${f}` })),
  );
}

/** does the report hold a call site anywhere the panel shows one? */
export function hasCallSites(report: SessionReport): boolean {
  return (
    report.checkpoints.some((c) => c.site) ||
    report.advice.some((a) => a.site) ||
    report.loaders.some((l) => l.site)
  );
}

export function initMessage(report: SessionReport, live = true): Extract<HostToWebview, { type: 'init' }> {
  return {
    type: 'init',
    title: 'Training I/O — train.py',
    live,
    report,
    thresholds: { warningPct: 5, errorPct: 20 },
    state: { sessionFile: '/tmp/session.trainio.jsonl' },
  };
}

interface EpochShape {
  startS: number;
  endS: number;
  diskBytesRead: number;
  stallPct: number;
}

const DATASET_BYTES = 276_824_064;
const EPOCH_READ = 289_835_000;
const TRAIN_PY = '/home/user/proj/train.py';

/** a 96 s session of 3 epochs sampled every 0.5 s (or `points` samples spread over `durationS`) */
export function builtReport(
  options: { points?: number; durationS?: number; ended?: boolean } = {},
): SessionReport {
  const durationS = options.durationS ?? 96;
  const points = options.points ?? 192;
  const step = durationS / points;
  const rand = noise(7);
  const shapes: EpochShape[] = [
    { startS: 0.8, endS: 0.395 * durationS, diskBytesRead: 296_201_011, stallPct: 46.8 },
    { startS: 0.395 * durationS, endS: 0.695 * durationS, diskBytesRead: 1_660_944, stallPct: 12.1 },
    { startS: 0.695 * durationS, endS: 0.99 * durationS, diskBytesRead: 830_472, stallPct: 11.4 },
  ];
  const checkpoints = [0.13, 0.32, 0.52, 0.84].map((f, i) => ({
    path: `/home/user/proj/checkpoints/step-${(i + 1) * 40}.pt`,
    bytes: 16_712_345 + i * 1024,
    startS: f * durationS,
    durationS: 0.21 + 0.02 * i,
    lostS: 0.18 + 0.02 * i,
    source: i === 3 ? ('burst' as const) : ('hook' as const),
    ...(i === 3 ? {} : { site: { file: TRAIN_PY, line: 57 } }),
  }));
  const t = Array.from({ length: points }, (_, i) => +((i + 1) * step).toFixed(3));
  const epochAt = (s: number) => shapes.find((e) => s >= e.startS && s < e.endS);
  const inCheckpoint = (s: number) =>
    checkpoints.some((c) => s >= c.startS && s < c.startS + Math.max(c.durationS, step));
  const readBps = t.map((s) => {
    const e = epochAt(s);
    return e ? Math.round((EPOCH_READ / (e.endS - e.startS)) * (0.85 + 0.3 * rand())) : 0;
  });
  const diskReadBps = t.map((s, i) => {
    const e = epochAt(s);
    return e
      ? Math.round(Math.min(readBps[i] ?? 0, e.diskBytesRead / (e.endS - e.startS)) * (0.9 + 0.2 * rand()))
      : 0;
  });
  const stallPct = t.map((s, i) => {
    const e = epochAt(s);
    if (i < 3 || !e) return null;
    return Math.max(0, Math.min(100, Math.round((e.stallPct + 16 * (rand() - 0.5)) * 10) / 10));
  });
  const totalDisk = shapes.reduce((sum, e) => sum + e.diskBytesRead, 0);
  const written = checkpoints.reduce((sum, c) => sum + c.bytes, 0);
  return {
    schema: REPORT_SCHEMA,
    startedAt: '2025-03-04T10:00:00.000Z',
    target: {
      mode: 'launch',
      pid: 31337,
      command: ['/usr/bin/python3', 'train.py', '--epochs', '3'],
      cwd: '/home/user/proj',
    },
    env: {
      host: 'gpu-node-1',
      kernel: '6.1.0-28-amd64',
      cpus: 2,
      memBytes: 8 * 1024 ** 3,
      python: '3.11.2',
      torch: '1.13.0a0',
    },
    durationS,
    ended:
      options.ended === false
        ? null
        : { type: 'end', s: durationS, reason: 'exited', exitCode: 0, signal: null },
    dataStall: {
      pct: 23.45,
      method: 'exact',
      confidence: 'high',
      exactPct: 23.45,
      estimatedPct: 17.8,
      windowPct: 11.2,
    },
    epochs: shapes.map((e, index) => ({
      index,
      startS: e.startS,
      endS: e.endS,
      bytesRead: EPOCH_READ,
      diskBytesRead: e.diskBytesRead,
      rereadFactor: EPOCH_READ / DATASET_BYTES,
      pageCacheHitPct: Math.max(0, 100 * (1 - e.diskBytesRead / EPOCH_READ)),
      stallPct: e.stallPct,
      filesRead: 3000,
      source: 'respawn',
    })),
    reread: {
      factor: (3 * EPOCH_READ) / DATASET_BYTES,
      datasetBytes: DATASET_BYTES,
      bytesRead: 3 * EPOCH_READ,
      pageCacheHitPct: 100 * (1 - totalDisk / (3 * EPOCH_READ)),
      residentPct: 97.6,
    },
    checkpoints,
    datasets: [
      {
        path: '/home/user/proj/data/train',
        files: 3000,
        bytes: DATASET_BYTES,
        dirs: 11,
        histogram: [
          { le: 4096, count: 0, bytes: 0 },
          { le: 65536, count: 420, bytes: 24_000_000 },
          { le: 131072, count: 1980, bytes: 200_000_000 },
          { le: 1048576, count: 600, bytes: 52_824_064 },
          { le: null, count: 0, bytes: 0 },
        ],
        largestDirs: Array.from({ length: 10 }, (_, i) => ({
          path: `/home/user/proj/data/train/class_${i}`,
          files: 300,
        })),
        indexS: 0.42,
        partial: false,
        filesRead: 3000,
      },
    ],
    loaders: [{ id: 1, site: { file: TRAIN_PY, line: 41 }, numWorkers: 2, batchSize: 32, pinMemory: false }],
    advice: [
      {
        id: 'stall-workers',
        severity: 'critical',
        message: 'Training waits for data 23% of the time: give the DataLoader more workers.',
        evidence: ['data stall 23.45% (exact)', 'num_workers=2 on 2 CPUs'],
        site: { file: TRAIN_PY, line: 41 },
      },
      {
        id: 'checkpoint-cost',
        severity: 'info',
        message: 'Checkpoints cost 0.8 s of training in all.',
        evidence: ['4 checkpoints, 66.9 MB'],
        site: { file: TRAIN_PY, line: 57 },
      },
    ],
    series: {
      t,
      readBps,
      diskReadBps,
      writeBps: t.map((s) => (inCheckpoint(s) ? Math.round(16_712_345 / Math.max(step, 0.21)) : 0)),
      systemDiskReadBps: diskReadBps.map((v) => v + Math.round(20_000 * rand())),
      stallPct,
    },
    totals: {
      rchar: 3 * EPOCH_READ + 1_000_000,
      wchar: written + 50_000,
      readBytes: totalDisk,
      writeBytes: written,
      majorFaults: 1200,
      cpuS: 150.5,
    },
    notes: [{ type: 'note', s: 0.1, level: 'info', message: 'hook active: data stall is exact' }],
  };
}

/** the same session grown to 24 hours with ~4000 points, 120 epochs and 96 checkpoints */
export function dayLongReport(): SessionReport {
  const base = builtReport({ points: 4000, durationS: 86_400, ended: false });
  const epochLength = 86_400 / 120;
  base.epochs = Array.from({ length: 120 }, (_, index) => ({
    ...(base.epochs[Math.min(index, 2)] as SessionReport['epochs'][number]),
    index,
    startS: index * epochLength + 0.8,
    endS: (index + 1) * epochLength,
  }));
  base.checkpoints = Array.from({ length: 96 }, (_, i) => ({
    path: `/home/user/proj/checkpoints/step-${(i + 1) * 1000}.pt`,
    bytes: 16_712_345,
    startS: (i + 0.5) * 900,
    durationS: 0.3,
    lostS: 0.25,
    source: 'hook' as const,
    site: { file: TRAIN_PY, line: 57 },
  }));
  return base;
}

/** hostile strings in every field that comes from the user's disk or command line */
export function hostileReport(): SessionReport {
  const r = builtReport();
  r.target.command = ['/usr/bin/python3', `train${HOSTILE}.py`, `--name=${HOSTILE}`];
  r.target.cwd = `/home/${HOSTILE}`;
  r.checkpoints = r.checkpoints.map((c) => ({
    ...c,
    path: `/ckpt/${HOSTILE}/last.pt`,
    site: { file: `/src/${HOSTILE}.py`, line: 9 },
  }));
  r.datasets = r.datasets.map((d) => ({
    ...d,
    path: `/data/${HOSTILE}`,
    largestDirs: [{ path: `/data/${HOSTILE}/dir`, files: 3000 }],
  }));
  r.advice = [
    {
      id: 'hostile',
      severity: 'warning',
      message: `Advice ${HOSTILE}`,
      evidence: [`evidence ${HOSTILE}`],
      site: { file: `/src/${HOSTILE}.py`, line: 3 },
    },
  ];
  r.loaders = [{ id: 1, site: { file: `/src/${HOSTILE}.py`, line: 1 }, numWorkers: 2 }];
  r.notes = [{ type: 'note', s: 1, level: 'warning', message: `note ${HOSTILE}` }];
  r.dataStall.missingSignals = [HOSTILE];
  return r;
}
