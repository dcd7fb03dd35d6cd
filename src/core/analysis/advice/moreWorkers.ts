/**
 * `more-workers`: the loader cannot keep up in the steady state and CPUs are free — only then do
 * more workers help. Not when every CPU is busy (worker CPU bound), not when the main thread's
 * hand-off is the limit, not when the stall is the workers' start-up (persistent-workers is).
 *
 * The saving assumes the loader's throughput grows with the workers, as it does while they wait on
 * read latency or have cores to run on: with k workers the loop gets a batch every P (wait + rest of
 * the step); with k′ every P·k/k′; the wait left is what that period exceeds the rest of the step by.
 * k′ adds at most k workers, and no more than the idle cores can run at the workers' measured CPU share.
 */
import type { Advice } from '../../../shared/model';
import { fixed, severityFor, withSavings, type AdviceInput } from './adviceInput';

/** a worker uses at least this share of a core when it runs */
const MIN_WORKER_CORES = 0.1;

export function moreWorkersAdvice(input: AdviceInput): Advice | undefined {
  const split = input.split;
  const steadyPct = split?.steadyStallPct ?? input.stall.pct ?? 0;
  if (steadyPct < input.settings.stallWarningPct) return undefined;
  const kind = input.bottleneck?.kind;
  if (kind === 'main-thread' || kind === 'worker-startup' || kind === 'checkpoints') return undefined;
  const loader = input.loaders[0];
  const workers = loader?.numWorkers ?? input.treeWorkers;
  if (workers === undefined) return undefined;
  const cpus = input.cpus ?? 0;
  const free = freeCores(input, workers);
  const perWorker = Math.max(MIN_WORKER_CORES, (input.activity?.workersRunningPct ?? 100) / 100);
  if (free === null || free < perWorker) return undefined;
  const more =
    workers === 0
      ? Math.min(4, Math.max(1, Math.floor(free)))
      : Math.min(workers, Math.floor(free / perWorker));
  if (more < 1) return undefined;
  const target = workers + more;
  const loopS = input.trainingS;
  const waitS = (steadyPct / 100) * loopS;
  const restS = loopS * (1 - (split?.stallPct ?? input.stall.pct ?? 0) / 100);
  const left =
    workers === 0
      ? Math.max(0, waitS / target - restS)
      : Math.max(0, ((waitS + restS) * workers) / target - restS);
  const savesS = Math.max(0, waitS - left);
  const savesPct = loopS > 0 ? (100 * savesS) / loopS : 0;
  const evidence = [`data stall ${fixed(input.stall.pct ?? 0)}% (${input.stall.method})`];
  if (split && split.startupPct > 0) evidence.push(`${fixed(steadyPct)}% beyond worker start-up`);
  evidence.push(`num_workers=${workers}`);
  if (cpus > 0) evidence.push(`${cpus} CPUs, ${fixed(free)} free`);
  const running = input.activity?.workersRunningPct;
  if (running !== null && running !== undefined)
    evidence.push(`workers on a CPU ${fixed(running)}% of the time`);
  const advice: Advice = {
    id: 'more-workers',
    severity: severityFor(savesPct, input),
    message:
      `Training waits for data ${fixed(steadyPct)}% of the time with ${workers === 0 ? 'no DataLoader workers' : `only ${workers} DataLoader worker${workers === 1 ? '' : 's'}`} ` +
      `while CPUs are free. Raise num_workers to ${target}.`,
    evidence,
  };
  if (loader?.site) advice.site = loader.site;
  return withSavings(advice, input, savesS);
}

/**
 * Idle cores while the workers ran: what neither the job (CPU seconds of its tree ÷ wall time) nor
 * anything else on the machine (its CPU busy %) used; without samples, the CPUs beyond two per worker.
 */
function freeCores(input: AdviceInput, workers: number): number | null {
  const cpus = input.cpus ?? 0;
  if (cpus <= 0) return null;
  const a = input.activity;
  if (a && (a.jobCores !== null || a.systemCpuPct !== null)) {
    const busy = Math.max(a.jobCores ?? 0, (cpus * (a.systemCpuPct ?? 0)) / 100);
    return Math.round(100 * Math.max(0, cpus - busy)) / 100;
  }
  return workers <= 2 || workers < cpus / 2 ? cpus - 2 * Math.max(1, workers) : 0;
}
