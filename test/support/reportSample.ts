/**
 * SessionReports built by hand for the report tests: every number is known, so a test can compare what a
 * format shows against it. `HOSTILE` strings go into every field that comes from the user's disk.
 */
import { REPORT_SCHEMA, type SessionReport } from '../../src/shared/model';

/** A file name that tries everything: markup, script, quotes, Markdown, CSV, newlines, bidi, U+FFFD. */
export const HOSTILE_NAME =
  '<img src=x onerror="window.__pwned=1">\'"`|*_[x](http://e.invalid)</script><!--,=cmd\u2028\n\u202e\ufffd.png';

export interface SampleOptions {
  /** put HOSTILE_NAME into paths, command line, environment and notes */
  hostile?: boolean;
  /** number of series windows (2 s each) */
  windows?: number;
  /** the session ended cleanly (default true) */
  ended?: boolean;
}

export function sampleReport(options: SampleOptions = {}): SessionReport {
  const evil = options.hostile ? HOSTILE_NAME : '';
  const windows = options.windows ?? 120;
  const t = Array.from({ length: windows }, (_, i) => 2 * (i + 1));
  const stallPct = t.map((_, i) => (i < 3 ? null : Math.round(100 * (20 + 15 * Math.sin(i / 7))) / 100));
  const readBps = t.map((_, i) => 40_000_000 + 1000 * (i % 17));
  const datasetPath = `/data/train${evil}`;
  return {
    schema: REPORT_SCHEMA,
    startedAt: '2025-01-02T03:04:05.000Z',
    target: {
      mode: 'launch',
      pid: 4242,
      command: ['python3', `train${evil}.py`, '--epochs', '3'],
      cwd: `/home/u/proj${evil}`,
    },
    env: {
      host: `gpu-node-1${evil}`,
      kernel: '6.1.0-28-amd64',
      cpus: 2,
      memBytes: 8 * 1024 ** 3,
      python: '3.11.2',
      torch: '1.13.0a0',
      disks: [{ name: `nvme0n1${evil}`, type: 'NVMe', sizeBytes: 512 * 1024 ** 3 }],
      gpus: [`NVIDIA A100${evil}`],
    },
    durationS: 2 * windows,
    ended:
      options.ended === false
        ? null
        : { type: 'end', s: 2 * windows, reason: 'exited', exitCode: 0, signal: null },
    dataStall: {
      pct: 23.45,
      method: 'exact',
      confidence: 'high',
      exactPct: 23.45,
      estimatedPct: 17.8,
      windowPct: 12.5,
      fetchPct: 15.1,
      prepPct: 8.35,
    },
    epochs: [
      epoch(0, 0.5, 90.25, 276_824_064, 296_201_011, 0, 1.047, 31.5),
      epoch(1, 90.25, 160.75, 276_824_064, 1_660_944, 99.4, 1.047, 18.25),
      epoch(2, 160.75, 2 * windows - 1, 276_824_064, 830_472, 99.7, 1.047, 17.5),
    ],
    reread: {
      factor: 3.141,
      datasetBytes: 264_241_152,
      bytesRead: 830_472_192,
      pageCacheHitPct: 64.05,
      residentPct: 97.5,
    },
    checkpoints: [
      {
        path: `/ckpt/epoch_0${evil}.pt`,
        bytes: 16_700_000,
        startS: 40.125,
        durationS: 0.875,
        lostS: 0.8,
        source: 'hook',
        site: { file: `/home/u/proj/train${evil}.py`, line: 88 },
      },
      {
        path: '/ckpt/last.pt',
        bytes: 16_700_001,
        startS: 120.5,
        durationS: 1.25,
        lostS: 1.125,
        source: 'burst',
      },
    ],
    datasets: [
      {
        path: datasetPath,
        files: 3000,
        bytes: 264_241_152,
        dirs: 10,
        histogram: [
          { le: 65536, count: 100, bytes: 4_000_000 },
          { le: 1048576, count: 2900, bytes: 260_241_152 },
          { le: null, count: 0, bytes: 0 },
        ],
        largestDirs: [{ path: `${datasetPath}/class_a`, files: 300 }],
        indexS: 0.42,
        partial: false,
        filesRead: 3000,
      },
    ],
    loaders: [
      {
        id: 1,
        site: { file: `/home/u/proj/train${evil}.py`, line: 42 },
        numWorkers: 2,
        batchSize: 32,
        pinMemory: false,
        persistentWorkers: false,
      },
    ],
    advice: [
      {
        id: 'raise-workers',
        severity: 'warning',
        message: `Training waits for data 23% of the time: raise num_workers${evil}`,
        evidence: [`stall 23.45% (exact)`, `2 workers on 2 CPUs${evil}`],
        site: { file: `/home/u/proj/train${evil}.py`, line: 42 },
      },
      {
        id: 'cache-fits',
        severity: 'info',
        message: 'The dataset fits in the page cache.',
        evidence: ['264 MB of 8.59 GB'],
      },
    ],
    series: {
      t,
      readBps,
      diskReadBps: readBps.map((v, i) => (i < 45 ? v : Math.round(v / 100))),
      writeBps: t.map((x) => (x === 42 || x === 122 ? 16_700_000 : 1234.5)),
      systemDiskReadBps: readBps.map((v) => v + 0.25),
      stallPct,
      gpuUtilPct: t.map((_, i) => (i % 2 ? 55.5 : null)),
    },
    totals: {
      rchar: 9_000_000_000,
      wchar: 40_000_000,
      readBytes: 300_000_000,
      writeBytes: 33_400_001,
      majorFaults: 12,
      cpuS: 300.5,
    },
    notes: [{ type: 'note', s: 12.5, level: 'warning', message: `inotifywait is missing${evil}` }],
  };
}

function epoch(
  index: number,
  startS: number,
  endS: number,
  bytesRead: number,
  diskBytesRead: number,
  pageCacheHitPct: number,
  rereadFactor: number,
  stallPct: number,
): SessionReport['epochs'][number] {
  return {
    index,
    startS,
    endS,
    bytesRead,
    diskBytesRead,
    rereadFactor,
    pageCacheHitPct,
    stallPct,
    filesRead: 3000,
    source: 'hook',
  };
}

/** The smallest report a session can produce: nothing measured yet (cut off right after its header). */
export function emptyReport(): SessionReport {
  return {
    schema: REPORT_SCHEMA,
    startedAt: '2025-01-02T03:04:05.000Z',
    target: { mode: 'attach', pid: 77, command: [] },
    env: { host: '', kernel: '', cpus: 0, memBytes: 0 },
    durationS: 0,
    ended: null,
    dataStall: { pct: null, method: 'estimated', confidence: 'low', windowPct: null },
    epochs: [],
    reread: { factor: 0, datasetBytes: 0, bytesRead: 0, pageCacheHitPct: 0 },
    checkpoints: [],
    datasets: [],
    loaders: [],
    advice: [],
    series: { t: [], readBps: [], diskReadBps: [], writeBps: [], systemDiskReadBps: [], stallPct: [] },
    totals: { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0, majorFaults: 0, cpuS: 0 },
    notes: [],
  };
}
