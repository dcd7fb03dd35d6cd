/**
 * Which files a process has open (`/proc/PID/fd/*`). A full fd scan costs ≈ 100 µs per process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readProcLink } from './procFile';

/** Tests whether a path lies under one of the given directories. */
export function isUnder(file: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => {
    const rel = path.relative(dir, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
}

/**
 * Watches for a process opening files under some directories without scanning all its fds on every
 * sample: a full scan (≈ 100 µs) every `scanMs` learns which fd numbers are free, and between scans
 * only the lowest free ones are looked at (the kernel hands out the lowest free fd, so a file opened
 * and closed in a loop keeps getting the same number).
 */
export class OpenFileProbe {
  private candidates: number[] = [];
  private lastScanMs = -Infinity;

  constructor(
    readonly pid: number,
    private readonly dirs: readonly string[],
    private readonly scanMs = 1000,
  ) {}

  /** true when a file under the directories is open now */
  check(nowMs: number = Date.now()): boolean {
    if (this.dirs.length === 0) return false;
    if (nowMs - this.lastScanMs >= this.scanMs) {
      this.lastScanMs = nowMs;
      return this.scan();
    }
    for (const fd of this.candidates) {
      const r = readProcLink(`/proc/${this.pid}/fd/${fd}`);
      if (r.ok && isUnder(r.text, this.dirs)) return true;
    }
    return false;
  }

  private scan(): boolean {
    let names: string[];
    try {
      names = fs.readdirSync(`/proc/${this.pid}/fd`);
    } catch {
      return false;
    }
    const used = new Set(names.map(Number));
    this.candidates = [];
    for (let fd = 0; this.candidates.length < 2; fd++) if (!used.has(fd)) this.candidates.push(fd);
    for (const name of names) {
      const r = readProcLink(`/proc/${this.pid}/fd/${name}`);
      if (r.ok && isUnder(r.text, this.dirs)) return true;
    }
    return false;
  }
}
