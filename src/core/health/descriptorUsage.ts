/**
 * Open descriptors of a process and its RLIMIT_NOFILE. Since Linux 6.2 a stat of /proc/PID/fd gives
 * the number of open descriptors as its size (one syscall); older kernels say 0 there, and the
 * directory is listed instead (names only, no readlink).
 */
import * as fs from 'node:fs';
import { readProcOnce } from '../proc/procFile';

/** the soft "Max open files" limit; null when unreadable or unlimited */
export function openFilesLimit(pid: number): number | null {
  const r = readProcOnce(`/proc/${pid}/limits`);
  return r.ok ? parseOpenFilesLimit(r.text) : null;
}

export function parseOpenFilesLimit(limitsText: string): number | null {
  const m = /^Max open files\s+(\S+)/m.exec(limitsText);
  if (!m || m[1] === 'unlimited') return null;
  const n = Number(m[1]);
  return Number.isInteger(n) && n > 0 ? n : null;
}

export class DescriptorCounter {
  /** null until known; false once stat's size is seen to be 0 on a process with descriptors */
  private statSizeWorks: boolean | null = null;

  /** open descriptors of `pid`, or null when it is gone or not ours */
  count(pid: number): number | null {
    const dir = `/proc/${pid}/fd`;
    try {
      if (this.statSizeWorks !== false) {
        const size = fs.statSync(dir).size;
        if (size > 0) {
          this.statSizeWorks = true;
          return size;
        }
        if (this.statSizeWorks === true) return 0;
      }
      const n = fs.readdirSync(dir).length;
      if (n > 0 && this.statSizeWorks === null) this.statSizeWorks = false;
      return n;
    } catch {
      return null;
    }
  }

  /** listing is the slow path: callers throttle it */
  get cheap(): boolean {
    return this.statSizeWorks === true;
  }
}
