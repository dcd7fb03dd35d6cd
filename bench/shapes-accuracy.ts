/**
 * The accuracy matrix over job shapes: every reference shape (files read with read(), spawned and
 * persistent workers, LMDB, numpy memmap, HDF5, tar shards through an IterableDataset, DDP ranks)
 * recorded in launch mode (hook: exact stall) and with the hook off (attach-mode signals: estimated
 * stall), each number against the job's own truth: stall (per rank for DDP: the slowest rank's),
 * epochs, dataset passes (re-read factor), page-cache hit, checkpoints. Prints a Markdown table.
 *
 *   node --import tsx bench/shapes-accuracy.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionReport } from '../src/shared/model';
import { SYSTEM_PYTHON } from '../test/support/tools';
import { readRankTruths, readTruth, type Truth } from '../test/support/truth';
import { knobArgs, makeDataset, makeShapesDataset, tempDir, workloadScript } from '../test/support/workloads';

const quick = process.argv.includes('--quick');
const EPOCHS = 3;

interface Shape {
  name: string;
  format?: 'lmdb' | 'npy' | 'hdf5' | 'tar';
  ddp?: boolean;
  knobs: Record<string, string | number | boolean>;
}

const SHAPES: Shape[] = [
  { name: 'files, fork, 2 workers', knobs: { 'num-workers': 2, 'compute-ms': 20 } },
  { name: 'files, spawn, 2 workers', knobs: { 'num-workers': 2, 'compute-ms': 20, 'start-method': 'spawn' } },
  {
    name: 'files, persistent workers',
    knobs: { 'num-workers': 2, 'compute-ms': 20, 'persistent-workers': true },
  },
  { name: 'LMDB, 2 workers', format: 'lmdb', knobs: { 'num-workers': 2, 'compute-ms': 20 } },
  { name: 'numpy memmap, 2 workers', format: 'npy', knobs: { 'num-workers': 2, 'compute-ms': 20 } },
  { name: 'HDF5, 2 workers', format: 'hdf5', knobs: { 'num-workers': 2, 'compute-ms': 20 } },
  { name: 'tar shards (IterableDataset)', format: 'tar', knobs: { 'num-workers': 2, 'compute-ms': 20 } },
  {
    name: 'DDP 2 ranks (fork), straggler',
    ddp: true,
    knobs: {
      ranks: 2,
      'rank-start-method': 'fork',
      'num-workers': 1,
      'compute-ms': 20,
      'slow-rank': 1,
      'slow-rank-read-ms': 3,
    },
  },
  { name: 'DDP 2 ranks (mp.spawn)', ddp: true, knobs: { ranks: 2, 'num-workers': 1, 'compute-ms': 20 } },
];

function cli(args: string[], cwd: string): void {
  const r = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'cli.js'), ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`trainio ${args[0]} failed: ${r.stderr}`);
}

function fmt(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

function runShape(shape: Shape, hook: boolean, dir: string): string {
  const data = join(dir, 'data');
  const ckpt = join(dir, 'ckpt');
  mkdirSync(dir, { recursive: true });
  let script: Parameters<typeof workloadScript>[0] = 'train_torch.py';
  const extra: Record<string, string | number | boolean> = {};
  if (shape.format) {
    makeShapesDataset(data, { format: shape.format, samples: 1200, sampleKb: 32 });
    script = 'train_shapes.py';
    extra.format = shape.format;
  } else {
    makeDataset(data, { files: 600, minKb: 24, maxKb: 72, subdirs: 4 });
    if (shape.ddp) script = 'train_ddp.py';
  }
  const truthFile = join(dir, 'truth.jsonl');
  const job = [
    SYSTEM_PYTHON,
    workloadScript(script),
    ...knobArgs({
      data,
      epochs: EPOCHS,
      'batch-size': 16,
      ...shape.knobs,
      ...extra,
      'ckpt-dir': ckpt,
      'ckpt-every': 25,
      'ckpt-mb': 2,
      truth: truthFile,
    }),
  ];
  const session = join(dir, 's.jsonl');
  cli(
    [
      'record',
      '--out',
      session,
      '--dataset',
      data,
      '--checkpoints',
      ckpt,
      ...(hook ? [] : ['--no-hook']),
      '--',
      ...job,
    ],
    dir,
  );
  const out = join(dir, 'r.json');
  cli(['report', session, '--format', 'json', '--out', out], dir);
  const r = JSON.parse(readFileSync(out, 'utf8')) as SessionReport;
  const truths: Truth[] = shape.ddp ? readRankTruths(truthFile) : [readTruth(truthFile)];
  const truthStall = Math.max(...truths.map((t) => t.stallPct));
  const ckpts = truths.reduce((a, t) => a + t.checkpoints.length, 0);
  const slow = shape.ddp
    ? ` (rank ${r.dataStall.slowestRank ?? '?'} of ${r.ranks?.length ?? 0}; truth rank ${truths.findIndex((t) => t.stallPct === truthStall)})`
    : '';
  return [
    shape.name,
    hook ? 'launch' : 'attach',
    `${fmt(truthStall)} → ${fmt(r.dataStall.pct)} ${r.dataStall.method}${slow}`,
    fmt((r.dataStall.pct ?? NaN) - truthStall, 2),
    `${truths[0].epochs.length} → ${r.epochs.length}`,
    `${EPOCHS} → ${fmt(r.reread.factor, 3)} (${r.reread.method ?? 'read'})`,
    fmt(r.reread.pageCacheHitPct),
    `${ckpts} → ${r.checkpoints.length}`,
  ].join(' | ');
}

function main(): void {
  const rows: string[] = [];
  const shapes = quick ? SHAPES.filter((_, i) => i % 3 === 0) : SHAPES;
  for (const shape of shapes) {
    for (const hook of [true, false]) {
      const { dir, cleanup } = tempDir('bench-shapes');
      try {
        rows.push(`| ${runShape(shape, hook, dir)} |`);
      } catch (e) {
        rows.push(
          `| ${shape.name} | ${hook ? 'launch' : 'attach'} | failed: ${(e as Error).message.split('\n')[0]} | | | | | |`,
        );
      } finally {
        cleanup();
      }
      console.error(rows.at(-1));
    }
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `Load average at the end: ${load}. ${EPOCHS} epochs, batch 16, 2 MB checkpoints every 25 steps.\n`,
  );
  console.log(
    '| shape | mode | stall % truth → trainio | error (points) | epochs truth → trainio | dataset passes truth → trainio (method) | page-cache hit % | checkpoints truth → found |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

main();
