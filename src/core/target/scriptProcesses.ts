/**
 * The running Python processes whose command line names a given script — the jobs a "Attach to
 * running job" lens can offer. One pass over /proc/PID/cmdline (relative script paths resolved
 * against /proc/PID/cwd); DataLoader workers, which share their parent's command line, are folded
 * into the job that started them. The answer is kept for a few seconds, so lenses asked for again
 * and again cost one scan.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';

export interface ScriptJob {
  pid: number;
  /** other processes with the same command line below it (workers) */
  workers: number;
}

const CACHE_MS = 3000;

interface ScriptProcess {
  pid: number;
  ppid: number;
  script: string;
}

async function processOf(pid: number): Promise<ScriptProcess | undefined> {
  try {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((a) => a.length > 0);
    if (!argv[0] || !/^python[\d.]*$/.test(basename(argv[0]))) return undefined;
    const arg = argv.slice(1).find((a) => a.endsWith('.py'));
    if (!arg) return undefined;
    const script = isAbsolute(arg) ? arg : resolve(await readlink(`/proc/${pid}/cwd`), arg);
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { pid, ppid, script };
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** The jobs running each script, read from /proc now. */
export async function scanScriptJobs(): Promise<Map<string, ScriptJob[]>> {
  const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
  const found = (await Promise.all(pids.map(processOf))).filter((p): p is ScriptProcess => p !== undefined);
  const byPid = new Map(found.map((p) => [p.pid, p]));
  const jobs = new Map<string, ScriptJob[]>();
  for (const p of found) {
    // a worker: its parent runs the same script
    if (byPid.get(p.ppid)?.script === p.script) continue;
    const list = jobs.get(p.script) ?? [];
    list.push({ pid: p.pid, workers: 0 });
    jobs.set(p.script, list);
  }
  for (const p of found) {
    let root = byPid.get(p.ppid);
    while (root && byPid.get(root.ppid)?.script === p.script) root = byPid.get(root.ppid);
    if (root?.script !== p.script) continue;
    const job = jobs.get(p.script)?.find((j) => j.pid === root.pid);
    if (job) job.workers++;
  }
  return jobs;
}

export class ScriptJobs {
  private cached: { at: number; jobs: Promise<Map<string, ScriptJob[]>> } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** the jobs running `script` (absolute path), from a scan at most CACHE_MS old */
  async running(script: string): Promise<ScriptJob[]> {
    if (!this.cached || this.now() - this.cached.at > CACHE_MS) {
      this.cached = { at: this.now(), jobs: scanScriptJobs().catch(() => new Map()) };
    }
    return (await this.cached.jobs).get(script) ?? [];
  }
}
