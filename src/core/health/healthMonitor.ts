/**
 * The health checks as one Source: it adds no timer of its own, each check runs on the process
 * tree's tick (TreeSampler.onSample) and reads at that rate or slower. Records go to the session
 * like any other; a check that throws is noted once and skipped from then on.
 */
import type { HealthRecord } from '../../shared/model';
import type { TreeSample } from '../proc/processTree';
import type { TreeSampler } from '../proc/treeSampler';
import type { Source, SourceContext } from '../source';
import { FdCheck } from './fdCheck';
import type { HealthCheck } from './healthCheck';
import { finalOomRecords, MemoryCheck } from './memoryCheck';
import { ShmCheck } from './shmCheck';
import { WorkerDeathCheck } from './workerDeathCheck';
import { WorkerMemoryCheck } from './workerMemoryCheck';

/** The checks a recording runs, in the order they run on each tick. */
export function healthChecks(): HealthCheck[] {
  const memory = new MemoryCheck();
  return [
    new WorkerDeathCheck(),
    new ShmCheck(),
    new FdCheck(),
    memory,
    new WorkerMemoryCheck(() => memory.state),
  ];
}

export class HealthMonitor implements Source {
  readonly name = 'health';
  private unsubscribe: () => void = () => undefined;
  private readonly failed = new Set<HealthCheck>();
  private ctx: SourceContext | null = null;

  constructor(
    private readonly tree: Pick<TreeSampler, 'onSample'>,
    private readonly checks: HealthCheck[] = healthChecks(),
  ) {}

  start(ctx: SourceContext): void {
    this.ctx = ctx;
    this.unsubscribe = this.tree.onSample((sample, s) => {
      for (const r of this.tick(sample, s, ctx)) ctx.sink.emit(r);
    });
  }

  stop(): Promise<void> {
    this.unsubscribe();
    const ctx = this.ctx;
    for (const check of this.checks)
      if (ctx && check instanceof MemoryCheck && !this.failed.has(check))
        for (const r of finalOomRecords(check, ctx.now())) ctx.sink.emit(r);
    return Promise.resolve();
  }

  /** one tick of every check (also what the benchmark times) */
  tick(sample: TreeSample, s: number, ctx?: Pick<SourceContext, 'note'>): HealthRecord[] {
    const out: HealthRecord[] = [];
    for (const check of this.checks) {
      if (this.failed.has(check)) continue;
      try {
        out.push(...check.check(sample, s));
      } catch (e) {
        this.failed.add(check);
        ctx?.note('warning', `a health check failed and was turned off: ${(e as Error).message}`);
      }
    }
    return out;
  }
}
