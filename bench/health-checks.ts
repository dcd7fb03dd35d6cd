/**
 * What the health checks cost per tree tick, for a training tree of 1, 2, 4 and 8 processes (a
 * Python main that imported torch and forked N − 1 workers, each holding 64 MiB of its own memory,
 * so /proc/PID/smaps_rollup walks as many mappings as a real worker's). The checks run on a real
 * ProcessTree sample at the default tree rate (4 Hz, simulated clock): /dev/shm and descriptors
 * every tick, memory once a second, each worker's smaps_rollup every 5 s (or less often when its
 * reads are slow). CPU = process.cpuUsage().
 *
 *   node --import tsx bench/health-checks.ts [ticks]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { healthChecks } from '../src/core/health/healthMonitor';
import type { HealthCheck } from '../src/core/health/healthCheck';
import { ProcessTree } from '../src/core/proc/processTree';
import { DEFAULTS } from '../src/shared/settings';
import { SYSTEM_PYTHON } from '../test/support/tools';

const ticks = Number(process.argv[2] ?? 400);
const tickS = DEFAULTS.treeIntervalMs / 1000;

const JOB = `
import os, sys, time, torch
n = int(sys.argv[1])
for _ in range(n - 1):
    if os.fork() == 0:
        held = bytearray(64 << 20)
        for i in range(0, len(held), 4096): held[i] = 1
        time.sleep(600)
        os._exit(0)
print("ready", flush=True)
time.sleep(600)
`;

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function startTree(processes: number): Promise<ChildProcess> {
  const job = spawn(SYSTEM_PYTHON, ['-c', JOB, String(processes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  await new Promise<void>((resolve) => job.stdout?.once('data', () => resolve()));
  await new Promise((r) => setTimeout(r, 1500)); // the workers touch their memory
  return job;
}

function timeChecks(
  checks: HealthCheck[],
  tree: ProcessTree,
): { total: number; per: number[]; maxTick: number } {
  const per = checks.map(() => 0);
  let maxTick = 0;
  for (let i = 0; i < ticks; i++) {
    const sample = tree.sample();
    const s = i * tickS;
    const t0 = cpuUs();
    checks.forEach((c, k) => {
      const c0 = cpuUs();
      c.check(sample, s);
      per[k] += cpuUs() - c0;
    });
    maxTick = Math.max(maxTick, cpuUs() - t0);
  }
  const total = per.reduce((a, b) => a + b, 0);
  return { total: total / ticks, per: per.map((x) => x / ticks), maxTick };
}

async function main(): Promise<void> {
  const names = healthChecks().map((c) => c.constructor.name.replace(/Check$/, ''));
  console.log(
    `Health checks per tree tick, ${ticks} ticks at ${1 / tickS} Hz (simulated ${ticks * tickS} s)\n`,
  );
  console.log(
    `| processes | CPU µs per tick | % of one core at ${1 / tickS} Hz | worst tick µs | ${names.join(' | ')} |`,
  );
  console.log(`|---|---|---|---|${names.map(() => '---').join('|')}|`);
  for (const n of [1, 2, 4, 8]) {
    const job = await startTree(n);
    try {
      const tree = new ProcessTree(job.pid!, Date.now());
      const live = tree.sample().live.length;
      const r = timeChecks(healthChecks(), tree);
      tree.close();
      const pct = (r.total / (tickS * 1e6)) * 100;
      console.log(
        `| ${live} | ${r.total.toFixed(0)} | ${pct.toFixed(3)} % | ${r.maxTick.toFixed(0)} | ${r.per.map((x) => x.toFixed(0)).join(' | ')} |`,
      );
    } finally {
      process.kill(-job.pid!, 'SIGKILL'); // the forked workers too
    }
  }
}

void main();
