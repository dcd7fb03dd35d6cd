/**
 * Whether a socket (`socket:[INODE]` from /proc/PID/fd) is a local unix socket or a network one,
 * looked up by inode in the process's network namespace (/proc/PID/net/unix, tcp, tcp6, udp, udp6).
 * An inode's family never changes, so answers are kept (bounded); the tables are read only for an
 * inode not seen before.
 */
import { readProcOnce } from './procFile';

export type SocketFamily = 'unix' | 'inet' | 'unknown';

const MAX_KEPT = 10_000;
const known = new Map<string, SocketFamily>();

export function socketFamily(pid: number, link: string): SocketFamily {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  if (m === null) return 'unknown';
  const inode = m[1];
  const hit = known.get(inode);
  if (hit !== undefined) return hit;
  const family = lookUp(pid, inode);
  if (known.size >= MAX_KEPT) known.clear();
  if (family !== 'unknown') known.set(inode, family);
  return family;
}

function lookUp(pid: number, inode: string): SocketFamily {
  if (tableHas(`/proc/${pid}/net/unix`, inode, unixInode)) return 'unix';
  for (const t of ['tcp', 'tcp6', 'udp', 'udp6']) {
    if (tableHas(`/proc/${pid}/net/${t}`, inode, inetInode)) return 'inet';
  }
  return 'unknown';
}

function tableHas(path: string, inode: string, column: (fields: string[]) => string | undefined): boolean {
  const r = readProcOnce(path);
  if (!r.ok) return false;
  for (const line of r.text.split('\n')) {
    if (!line.includes(inode)) continue;
    if (column(line.trim().split(/\s+/)) === inode) return true;
  }
  return false;
}

/** /proc/net/unix: `Num RefCount Protocol Flags Type St Inode [Path]` */
export function unixInode(fields: string[]): string | undefined {
  return fields[6];
}

/** /proc/net/tcp: `sl local rem st tx:rx tr:when retrnsmt uid timeout inode …` */
export function inetInode(fields: string[]): string | undefined {
  return fields[9];
}
