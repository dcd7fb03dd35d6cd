/**
 * Memory as the health checks read it: a process's private and proportional memory
 * (/proc/PID/smaps_rollup — a few ms and the target's mmap lock, so callers read it rarely), the
 * system's MemAvailable (/proc/meminfo) and the memory limit of the job's cgroup (v2 memory.max /
 * memory.current / memory.events, or v1 memory.limit_in_bytes / usage_in_bytes / oom_control).
 * A cgroup's use is its working set, as the kubelet and cAdvisor count it: the charged bytes less
 * the inactive file cache (memory.stat), which the kernel reclaims before it kills anything — a
 * job that read its dataset through the page cache is not "at its limit" for that.
 */
import * as fs from 'node:fs';
import { readProcOnce } from '../proc/procFile';

export interface ProcessMemory {
  /** Private_Clean + Private_Dirty */
  privateBytes: number;
  pssBytes: number;
  rssBytes: number;
}

/** `Key:   123 kB` lines → bytes by key */
function kbFields(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+) kB/.exec(line);
    if (m) out.set(m[1], Number(m[2]) * 1024);
  }
  return out;
}

export function parseSmapsRollup(text: string): ProcessMemory | null {
  const f = kbFields(text);
  const rss = f.get('Rss');
  if (rss === undefined) return null;
  return {
    privateBytes: (f.get('Private_Clean') ?? 0) + (f.get('Private_Dirty') ?? 0),
    pssBytes: f.get('Pss') ?? 0,
    rssBytes: rss,
  };
}

export function processMemory(pid: number): ProcessMemory | null {
  const r = readProcOnce(`/proc/${pid}/smaps_rollup`);
  return r.ok ? parseSmapsRollup(r.text) : null;
}

export interface SystemMemory {
  totalBytes: number;
  availableBytes: number;
}

export function parseMeminfo(text: string): SystemMemory | null {
  const f = kbFields(text);
  const total = f.get('MemTotal');
  const available = f.get('MemAvailable');
  return total === undefined || available === undefined
    ? null
    : { totalBytes: total, availableBytes: available };
}

export interface CgroupMemory {
  /** the cgroup's directory */
  dir: string;
  limitBytes: number;
  /** the working set: charged bytes (memory.current / usage_in_bytes) less the inactive file cache */
  usageBytes: number;
  /** processes the OOM killer killed in the cgroup, where the kernel counts them */
  oomKills: number | null;
}

/** Limits at or above this are "no limit" (v1 writes 2^63 rounded down to a page). */
const NO_LIMIT = 2 ** 60;

/** The memory cgroup directory of `pid` (v2 unified, else v1 memory controller), or null. */
export function cgroupDir(pid: number, root = '/sys/fs/cgroup'): string | null {
  const r = readProcOnce(`/proc/${pid}/cgroup`);
  if (!r.ok) return null;
  for (const line of r.text.split('\n')) {
    const [, controllers, path] = line.split(':');
    if (path === undefined) continue;
    const dir =
      controllers === '' && line.startsWith('0::')
        ? `${root}${path}`
        : controllers.split(',').includes('memory')
          ? `${root}/memory${path}`
          : null;
    if (dir === null) continue;
    if (fs.existsSync(`${dir}/memory.max`) || fs.existsSync(`${dir}/memory.limit_in_bytes`)) return dir;
  }
  return null;
}

function readNumber(file: string): number | null {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    if (text === 'max') return Infinity;
    const n = Number(text);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

function oomKillsIn(file: string): number | null {
  try {
    const m = /^oom_kill (\d+)/m.exec(fs.readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** inactive file cache in a memory.stat text (v2 `inactive_file`, v1 `total_inactive_file`), bytes */
export function inactiveFileBytes(stat: string, v2: boolean): number {
  const m = (v2 ? /^inactive_file (\d+)$/m : /^total_inactive_file (\d+)$/m).exec(stat);
  return m ? Number(m[1]) : 0;
}

function inactiveFile(dir: string, v2: boolean): number {
  try {
    return inactiveFileBytes(fs.readFileSync(`${dir}/memory.stat`, 'utf8'), v2);
  } catch {
    return 0;
  }
}

/** The cgroup's memory limit and use; null when it has no limit (or none is readable). */
export function cgroupMemory(dir: string): CgroupMemory | null {
  const v2 = fs.existsSync(`${dir}/memory.max`);
  const limit = readNumber(v2 ? `${dir}/memory.max` : `${dir}/memory.limit_in_bytes`);
  const usage = readNumber(v2 ? `${dir}/memory.current` : `${dir}/memory.usage_in_bytes`);
  if (limit === null || usage === null || limit >= NO_LIMIT) return null;
  return {
    dir,
    limitBytes: limit,
    usageBytes: Math.max(0, usage - inactiveFile(dir, v2)),
    oomKills: oomKillsIn(v2 ? `${dir}/memory.events` : `${dir}/memory.oom_control`),
  };
}
