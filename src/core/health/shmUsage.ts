/**
 * /dev/shm as a process sees it: the job may run in its own mount namespace (a container, `unshare
 * -m`) with a /dev/shm of its own, so the mount is reached through /proc/PID/root and statfs'd there
 * (a few µs). Processes are grouped by mount namespace (/proc/PID/ns/mnt), one statfs per group.
 */
import * as fs from 'node:fs';
import { readProcLink } from '../proc/procFile';

const TMPFS_MAGIC = 0x01021994;

export interface ShmUsage {
  /** the mount namespace, e.g. "mnt:[4026531841]" */
  namespace: string;
  /** a process of the namespace the mount was read through */
  pid: number;
  usedBytes: number;
  sizeBytes: number;
}

/** The mount namespace of a process, or null when it is gone or not ours to read. */
export function mountNamespace(pid: number): string | null {
  const r = readProcLink(`/proc/${pid}/ns/mnt`);
  return r.ok ? r.text : null;
}

/** /dev/shm seen by `pid`: null when unreadable, or when it is not a tmpfs (no shared-memory mount). */
export function shmUsage(pid: number, namespace: string): ShmUsage | null {
  let st: fs.StatsFs;
  try {
    st = fs.statfsSync(`/proc/${pid}/root/dev/shm`);
  } catch {
    return null;
  }
  if (st.type !== TMPFS_MAGIC || st.blocks <= 0) return null;
  return {
    namespace,
    pid,
    usedBytes: (st.blocks - st.bfree) * st.bsize,
    sizeBytes: st.blocks * st.bsize,
  };
}
