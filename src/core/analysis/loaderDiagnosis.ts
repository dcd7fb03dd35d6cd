/**
 * Why the loop waits: feeds the worker start-up tracker and the workers' activity from the record
 * stream, then names the bottleneck and the split of the loop the advice builds on. One object, so
 * the session analyzer hands it every record and asks it once per report.
 */
import type {
  Bottleneck,
  CheckpointSummary,
  DataStallSummary,
  EpochSummary,
  SessionRecord,
  StartupSummary,
  WorkerStartupSummary,
} from '../../shared/model';
import { findBottleneck, loopSplit, type LoopSplit } from './bottleneck';
import { LoopActivityTracker, type LoopActivity } from './loopActivity';
import { WorkerStartupTracker } from './workerStartup';

export interface DiagnosisContext {
  stall: DataStallSummary;
  trainingS: number;
  checkpoints: readonly CheckpointSummary[];
  epochs: readonly EpochSummary[];
  cpus?: number;
  gpuUtilPct?: number | null;
  warningPct: number;
}

export interface Diagnosis {
  workers: WorkerStartupSummary;
  startup: StartupSummary;
  bottleneck: Bottleneck;
  split: LoopSplit;
  activity: LoopActivity;
  steadyBatchWaitS: number | null;
}

export class LoaderDiagnosis {
  private readonly startup = new WorkerStartupTracker();
  private readonly activity = new LoopActivityTracker();

  add(r: SessionRecord): void {
    switch (r.type) {
      case 'header':
        this.startup.setMode(r.target.mode);
        break;
      case 'tree':
        this.activity.addTree(r);
        break;
      case 'system':
        this.activity.addSystem(r);
        break;
      case 'proc':
        this.startup.addProcess(r);
        break;
      case 'stall':
        if (r.rank === undefined || r.rank === 0) this.startup.addStall(r);
        break;
      case 'epochMark':
        if (r.source === 'respawn') this.startup.addRespawn(r.s);
        break;
      case 'epochWaits':
        if (r.rank === undefined || r.rank === 0) this.startup.addEpochWaits(r);
        break;
      case 'loader':
        this.startup.addLoader(r);
        break;
      case 'runtime':
        this.startup.addRuntime(r);
        break;
      case 'dataset':
        this.startup.addDatasetIndex(r.path, r.indexS);
        break;
      default:
        break;
    }
  }

  diagnose(ctx: DiagnosisContext): Diagnosis {
    const started = this.startup.result();
    const activity = this.activity.summary();
    const input = { ...ctx, workers: started.workers };
    const split = loopSplit(input);
    // the mean, not the median: two workers deliver their batches in pairs, so every other wait is ~0
    const steadyBatchWaitS =
      started.batches && ctx.trainingS > 0
        ? Math.round((1e6 * ((split.steadyStallPct / 100) * ctx.trainingS)) / started.batches) / 1e6
        : started.steadyBatchWaitS;
    return {
      workers: started.workers,
      startup: started.startup,
      split,
      bottleneck: findBottleneck({ ...input, activity, steadyBatchWaitS }),
      activity,
      steadyBatchWaitS,
    };
  }
}

/** The speed-up if the loader kept up: 1 ÷ (1 − stall). */
export function withIdealSpeedup(stall: DataStallSummary): DataStallSummary {
  if (stall.pct === null) return { ...stall, idealSpeedup: null };
  const left = Math.max(0.001, 1 - stall.pct / 100);
  return { ...stall, idealSpeedup: Math.round(100 / left) / 100 };
}
