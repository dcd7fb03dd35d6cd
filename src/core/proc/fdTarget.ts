/**
 * What an open file descriptor of a process is (`readlink /proc/PID/fd/N`): a pipe, a socket, a file
 * path, a device. Results are cached per fd for a short time: a thread blocked in `read(8, …)` is
 * sampled 50 times a second, and fd numbers are reused after a close, so the cache must expire.
 */
import { readProcLink } from './procFile';
import { socketFamily } from './socketFamily';

/**
 * 'socket' is a local (unix) socket — how DataLoader workers hand batches and shared-memory fds
 * over; 'inet' a TCP/UDP socket — how gloo ranks exchange gradients and talk to the rendezvous
 * store: a thread blocked there waits for a collective, not for data.
 */
export type FdKind = 'pipe' | 'socket' | 'inet' | 'file' | 'device' | 'anon' | 'other';

export interface FdTarget {
  kind: FdKind;
  /** the link text: 'pipe:[123]', 'socket:[456]', '/data/x.bin', … */
  path: string;
}

export function classifyFdLink(link: string): FdKind {
  if (link.startsWith('pipe:')) return 'pipe';
  if (link.startsWith('socket:')) return 'socket';
  if (link.startsWith('anon_inode:')) return 'anon';
  if (link.startsWith('/dev/')) return 'device';
  if (link.startsWith('/')) return 'file';
  return 'other';
}

export class FdResolver {
  private readonly cache = new Map<number, { target: FdTarget; atMs: number }>();

  constructor(
    readonly pid: number,
    private readonly ttlMs = 1000,
  ) {}

  /** null when the fd is closed, the process gone, or its fds not readable */
  resolve(fd: number, nowMs: number = Date.now()): FdTarget | null {
    const hit = this.cache.get(fd);
    if (hit !== undefined && nowMs - hit.atMs < this.ttlMs) return hit.target;
    const r = readProcLink(`/proc/${this.pid}/fd/${fd}`);
    if (!r.ok) {
      this.cache.delete(fd);
      return null;
    }
    let kind = classifyFdLink(r.text);
    if (kind === 'socket' && socketFamily(this.pid, r.text) === 'inet') kind = 'inet';
    const target: FdTarget = { kind, path: r.text.replace(/ \(deleted\)$/, '') };
    this.cache.set(fd, { target, atMs: nowMs });
    return target;
  }

  clear(): void {
    this.cache.clear();
  }
}
