/**
 * CPU cost of the mapped-datasets source per tree tick, for 1, 2, 4 and 8 processes that each map
 * a 64 MiB dataset file and hold all of its pages (the worst case for the pagemap walk: every
 * page present). Each tick reads pagemap for every mapping and updates the union; maps are
 * re-read on the source's own schedule (every tick while a process is young, then less often).
 *
 *   node --import tsx bench/mapped-datasets.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MappedDatasets } from '../src/core/proc/mappedDatasets';
import { withDefaults } from '../src/shared/settings';

const FILE_MB = 64;
const TICKS = 200;

const HOLDER = `
import mmap, sys, time
f = open(sys.argv[1], 'rb')
m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
s = 0
for i in range(0, len(m), 4096): s += m[i]
print('ready', flush=True)
time.sleep(600)
`;

async function holders(n: number, file: string): Promise<ChildProcess[]> {
  const procs = Array.from({ length: n }, () =>
    spawn('python3', ['-c', HOLDER, file], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  await Promise.all(procs.map((p) => new Promise((resolve) => p.stdout?.once('data', resolve))));
  return procs;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mapped-'));
  const file = join(dir, 'x.bin');
  writeFileSync(file, Buffer.alloc(FILE_MB << 20, 7));
  console.log(`| processes | mapped | µs CPU per tick (median of ${TICKS}) | mean |`);
  console.log('|---|---|---|---|');
  try {
    for (const n of [1, 2, 4, 8]) {
      const procs = await holders(n, file);
      const startedAtMs = Date.now();
      const ctx = {
        startedAtMs,
        settings: withDefaults(),
        sink: { emit: () => undefined },
        now: () => (Date.now() - startedAtMs) / 1000,
        note: () => undefined,
      };
      const src = new MappedDatasets({ onSample: () => () => undefined }, [dir]);
      src.start(ctx);
      const live = procs.map((p) => ({ pid: p.pid ?? 0, startMs: startedAtMs - 60_000 }));
      const costs: number[] = [];
      for (let i = 0; i < TICKS; i++) {
        const before = src.cpuUs;
        src.tick({ live, exited: [] }, ctx.now());
        costs.push(src.cpuUs - before);
      }
      await src.stop();
      costs.sort((a, b) => a - b);
      const mean = costs.reduce((a, b) => a + b, 0) / costs.length;
      console.log(`| ${n} | ${n} × ${FILE_MB} MiB | ${costs[costs.length >> 1]} | ${mean.toFixed(0)} |`);
      for (const p of procs) p.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
