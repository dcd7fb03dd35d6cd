/**
 * Dataset indexing and watching on a million-file tree: indexDataset (GNU find stream, and the
 * Node fs fallback) against `du -s`, with the indexer's peak memory, and what watching that tree
 * costs (trainio's per-directory watcher, chokidar's per-file watches, inotifywait -r).
 *
 *   node --import tsx bench/index-vs-du.ts [--dirs 1000] [--files-per-dir 1000] [--runs 5] [--cold-runs 2]
 *
 * The tree (sparse files of 0–4 KiB: every file is a real inode to stat, without GBs of writes)
 * goes to os.tmpdir() and is removed at the end. Results: bench/index.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { watch } from 'chokidar';
import { indexDataset } from '../src/core/dataset/datasetIndexer';
import { DirectoryWatcher } from '../src/core/dataset/directoryWatcher';
import { withDefaults } from '../src/shared/settings';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

interface ChildResult {
  wallS: number;
  /** CPU of the process and of the children it waited for (find), seconds */
  totalCpuS: number;
  indexS?: number;
  files?: number;
  watches?: number;
  maxRssMB: number;
  baseRssMB: number;
  cpuS: number;
}

// ------------------------------------------------------------------------------------------
// child modes: one measurement per process, so that peak RSS belongs to that measurement only
// ------------------------------------------------------------------------------------------

/** CPU seconds of this process's waited-for children (/proc/self/stat cutime + cstime) */
function childrenCpuS(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ is 100 on Linux
}

function inotifyWatches(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      n += (readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/^inotify wd:/gm) ?? []).length;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

async function child(mode: string, dir: string): Promise<void> {
  global.gc?.();
  const baseRssMB = process.memoryUsage().rss / 2 ** 20;
  const cpu0 = process.cpuUsage();
  const children0 = childrenCpuS();
  const t0 = performance.now();
  const result: Partial<ChildResult> = {};
  if (mode === 'index-find' || mode === 'index-node' || mode === 'index-sample') {
    const r = await indexDataset(dir, {
      maxFiles: 10_000_000,
      walker: mode === 'index-node' ? 'node' : 'find',
      sampleSize: mode === 'index-sample' ? 256 : 0,
      lowPriority: false,
    });
    result.indexS = r.indexS;
    result.files = r.files;
  } else if (mode === 'watch-dirs') {
    const w = new DirectoryWatcher({ datasets: [dir], checkpoints: [] });
    w.start({
      startedAtMs: Date.now(),
      settings: withDefaults(),
      sink: { emit: () => undefined },
      now: () => 0,
      note: (_level: string, message: string) => console.error(message),
    });
    await w.ready();
    result.watches = inotifyWatches();
    await w.stop();
  } else if (mode === 'watch-chokidar') {
    const w = watch(dir, { ignoreInitial: true, persistent: false });
    let errors = 0;
    w.on('error', () => errors++);
    await new Promise<void>((r) => w.once('ready', () => r()));
    result.watches = inotifyWatches();
    if (errors > 0) console.error(`chokidar: ${errors} errors`);
    await w.close();
  }
  const cpu = process.cpuUsage(cpu0);
  result.wallS = (performance.now() - t0) / 1000;
  result.cpuS = (cpu.user + cpu.system) / 1e6;
  result.totalCpuS = result.cpuS + childrenCpuS() - children0;
  result.maxRssMB = process.resourceUsage().maxRSS / 1024;
  result.baseRssMB = baseRssMB;
  process.stdout.write(JSON.stringify(result));
}

// ------------------------------------------------------------------------------------------
// driver
// ------------------------------------------------------------------------------------------

function runChild(mode: string, dir: string): ChildResult {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', __filename, '--child', mode, dir],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  if (r.stderr.trim()) console.log(`  (${mode}: ${r.stderr.trim().split('\n')[0]})`);
  return JSON.parse(r.stdout) as ChildResult;
}

function timeDu(dir: string): { wallS: number; cpuS: number } {
  const c0 = childrenCpuS();
  const t0 = performance.now();
  const r = spawnSync('du', ['-s', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`du failed: ${r.stderr}`);
  return { wallS: (performance.now() - t0) / 1000, cpuS: childrenCpuS() - c0 };
}

function dropCaches(): boolean {
  spawnSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

/** wall seconds until `inotifywait -r` says its watches are established, and its peak RSS */
function inotifywaitSetup(dir: string): Promise<{ s: number; rssMB: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const c = spawn('inotifywait', ['-m', '-r', '-e', 'open', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.on('error', reject);
    let err = '';
    c.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!err.includes('Watches established')) return;
      const s = (performance.now() - t0) / 1000;
      const status = readFileSync(`/proc/${c.pid}/status`, 'utf8');
      const rssKB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      c.kill('SIGTERM');
      resolve({ s, rssMB: rssKB / 1024 });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f2 = (x: number): string => x.toFixed(2);

async function main(): Promise<void> {
  const dirs = opt('dirs', 1000);
  const perDir = opt('files-per-dir', 1000);
  const runs = opt('runs', 5);
  const root = mkdtempSync(join(tmpdir(), 'trainio-bench-index-'));
  try {
    console.log(
      `# ${dirs * perDir} files in ${dirs} directories under ${tmpdir()}; load average ${loadavg().map(f2).join(' ')}`,
    );
    const gen = `
import os, random, sys
root, dirs, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(1)
for d in range(dirs):
    p = os.path.join(root, "d%04d" % d)
    os.mkdir(p)
    for f in range(per):
        size = rng.randint(0, 4096)
        fd = os.open(os.path.join(p, "f%07d.bin" % f), os.O_WRONLY | os.O_CREAT, 0o644)
        if size:
            os.ftruncate(fd, size)
        os.close(fd)
`;
    const t0 = performance.now();
    const g = spawnSync('python3', ['-c', gen, root, String(dirs), String(perDir)], { encoding: 'utf8' });
    if (g.status !== 0) throw new Error(g.stderr);
    console.log(`generated in ${f2((performance.now() - t0) / 1000)} s`);

    timeDu(root); // warm the dentry and inode caches
    const du: { wallS: number; cpuS: number }[] = [];
    const find: ChildResult[] = [];
    for (let i = 0; i < runs; i++) {
      du.push(timeDu(root));
      find.push(runChild('index-find', root));
    }
    if (find.some((r) => r.files !== dirs * perDir)) throw new Error('indexDataset miscounted files');
    const node = runChild('index-node', root);
    const sample = runChild('index-sample', root);
    const duWall = median(du.map((d) => d.wallS));
    console.log(
      `\n## warm cache (median of ${runs} interleaved runs; load average ${loadavg().map(f2).join(' ')})\n`,
    );
    console.log('| what | wall s | wall ÷ du -s | CPU s (all processes) | peak RSS MB (baseline) |');
    console.log('|---|---|---|---|---|');
    console.log(`| du -s | ${f2(duWall)} | 1.00 | ${f2(median(du.map((d) => d.cpuS)))} | |`);
    const row = (name: string, rs: ChildResult[]): void => {
      const wall = median(rs.map((r) => r.indexS ?? NaN));
      const rss = Math.max(...rs.map((r) => r.maxRssMB));
      const base = Math.max(...rs.map((r) => r.baseRssMB));
      const cpu = median(rs.map((r) => r.totalCpuS));
      console.log(
        `| ${name} | ${f2(wall)} | ${f2(wall / duWall)} | ${f2(cpu)} | ${rss.toFixed(0)} (${base.toFixed(0)}) |`,
      );
    };
    row('indexDataset, parallel find streams', find);
    row('indexDataset, + 256-file sample', [sample]);
    row('indexDataset, Node fs.opendir + lstat', [node]);
    console.log(
      `\nall runs, wall s: du ${du.map((d) => f2(d.wallS)).join(' ')}; indexDataset ${find.map((r) => f2(r.indexS ?? NaN)).join(' ')}`,
    );

    const coldRuns = opt('cold-runs', 2);
    if (coldRuns > 0 && dropCaches()) {
      const coldDu: { wallS: number; cpuS: number }[] = [];
      const coldFind: ChildResult[] = [];
      for (let i = 0; i < coldRuns; i++) {
        dropCaches();
        coldDu.push(timeDu(root));
        dropCaches();
        coldFind.push(runChild('index-find', root));
      }
      const cw = median(coldDu.map((d) => d.wallS));
      const fw = median(coldFind.map((r) => r.indexS ?? NaN));
      console.log(
        `\n## cold cache (echo 3 > /proc/sys/vm/drop_caches before each run, median of ${coldRuns})\n`,
      );
      console.log(`du -s ${f2(cw)} s; indexDataset ${f2(fw)} s; ratio ${f2(fw / cw)}`);
      console.log(
        `all runs: du ${coldDu.map((d) => f2(d.wallS)).join(' ')}; indexDataset ${coldFind.map((r) => f2(r.indexS ?? NaN)).join(' ')}`,
      );
    } else {
      console.log('\n## cold cache\n\nnot measured: /proc/sys/vm/drop_caches cannot be written here');
    }

    console.log('\n## watching the tree\n');
    console.log('| watcher | tree | setup s | inotify watches | peak RSS MB (baseline) | CPU s |');
    console.log('|---|---|---|---|---|---|');
    const wd = runChild('watch-dirs', root);
    console.log(
      `| DirectoryWatcher (per directory) | ${dirs * perDir} files | ${f2(wd.wallS)} | ${wd.watches} | ${wd.maxRssMB.toFixed(0)} (${wd.baseRssMB.toFixed(0)}) | ${f2(wd.cpuS)} |`,
    );
    for (const n of [10, 100].filter((k) => k <= dirs)) {
      const part = mkdtempSync(join(root, 'part-'));
      for (let d = 0; d < n; d++) spawnSync('mv', [join(root, `d${String(d).padStart(4, '0')}`), part]);
      const ck = runChild('watch-chokidar', part);
      console.log(
        `| chokidar 4 (per file) | ${n * perDir} files | ${f2(ck.wallS)} | ${ck.watches} | ${ck.maxRssMB.toFixed(0)} (${ck.baseRssMB.toFixed(0)}) | ${f2(ck.cpuS)} |`,
      );
      for (const name of readdirSync(part)) spawnSync('mv', [join(part, name), root]);
      rmSync(part, { recursive: true });
    }
    const iw = await inotifywaitSetup(root);
    console.log(
      `| inotifywait -r -e open | ${dirs * perDir} files | ${f2(iw.s)} | ${dirs + 1} | ${iw.rssMB.toFixed(0)} (inotifywait) | |`,
    );
  } finally {
    const t0 = performance.now();
    rmSync(root, { recursive: true, force: true });
    console.log(`\n(tree removed in ${f2((performance.now() - t0) / 1000)} s)`);
  }
}

if (args[0] === '--child') void child(args[1], args[2]);
else void main();
