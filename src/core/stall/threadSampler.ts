/**
 * Samples one thread (by default the main thread of the training process): its scheduler state, the
 * system call it is in and, for calls that read one fd, what that fd is. Files stay open between
 * samples. Where `/proc/PID/task/TID/syscall` is not readable (another user's process, or Yama
 * ptrace_scope=1 for a process trainio did not start) it falls back to the kernel function the
 * thread sleeps in (`wchan`), which only tells the kind of wait.
 */
import { FdResolver, type FdTarget } from '../proc/fdTarget';
import { ProcFile } from '../proc/procFile';
import { parseIo, parseSchedstat, parseStat, parseSyscall, type ProcSyscall } from '../proc/procParsers';
import { roleOf, syscallTable, type SyscallRole, type SyscallTable } from './syscalls';
import { roleOfWchan } from './wchanRoles';

export interface ThreadSample {
  /** wall-clock ms */
  atMs: number;
  /** R running, S sleeping, D uninterruptible, … */
  state: string;
  /** 'running' when the thread is on a CPU in user space, 'blocked' when inside the kernel */
  activity: 'running' | 'blocked';
  /** what the blocking call is for; null when running or not known */
  role: SyscallRole | null;
  /** the fd a read-like call reads from, when resolved */
  fd: FdTarget | null;
  /** CPU time of the thread so far, ns (schedstat), when readable */
  cpuNs: number | null;
  /** time the thread has spent runnable but waiting for a CPU so far, ns (schedstat) */
  runqNs: number | null;
  /** read-like system calls the thread has made so far (`syscr` of its io file), when readable */
  readCalls: number | null;
  /** write-like system calls so far (`syscw`), when readable */
  writeCalls: number | null;
}

export class ThreadSampler {
  private readonly stat: ProcFile;
  private readonly syscall: ProcFile;
  private readonly wchan: ProcFile;
  private readonly schedstat: ProcFile;
  private readonly io: ProcFile;
  private readonly fds: FdResolver;
  private readonly table: SyscallTable | null;
  /** false once the syscall file turned out unreadable: the wchan fallback is in use */
  syscallReadable = true;

  constructor(
    readonly pid: number,
    readonly tid: number = pid,
    opts: { syscalls?: boolean } = {},
  ) {
    const dir = `/proc/${pid}/task/${tid}`;
    this.stat = new ProcFile(`${dir}/stat`, 512);
    this.syscall = new ProcFile(`${dir}/syscall`, 256);
    this.wchan = new ProcFile(`${dir}/wchan`, 128);
    this.schedstat = new ProcFile(`${dir}/schedstat`, 128);
    this.io = new ProcFile(`${dir}/io`, 512);
    this.fds = new FdResolver(pid);
    this.table = syscallTable();
    if (this.table === null || opts.syscalls === false) this.syscallReadable = false;
  }

  /** null once the thread is gone */
  sample(): ThreadSample | null {
    const atMs = Date.now();
    const sample: ThreadSample = {
      atMs,
      state: '',
      activity: 'blocked',
      role: null,
      fd: null,
      cpuNs: null,
      runqNs: null,
      readCalls: null,
      writeCalls: null,
    };
    // The system call tells whether the thread is on a CPU; its state letter (S, D, …) is read only
    // when it is not: a sample of a computing thread costs one file less.
    if (this.syscallReadable && this.table !== null) {
      const r = this.syscall.read();
      if (!r.ok && r.reason === 'gone') return null;
      if (!r.ok) this.syscallReadable = false;
      else this.fromSyscall(sample, parseSyscall(r.text), this.table);
    }
    if (sample.state === '') {
      const s = this.stat.read();
      const stat = s.ok ? parseStat(s.text) : null;
      if (stat === null) return null;
      sample.state = stat.state;
      if (!this.syscallReadable) sample.activity = stat.state === 'R' ? 'running' : 'blocked';
    }
    const sched = this.schedstat.read();
    const schedstat = sched.ok ? parseSchedstat(sched.text) : null;
    sample.cpuNs = schedstat?.cpuNs ?? null;
    sample.runqNs = schedstat?.runqNs ?? null;
    this.readCallCounts(sample);
    if (!this.syscallReadable && sample.activity === 'blocked') this.fromWchan(sample);
    return sample;
  }

  close(): void {
    this.stat.close();
    this.syscall.close();
    this.wchan.close();
    this.schedstat.close();
    this.io.close();
    this.fds.clear();
  }

  private readCallCounts(sample: ThreadSample): void {
    const r = this.io.read();
    if (!r.ok) return;
    const io = parseIo(r.text);
    if (io === null) return;
    sample.readCalls = io.syscr;
    sample.writeCalls = io.syscw;
  }

  private fromSyscall(sample: ThreadSample, sc: ProcSyscall | null, table: SyscallTable): void {
    if (sc === null) return;
    if (sc.kind === 'running') {
      sample.activity = 'running';
      sample.state = 'R';
      return;
    }
    sample.activity = 'blocked';
    if (sc.kind !== 'syscall') return;
    sample.role = roleOf(table, sc.nr);
    if (sample.role === 'fdRead' || sample.role === 'device') {
      sample.fd = sc.arg0 < 0x7fffffffn ? this.fds.resolve(Number(sc.arg0), sample.atMs) : null;
      if (sample.role === 'device' && sample.fd?.kind !== 'device') sample.role = 'other';
    }
  }

  private fromWchan(sample: ThreadSample): void {
    const r = this.wchan.read();
    if (r.ok) sample.role = roleOfWchan(r.text.trim());
  }
}
