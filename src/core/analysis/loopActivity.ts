/**
 * What the workers and the machine were doing while DataLoader workers were alive: how often the
 * workers were on a CPU (state R) or blocked on storage (state D), how busy all the CPUs were, and
 * how many cores the job's tree kept busy. Running sums only, from tree and system samples.
 */
import type { SystemRecord, TreeRecord } from '../../shared/model';

export interface LoopActivity {
  /** tree samples that had live workers */
  samples: number;
  /** share of worker-samples on a CPU, 0–100 */
  workersRunningPct: number | null;
  /** share of worker-samples blocked on storage (state D), 0–100 */
  workersIoWaitPct: number | null;
  /** mean live workers */
  meanWorkers: number | null;
  /** whole-machine CPU busy while workers were alive, 0–100 */
  systemCpuPct: number | null;
  /** cores the job's tree kept busy (CPU seconds ÷ wall seconds) while workers were alive */
  jobCores: number | null;
}

export class LoopActivityTracker {
  private samples = 0;
  private workerSamples = 0;
  private running = 0;
  private ioWait = 0;
  private cpuPctSum = 0;
  private cpuPctN = 0;
  private lastTree: TreeRecord | undefined;
  private jobCpuS = 0;
  private jobWallS = 0;
  private workersAlive = false;

  addTree(r: TreeRecord): void {
    const prev = this.lastTree;
    this.lastTree = r;
    this.workersAlive = r.workers > 0;
    if (r.workers <= 0 || r.workersRunning === undefined) return;
    this.samples += 1;
    this.workerSamples += r.workers;
    this.running += Math.min(r.workersRunning, r.workers);
    this.ioWait += Math.min(r.workersIoWait ?? 0, r.workers);
    if (prev && prev.workers > 0 && r.s > prev.s && r.cpuS >= prev.cpuS) {
      this.jobCpuS += r.cpuS - prev.cpuS;
      this.jobWallS += r.s - prev.s;
    }
  }

  addSystem(r: SystemRecord): void {
    if (!this.workersAlive || !Number.isFinite(r.cpuPct)) return;
    this.cpuPctSum += r.cpuPct;
    this.cpuPctN += 1;
  }

  summary(): LoopActivity {
    const share = (x: number): number | null =>
      this.workerSamples > 0 ? round1((100 * x) / this.workerSamples) : null;
    return {
      samples: this.samples,
      workersRunningPct: share(this.running),
      workersIoWaitPct: share(this.ioWait),
      meanWorkers: this.samples > 0 ? round1(this.workerSamples / this.samples) : null,
      systemCpuPct: this.cpuPctN > 0 ? round1(this.cpuPctSum / this.cpuPctN) : null,
      jobCores: this.jobWallS > 0 ? Math.round((100 * this.jobCpuS) / this.jobWallS) / 100 : null,
    };
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
