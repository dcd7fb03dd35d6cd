/**
 * The system calls the stall estimator tells apart, by number (wchan names change between kernels,
 * syscall numbers do not). Tables for x86-64 and arm64; other architectures get no table and the
 * estimator falls back to thread states.
 */

/** What a blocked main thread is doing, as far as its system call tells. */
export type SyscallRole =
  /** waits for any of several fds (poll/select/epoll): the first fd is not cheap to resolve */
  | 'multiWait'
  /** reads from one fd (read/recv…): resolve arg0 to see if it is a pipe/socket or a file */
  | 'fdRead'
  /** connects a socket (receiving a batch's shared-memory fds connects to the worker) */
  | 'connect'
  /** starts or reaps processes (DataLoader iterator creation and worker shutdown) */
  | 'process'
  /** sleeps on a timer: a stand-in for a device synchronize, a rate limit — not data */
  | 'sleep'
  /** a futex: a lock, a condition, a thread join — ambiguous */
  | 'futex'
  /** a device request (e.g. a GPU driver ioctl) */
  | 'device'
  | 'other';

export type SyscallTable = ReadonlyMap<number, SyscallRole>;

const X64: [number, SyscallRole][] = [
  [0, 'fdRead'], // read
  [17, 'fdRead'], // pread64
  [19, 'fdRead'], // readv
  [295, 'fdRead'], // preadv
  [45, 'fdRead'], // recvfrom
  [47, 'fdRead'], // recvmsg
  [299, 'fdRead'], // recvmmsg
  [7, 'multiWait'], // poll
  [271, 'multiWait'], // ppoll
  [23, 'multiWait'], // select
  [270, 'multiWait'], // pselect6
  [232, 'multiWait'], // epoll_wait
  [281, 'multiWait'], // epoll_pwait
  [441, 'multiWait'], // epoll_pwait2
  [42, 'connect'], // connect
  [56, 'process'], // clone
  [57, 'process'], // fork
  [58, 'process'], // vfork
  [435, 'process'], // clone3
  [61, 'process'], // wait4
  [247, 'process'], // waitid
  [35, 'sleep'], // nanosleep
  [230, 'sleep'], // clock_nanosleep
  [34, 'sleep'], // pause
  [202, 'futex'], // futex
  [449, 'futex'], // futex_waitv
  [16, 'device'], // ioctl
];

const ARM64: [number, SyscallRole][] = [
  [63, 'fdRead'], // read
  [67, 'fdRead'], // pread64
  [65, 'fdRead'], // readv
  [69, 'fdRead'], // preadv
  [207, 'fdRead'], // recvfrom
  [212, 'fdRead'], // recvmsg
  [243, 'fdRead'], // recvmmsg
  [73, 'multiWait'], // ppoll
  [72, 'multiWait'], // pselect6
  [22, 'multiWait'], // epoll_pwait
  [441, 'multiWait'], // epoll_pwait2
  [203, 'connect'], // connect
  [220, 'process'], // clone
  [435, 'process'], // clone3
  [260, 'process'], // wait4
  [95, 'process'], // waitid
  [101, 'sleep'], // nanosleep
  [115, 'sleep'], // clock_nanosleep
  [98, 'futex'], // futex
  [449, 'futex'], // futex_waitv
  [29, 'device'], // ioctl
];

const TABLES: Record<string, SyscallTable> = { x64: new Map(X64), arm64: new Map(ARM64) };

export function syscallTable(arch: string = process.arch): SyscallTable | null {
  return TABLES[arch] ?? null;
}

export function roleOf(table: SyscallTable, nr: number): SyscallRole {
  return table.get(nr) ?? 'other';
}
