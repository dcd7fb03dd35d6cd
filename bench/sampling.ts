/**
 * What sampling costs trainio, measured against a real PyTorch job (4 persistent DataLoader workers):
 * - one /proc read with a kept-open file re-read at offset 0 vs open/read/close;
 * - one process-tree sample, one main-thread sample (thread + children + estimator);
 * - trainio's CPU per second of profiling with the default intervals (tree 4 Hz, system 1 Hz, main
 *   thread 50 Hz or 25 Hz with workers), next to a Node process running the same timers with empty
 *   callbacks.
 * CPU is process.cpuUsage() (user + system) over many iterations. Prints a Markdown report.
 *
 *   node --import tsx bench/sampling.ts [seconds-of-profiling]
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { ProcessTree } from '../src/core/proc/processTree';
import { ProcFile } from '../src/core/proc/procFile';
import { MainChildren } from '../src/core/stall/mainChildren';
import { StallEstimator } from '../src/core/stall/stallEstimator';
import { WORKERS_RATE_DIVISOR } from '../src/core/stall/stallSampler';
import { ThreadSampler } from '../src/core/stall/threadSampler';
import { DEFAULTS } from '../src/shared/settings';
import { SYSTEM_PYTHON } from '../test/support/tools';
import { makeDataset, tempDir, workloadScript } from '../test/support/workloads';

const profileS = Number(process.argv[2] ?? 20);
/** the main thread's sampling rate with workers (the benchmark's job has 4) */
const threadHz = 1000 / (DEFAULTS.threadIntervalMs * WORKERS_RATE_DIVISOR);

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** CPU µs per call of f, over n calls */
function perCall(n: number, f: () => unknown): number {
  for (let i = 0; i < Math.min(200, n); i++) f();
  const c0 = cpuUs();
  for (let i = 0; i < n; i++) f();
  return (cpuUs() - c0) / n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * trainio's CPU while its samplers run, measured in a separate Node process running an esbuild
 * bundle, as the CLI and the extension do (a TypeScript loader in the process doubles the cost of
 * every timer wake-up). `which`: tree, stall, system (comma-separated) or 'timers' for empty ones.
 */
function bundle(dir: string): string {
  const entry = path.join(dir, 'profile-entry.ts');
  const src = (p: string) => JSON.stringify(path.resolve(p));
  fs.writeFileSync(
    entry,
    `import { TreeSampler } from ${src('src/core/proc/treeSampler')};
     import { StallSampler } from ${src('src/core/stall/stallSampler')};
     import { SystemSampler } from ${src('src/core/system/systemSampler')};
     import { withDefaults } from ${src('src/shared/settings')};
     import { ThreadSampler } from ${src('src/core/stall/threadSampler')};
     import { MainChildren } from ${src('src/core/stall/mainChildren')};
     import { ProcessTree } from ${src('src/core/proc/processTree')};
     const [pid, which, seconds, data] = process.argv.slice(2);
     const startedAtMs = Date.now();
     const ctx = { startedAtMs, settings: withDefaults(), sink: { emit: () => undefined },
       now: () => (Date.now() - startedAtMs) / 1000, note: () => undefined };
     const sources = [];
     const timers = [];
     for (const w of which.split(',')) {
       if (w === 'tree') sources.push(new TreeSampler(Number(pid)));
       if (w === 'stall') sources.push(new StallSampler(Number(pid), { datasets: [data] }));
       if (w === 'system') sources.push(new SystemSampler());
       if (w === 'timers') timers.push(setInterval(() => undefined, ctx.settings.threadIntervalMs * ${WORKERS_RATE_DIVISOR}),
         setInterval(() => undefined, ctx.settings.treeIntervalMs), setInterval(() => undefined, 1000));
     }
     const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
     if (which === 'cold') {
       // each sampler call at its real rate, CPU measured around the call itself
       const thread = new ThreadSampler(Number(pid));
       const children = new MainChildren(Number(pid));
       const tree = new ProcessTree(Number(pid), Date.now());
       let n = 0, threadUs = 0, treeUs = 0, trees = 0;
       const t = setInterval(() => {
         const a = cpu(); thread.sample(); children.update(); threadUs += cpu() - a;
         if (n++ % 6 === 0) { const b = cpu(); tree.sample(); treeUs += cpu() - b; trees++; }
       }, ctx.settings.threadIntervalMs * ${WORKERS_RATE_DIVISOR});
       setTimeout(() => { clearInterval(t); console.log(JSON.stringify({ threadUs: threadUs / n, treeUs: treeUs / trees })); }, Number(seconds) * 1000);
     } else (async () => {
       const c0 = process.cpuUsage();
       const t0 = performance.now();
       for (const s of sources) await s.start(ctx as never);
       await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
       for (const s of sources) await s.stop();
       timers.forEach(clearInterval);
       const c = process.cpuUsage(c0);
       console.log(((c.user + c.system) / 1000 / (performance.now() - t0)) * 100);
     })();`,
  );
  const out = path.join(dir, 'profile.js');
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', outfile: out, logLevel: 'error' });
  return out;
}

function runBundled(bundled: string, pid: number, which: string, seconds: number, data: string): string {
  const r = spawnSync(process.execPath, [bundled, String(pid), which, String(seconds), data], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

function profiledCpuPct(bundled: string, pid: number, which: string, seconds: number, data: string): number {
  return Number(runBundled(bundled, pid, which, seconds, data));
}

async function main(): Promise<void> {
  const { dir, cleanup } = tempDir('bench-sampling');
  const data = `${dir}/data`;
  makeDataset(data, { files: 400, minKb: 8, maxKb: 24 });
  const job = spawn(
    SYSTEM_PYTHON,
    [
      workloadScript('train_torch.py'),
      '--data',
      data,
      '--epochs',
      '1000',
      '--batch-size',
      '16',
      '--num-workers',
      '4',
    ],
    { stdio: 'ignore' },
  );
  job.once('exit', () => undefined);
  const pid = job.pid as number;
  try {
    // wait for the 4 workers
    const children = new MainChildren(pid);
    for (let i = 0; i < 300 && children.live().size < 4; i++) {
      children.update();
      await sleep(100);
    }
    const workers = [...children.live()];
    if (workers.length < 4) throw new Error('the job did not start its workers');

    const rows: string[] = [];
    for (const name of ['stat', 'io', `task/${pid}/stat`, `task/${pid}/syscall`, `task/${pid}/schedstat`]) {
      const path = `/proc/${pid}/${name}`;
      const kept = new ProcFile(path);
      const reread = perCall(20000, () => kept.read());
      kept.close();
      const once = perCall(20000, () => fs.readFileSync(path, 'utf8'));
      rows.push(
        `| /proc/PID/${name} | ${reread.toFixed(1)} | ${once.toFixed(1)} | ${(once / reread).toFixed(1)}× |`,
      );
    }

    const tree = new ProcessTree(pid, Date.now());
    const first = tree.sample();
    const threads = first.live.reduce((s, p) => {
      try {
        return s + fs.readdirSync(`/proc/${p.pid}/task`).length;
      } catch {
        return s;
      }
    }, 0);
    const treeUs = perCall(3000, () => tree.sample());
    tree.close();

    const thread = new ThreadSampler(pid);
    const threadUs = perCall(20000, () => thread.sample());
    const main = new MainChildren(pid);
    const childrenUs = perCall(20000, () => main.update());
    const est = new StallEstimator({ windowS: 2 });
    let s = 0;
    const sample = thread.sample();
    if (sample === null) throw new Error('the job is gone');
    const x = { ...sample, s: 0, fd: null, fdInDataset: false, workers: 4 };
    const estimatorUs = perCall(20000, () => est.addSample({ ...x, s: (s += 0.02) }));
    thread.close();
    main.close();

    const bundled = bundle(dir);
    const idle = profiledCpuPct(bundled, pid, 'timers', profileS, data);
    const profiled = profiledCpuPct(bundled, pid, 'tree,stall,system', profileS, data);
    const treeOnly = profiledCpuPct(bundled, pid, 'tree', profileS, data);
    const stallOnly = profiledCpuPct(bundled, pid, 'stall', profileS, data);
    const cold = JSON.parse(runBundled(bundled, pid, 'cold', profileS, data)) as {
      threadUs: number;
      treeUs: number;
    };

    const perSecondUs =
      (1000 / DEFAULTS.treeIntervalMs) * treeUs + threadHz * (threadUs + childrenUs + estimatorUs);
    console.log(`## Sampling cost (${new Date().toISOString().slice(0, 10)}, ${process.arch}, node ${process.version})

Target: a PyTorch 1.13 job (\`train_torch.py\`, 4 persistent DataLoader workers): ${first.live.length} processes, ${threads} threads.

### One /proc read, CPU µs

| file | kept open, re-read at 0 | open/read/close | ratio |
|---|---|---|---|
${rows.join('\n')}

### One sample, CPU µs

| sample | µs | per second at the default rate |
|---|---|---|
| process tree (${first.live.length} processes: stat + io + children of every thread) | ${treeUs.toFixed(0)} | ${(((1000 / DEFAULTS.treeIntervalMs) * treeUs) / 1000).toFixed(2)} ms at ${1000 / DEFAULTS.treeIntervalMs} Hz |
| main thread (stat, schedstat, syscall, io) | ${threadUs.toFixed(1)} | ${((threadHz * threadUs) / 1000).toFixed(2)} ms at ${threadHz} Hz (with workers) |
| main thread's children (worker spawns) | ${childrenUs.toFixed(1)} | ${((threadHz * childrenUs) / 1000).toFixed(2)} ms |
| stall estimator, one sample | ${estimatorUs.toFixed(1)} | ${((threadHz * estimatorUs) / 1000).toFixed(2)} ms |
| sum of the reads above | | ${(perSecondUs / 1000).toFixed(2)} ms/s = ${(perSecondUs / 1e4).toFixed(2)}% of a core |

The same calls at their real rates (${threadHz} Hz and 4 Hz, ${profileS} s, bundled code): main thread + children
${cold.threadUs.toFixed(0)} µs, process tree ${cold.treeUs.toFixed(0)} µs per call.

### trainio's CPU while profiling, ${profileS} s each (bundled code in its own Node process)

Default intervals: tree ${DEFAULTS.treeIntervalMs} ms, system 1 s, main thread ${DEFAULTS.threadIntervalMs} ms, or ${DEFAULTS.threadIntervalMs * WORKERS_RATE_DIVISOR} ms once workers are seen (as here).

| what runs | % of one core |
|---|---|
| tree + stall + system samplers | ${profiled.toFixed(2)} |
| tree sampler alone | ${treeOnly.toFixed(2)} |
| stall sampler alone | ${stallOnly.toFixed(2)} |
| the same three timers with empty callbacks (the floor of Node's timer wake-ups) | ${idle.toFixed(2)} |
`);
  } finally {
    job.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    cleanup();
  }
}

void main();
