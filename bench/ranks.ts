/**
 * What following the ranks of a multi-rank job costs trainio: the tree sampler (rank finding and
 * per-rank counters) plus the stall sampler (one timer reading every rank's main thread), on a
 * process tree shaped like a DDP job (bench/jobs/rank_tree.py: a launcher, N ranks, one worker each,
 * ranks blocked on a pipe between short computes), for N = 1, 2, 4, 8. CPU is the recorder side's
 * process.cpuUsage() (user + system) in a separate Node process running an esbuild bundle, as the CLI
 * does; wake-ups are counted from the stall sampler's own timer (one per tick whatever N is).
 *
 *   node --import tsx bench/ranks.ts [seconds-per-run]
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { SYSTEM_PYTHON } from '../test/support/tools';
import { tempDir } from '../test/support/workloads';

const seconds = Number(process.argv[2] ?? 15);
const JOB = path.resolve('bench/jobs/rank_tree.py');

function bundle(dir: string): string {
  const entry = path.join(dir, 'ranks-entry.ts');
  const src = (p: string) => JSON.stringify(path.resolve(p));
  fs.writeFileSync(
    entry,
    `import { TreeSampler } from ${src('src/core/proc/treeSampler')};
     import { StallSampler } from ${src('src/core/stall/stallSampler')};
     import { withDefaults } from ${src('src/shared/settings')};
     const [pid, seconds] = process.argv.slice(2).map(Number);
     const startedAtMs = Date.now();
     const records = [];
     const ctx = { startedAtMs, settings: withDefaults(), sink: { emit: (r) => records.push(r) },
       now: () => (Date.now() - startedAtMs) / 1000, note: () => undefined };
     (async () => {
       const tree = new TreeSampler(pid);
       const stall = new StallSampler(pid, { tree });
       const c0 = process.cpuUsage();
       const t0 = performance.now();
       tree.start(ctx);
       stall.start(ctx);
       await new Promise((r) => setTimeout(r, seconds * 1000));
       await stall.stop();
       await tree.stop();
       const c = process.cpuUsage(c0);
       const wallMs = performance.now() - t0;
       const ranks = new Set(records.filter((r) => r.type === 'rank').map((r) => r.pid)).size;
       const windows = records.filter((r) => r.type === 'stall' && r.rank !== undefined).length;
       console.log(JSON.stringify({ cpuPct: ((c.user + c.system) / 1000 / wallMs) * 100, ranks, windows }));
     })();`,
  );
  const out = path.join(dir, 'ranks.js');
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', outfile: out, logLevel: 'error' });
  return out;
}

async function measure(
  bundled: string,
  ranks: number,
): Promise<{ cpuPct: number; ranks: number; windows: number }> {
  const job = spawn(SYSTEM_PYTHON, [JOB, '--ranks', String(ranks), '--seconds', String(seconds + 6)], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 1500));
  const r = spawnSync(process.execPath, [bundled, String(job.pid), String(seconds)], { encoding: 'utf8' });
  job.kill('SIGKILL');
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim()) as { cpuPct: number; ranks: number; windows: number };
}

async function main(): Promise<void> {
  const { dir, cleanup } = tempDir('bench-ranks');
  try {
    const bundled = bundle(dir);
    const rows: string[] = [];
    for (const n of [1, 2, 4, 8]) {
      const m = await measure(bundled, n);
      rows.push(`| ${n} | ${m.ranks} | ${m.windows} | ${m.cpuPct.toFixed(2)} % |`);
    }
    const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`Load average at the end: ${load}; ${seconds} s per run.\n`);
    console.log(
      '| ranks in the job | ranks recognised | stall windows | trainio CPU (tree + stall samplers), % of one core |',
    );
    console.log('|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    cleanup();
  }
}

void main();
