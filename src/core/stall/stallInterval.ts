/**
 * The stall model for one interval between two samples of the main thread (see stallEstimator.ts
 * for the whole picture). Pure functions.
 */
import type { FdKind } from '../proc/fdTarget';
import type { SyscallRole } from './syscalls';

export interface StallSample {
  /** session seconds */
  s: number;
  activity: 'running' | 'blocked';
  /** R, S, D, … */
  state: string;
  role: SyscallRole | null;
  /** the kind of fd a read-like call reads from, when resolved */
  fd: FdKind | null;
  /** that fd is a file under a dataset directory */
  fdInDataset: boolean;
  /** a dataset file was seen open in the process at (or shortly before) this sample */
  datasetFileOpen?: boolean;
  cpuNs: number | null;
  runqNs: number | null;
  readCalls: number | null;
  writeCalls: number | null;
  /** live data-loading workers of the main process */
  workers: number;
  /** workers blocked on storage or sleeping on I/O / running on a CPU, when they were sampled */
  workersFetching?: number;
  workersPreparing?: number;
}

export interface Interval {
  t0: number;
  t1: number;
  /** seconds of waiting for data (iterator start-up stretches come on top, per window) */
  wait: number;
  /** num_workers = 0: the main thread loads the data itself */
  inline: boolean;
  /** the main thread made read or write calls, or waited for data: the training loop is active */
  active: boolean;
  fetchShare: number;
  prepShare: number;
}

/**
 * CPU seconds the batch-receiving path costs per read call of the main thread. PyTorch 1.13 /
 * CPython 3.11 receive a batch with 2 pipe reads plus 6 socket reads per tensor (the shared-memory
 * fd handshake). Calibrated with bench/stall-replay.ts on a 2-vCPU VM: 1.0e-4 fits best when the
 * machine is otherwise idle, 1.6e-4 when it is saturated by other work (CPU time per call grows
 * with contention); 1.2e-4 keeps the error within ≈ 2 points in both (bench/stall.md).
 */
export const RECEIVE_CPU_PER_READ_S = 0.00012;

/** The main thread is blocked waiting for a batch (as far as one sample can tell). */
export function isDataWait(x: StallSample): boolean {
  if (x.activity !== 'blocked') return false;
  if (x.fdInDataset) return true;
  if (x.workers === 0) return false;
  switch (x.role) {
    case 'multiWait':
    case 'connect':
    case 'process':
      return true;
    case 'fdRead':
      return x.fd === null || x.fd === 'pipe' || x.fd === 'socket';
    default:
      return false;
  }
}

function delta(a: number | null, b: number | null): number | null {
  return a !== null && b !== null ? Math.max(0, b - a) : null;
}

export function measureInterval(a: StallSample, b: StallSample, cpuPerRead: number): Interval {
  const dt = b.s - a.s;
  const inline = a.workers === 0 && b.workers === 0;
  const reads = delta(a.readCalls, b.readCalls) ?? 0;
  const writes = delta(a.writeCalls, b.writeCalls) ?? 0;
  const base = { t0: a.s, t1: b.s, inline, ...workerShares(a) };
  if (inline) {
    const loading = reads > 0 || a.fdInDataset || b.fdInDataset;
    return { ...base, wait: loading ? dt : 0, active: loading || writes > 0 };
  }
  const active = reads > 0 || writes > 0 || isDataWait(a) || isDataWait(b);
  const cpuNs = delta(a.cpuNs, b.cpuNs);
  const runqNs = delta(a.runqNs, b.runqNs);
  if (cpuNs === null || runqNs === null) {
    // No schedstat: each sample stands for the interval after it.
    return { ...base, wait: isDataWait(a) ? dt : 0, active };
  }
  const cpu = cpuNs / 1e9;
  const onCpu = Math.min(dt, cpu + runqNs / 1e9);
  const waitBlocked = blockedWait(a, b, dt - onCpu, reads);
  // The receive path runs on the CPU; waiting for a CPU in between stretches it like everything else.
  const stretch = cpu > 1e-5 ? onCpu / cpu : 1;
  const waitRunning = Math.min(onCpu, reads * cpuPerRead * stretch);
  return { ...base, wait: Math.min(dt, waitBlocked + waitRunning), active };
}

/** How much of an interval's blocked time was a data wait, judged from the samples at both ends. */
function blockedWait(a: StallSample, b: StallSample, blocked: number, reads: number): number {
  const dataA = isDataWait(a);
  const dataB = isDataWait(b);
  if (dataA && dataB) return blocked;
  if (dataA || dataB) {
    const other = dataA ? b : a;
    return other.activity === 'running' ? blocked : blocked / 2;
  }
  // A batch was received between two running samples: the blocked time is the receive path waiting
  // briefly on the workers' sockets, or a short poll before it.
  if (reads > 0 && a.activity === 'running' && b.activity === 'running') return blocked;
  // When one end sleeps in something else (a device sync, a lock), a short wait for the batch next to
  // it cannot be told from that sleep: it is not counted (measured on the GPU-like reference job, most
  // of such blocked time is the sleep; the estimate errs low there, not high).
  return 0;
}

function workerShares(x: StallSample): { fetchShare: number; prepShare: number } {
  const fetching = x.workersFetching ?? 0;
  const preparing = x.workersPreparing ?? 0;
  const busy = fetching + preparing;
  if (busy === 0) return { fetchShare: 0, prepShare: 0 };
  return { fetchShare: fetching / busy, prepShare: preparing / busy };
}
