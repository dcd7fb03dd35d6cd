/**
 * The data-loading workers the main thread forks, seen through its `children` file on every thread
 * sample (cheap: one kept-open file). A new child counts as a worker once it is seen a second time
 * with the main process's command line (a fork that is about to exec another program is not one).
 */
import { startTimeMs } from '../proc/procClock';
import { ProcFile, readProcOnce } from '../proc/procFile';
import { parseChildren, parseCmdline, parseStat } from '../proc/procParsers';
import { isWorkerCommand } from '../proc/workerCommand';

export interface WorkerStart {
  pid: number;
  /** wall-clock ms */
  startMs: number;
}

export class MainChildren {
  private readonly children: ProcFile;
  private rootCmdline: string[] | null = null;
  private readonly pending = new Map<number, number>();
  private readonly workers = new Set<number>();
  private readonly others = new Set<number>();

  constructor(readonly pid: number) {
    this.children = new ProcFile(`/proc/${pid}/task/${pid}/children`, 256);
  }

  /** Reads the children again; returns the workers confirmed since the last call. */
  update(): WorkerStart[] {
    const r = this.children.read();
    if (!r.ok) return [];
    const live = new Set(parseChildren(r.text));
    for (const set of [this.workers, this.others]) for (const pid of set) if (!live.has(pid)) set.delete(pid);
    const started: WorkerStart[] = [];
    for (const pid of live) {
      if (this.workers.has(pid) || this.others.has(pid)) continue;
      const startMs = this.pending.get(pid);
      if (startMs === undefined) {
        const s = readProcOnce(`/proc/${pid}/stat`);
        const stat = s.ok ? parseStat(s.text) : null;
        if (stat !== null) this.pending.set(pid, startTimeMs(stat.startTime));
        continue;
      }
      this.pending.delete(pid);
      if (this.looksLikeWorker(pid)) {
        this.workers.add(pid);
        started.push({ pid, startMs });
      } else {
        this.others.add(pid);
      }
    }
    for (const pid of this.pending.keys()) if (!live.has(pid)) this.pending.delete(pid);
    return started;
  }

  /** live workers */
  live(): ReadonlySet<number> {
    return this.workers;
  }

  close(): void {
    this.children.close();
  }

  private looksLikeWorker(pid: number): boolean {
    // read again each time: the root may have exec'd since (a shim, `env`, a launcher script)
    const root = readProcOnce(`/proc/${this.pid}/cmdline`);
    if (root.ok) this.rootCmdline = parseCmdline(root.text);
    const r = readProcOnce(`/proc/${pid}/cmdline`);
    return r.ok && this.rootCmdline !== null && isWorkerCommand(parseCmdline(r.text), this.rootCmdline, null);
  }
}
