/**
 * What the DataLoader workers are doing while the main thread waits: fetching (blocked on storage,
 * or sleeping / reading files), preparing (running on a CPU: decoding, collating) or idle (waiting
 * for work on their index queue). Sampled only while the main thread waits, so it costs nothing in
 * a training loop that does not.
 */
import { FdResolver } from '../proc/fdTarget';
import { ProcFile } from '../proc/procFile';
import { parseStat, parseSyscall } from '../proc/procParsers';
import { roleOf, type SyscallTable } from './syscalls';

export type WorkerActivity = 'fetching' | 'preparing' | 'idle' | 'gone';

export class WorkerProbe {
  private readonly stat: ProcFile;
  private readonly syscall: ProcFile;
  private readonly fds: FdResolver;

  constructor(
    readonly pid: number,
    private readonly table: SyscallTable | null,
  ) {
    this.stat = new ProcFile(`/proc/${pid}/task/${pid}/stat`, 512);
    this.syscall = new ProcFile(`/proc/${pid}/task/${pid}/syscall`, 256);
    this.fds = new FdResolver(pid);
  }

  activity(nowMs: number): WorkerActivity {
    const s = this.stat.read();
    const stat = s.ok ? parseStat(s.text) : null;
    if (stat === null) return 'gone';
    if (stat.state === 'R') return 'preparing';
    if (stat.state === 'D') return 'fetching';
    const r = this.table !== null ? this.syscall.read() : null;
    const sc = r?.ok ? parseSyscall(r.text) : null;
    if (sc === null || this.table === null) return 'idle';
    if (sc.kind === 'running') return 'preparing';
    if (sc.kind !== 'syscall') return 'fetching';
    switch (roleOf(this.table, sc.nr)) {
      case 'sleep':
      case 'other':
        return 'fetching';
      case 'fdRead': {
        const fd = sc.arg0 < 0x7fffffffn ? this.fds.resolve(Number(sc.arg0), nowMs) : null;
        return fd?.kind === 'file' ? 'fetching' : 'idle';
      }
      default:
        return 'idle';
    }
  }

  close(): void {
    this.stat.close();
    this.syscall.close();
    this.fds.clear();
  }
}
