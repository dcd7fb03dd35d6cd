/**
 * Parsers for the /proc files trainio samples. Pure functions over the text the kernel returns;
 * they return null for text that does not have the expected shape.
 */

export interface ProcStat {
  pid: number;
  comm: string;
  /** R running, S sleeping, D uninterruptible (usually I/O), Z zombie, T stopped, … */
  state: string;
  ppid: number;
  minorFaults: number;
  majorFaults: number;
  /** major faults of reaped children (added when they are waited for) */
  childMajorFaults: number;
  /** clock ticks */
  utime: number;
  stime: number;
  /** clock ticks of reaped children */
  childUtime: number;
  childStime: number;
  numThreads: number;
  /** clock ticks after boot */
  startTime: number;
  rssPages: number;
  /** CPU the task last ran on */
  processor: number;
}

/** `/proc/PID/stat` or `/proc/PID/task/TID/stat`. The command name may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const f = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // f[k] is field k + 3 of proc(5)
  if (f.length < 22) return null;
  const n = (field: number): number => Number(f[field - 3]);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: f[0],
    ppid: n(4),
    minorFaults: n(10),
    majorFaults: n(12),
    childMajorFaults: n(13),
    utime: n(14),
    stime: n(15),
    childUtime: n(16),
    childStime: n(17),
    numThreads: n(20),
    startTime: n(22),
    rssPages: n(24),
    processor: f.length >= 37 ? n(39) : -1,
  };
}

export interface ProcIo {
  rchar: number;
  wchar: number;
  syscr: number;
  syscw: number;
  readBytes: number;
  writeBytes: number;
  cancelledWriteBytes: number;
}

const IO_KEYS: Record<string, keyof ProcIo> = {
  rchar: 'rchar',
  wchar: 'wchar',
  syscr: 'syscr',
  syscw: 'syscw',
  read_bytes: 'readBytes',
  write_bytes: 'writeBytes',
  cancelled_write_bytes: 'cancelledWriteBytes',
};

/** `/proc/PID/io`. */
export function parseIo(text: string): ProcIo | null {
  const io: ProcIo = {
    rchar: 0,
    wchar: 0,
    syscr: 0,
    syscw: 0,
    readBytes: 0,
    writeBytes: 0,
    cancelledWriteBytes: 0,
  };
  let seen = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = IO_KEYS[line.slice(0, colon)];
    if (key === undefined) continue;
    io[key] = Number(line.slice(colon + 1));
    seen++;
  }
  return seen >= 2 ? io : null;
}

/** `/proc/PID/status` as key → raw value text ("VmRSS" → "1234 kB"). */
export function parseStatus(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return out;
}

/** A `kB` value of `/proc/PID/status` or `/proc/meminfo` in bytes, or null. */
export function statusBytes(status: Map<string, string>, key: string): number | null {
  const raw = status.get(key);
  if (raw === undefined) return null;
  const value = Number.parseInt(raw, 10);
  if (!Number.isFinite(value)) return null;
  return raw.endsWith('kB') ? value * 1024 : value;
}

/** What a thread is doing, from `/proc/PID/task/TID/syscall`. */
export type ProcSyscall =
  | { kind: 'running' }
  /** blocked or inside a system call: its number and first argument */
  | { kind: 'syscall'; nr: number; arg0: bigint }
  /** `-1 …`: blocked in the kernel but not in a system call (e.g. a page fault) */
  | { kind: 'kernel' };

export function parseSyscall(text: string): ProcSyscall | null {
  const t = text.trim();
  if (t === 'running') return { kind: 'running' };
  const parts = t.split(' ');
  const nr = Number(parts[0]);
  if (!Number.isInteger(nr)) return null;
  if (nr < 0) return { kind: 'kernel' };
  let arg0 = 0n;
  try {
    arg0 = parts.length > 1 ? BigInt(parts[1]) : 0n;
  } catch {
    return null;
  }
  return { kind: 'syscall', nr, arg0 };
}

/** `/proc/PID/task/TID/children`: the PIDs a thread forked that are still its children. */
export function parseChildren(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(' ')) {
    if (part === '' || part === '\n') continue;
    const pid = Number(part);
    if (Number.isInteger(pid) && pid > 0) out.push(pid);
  }
  return out;
}

/** `/proc/PID/task/TID/schedstat`: ns on CPU, ns waiting on a run queue, timeslices. */
export function parseSchedstat(text: string): { cpuNs: number; runqNs: number; slices: number } | null {
  const parts = text.trim().split(' ').map(Number);
  if (parts.length < 3 || parts.some((p) => !Number.isFinite(p))) return null;
  return { cpuNs: parts[0], runqNs: parts[1], slices: parts[2] };
}

/** NUL-separated `/proc/PID/cmdline` as an argument array. */
export function parseCmdline(text: string): string[] {
  const parts = text.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
