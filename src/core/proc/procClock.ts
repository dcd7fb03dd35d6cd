/**
 * Units of /proc: clock ticks (USER_HZ, 100 on every Linux architecture trainio runs on), pages,
 * and the wall-clock time of boot, so a process's start time (ticks after boot) becomes a
 * wall-clock time.
 */
import * as fs from 'node:fs';

export const TICKS_PER_S = 100;

let pageBytes: number | null = null;

/** The kernel page size, from the first mapping of /proc/self/smaps (4096 on x86-64). */
export function pageSize(): number {
  if (pageBytes !== null) return pageBytes;
  pageBytes = 4096;
  try {
    const fd = fs.openSync('/proc/self/smaps', 'r');
    try {
      const buf = Buffer.alloc(4096);
      const text = buf.toString('utf8', 0, fs.readSync(fd, buf, 0, buf.length, 0));
      const m = /KernelPageSize:\s+(\d+) kB/.exec(text);
      if (m) pageBytes = Number(m[1]) * 1024;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // keep the x86-64 default
  }
  return pageBytes;
}

let bootMs: number | null = null;

/** Wall-clock ms of boot, from /proc/uptime (10 ms resolution; /proc/stat's btime is whole seconds). */
export function bootTimeMs(): number {
  if (bootMs !== null) return bootMs;
  const before = Date.now();
  const uptimeS = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  bootMs = (before + Date.now()) / 2 - uptimeS * 1000;
  return bootMs;
}

/** Wall-clock ms at which a process started, from its `starttime` (ticks after boot). */
export function startTimeMs(startTicks: number): number {
  return bootTimeMs() + (startTicks * 1000) / TICKS_PER_S;
}
