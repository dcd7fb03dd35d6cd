/**
 * `persistent-workers`: workers that start again every epoch. Keeping them saves every epoch's
 * start-up but the first (iterator creation + the first batch's extra wait) and every shutdown but
 * the last. Without start-up numbers (no hook, no windows around the respawns) the stall spike at
 * each epoch's start is the evidence, and no saving is claimed.
 */
import type { Advice } from '../../../shared/model';
import { fixed, median, severityFor, sum, withSavings, type AdviceInput } from './adviceInput';

/** Keeping the workers is worth saying below the warning line too, once it saves this much per epoch. */
const MIN_PER_EPOCH_S = 0.25;

export function persistentWorkersAdvice(input: AdviceInput): Advice | undefined {
  const loader = input.loaders[0];
  if (loader?.persistentWorkers === true || (loader && loader.numWorkers === 0)) return undefined;
  const respawning =
    loader?.persistentWorkers === false ||
    input.workers?.persistent === false ||
    input.epochs.some((e) => e.source === 'respawn');
  if (!respawning) return undefined;
  const rows = input.workers?.perEpoch ?? [];
  if (rows.length >= 2) return fromStartup(input, rows);
  return fromSpikes(input);
}

function fromStartup(
  input: AdviceInput,
  rows: NonNullable<AdviceInput['workers']>['perEpoch'],
): Advice | undefined {
  const starts = rows.slice(1).map((r) => r.iterS + r.firstBatchExtraS);
  const stops = rows.slice(0, -1).map((r) => r.stopS);
  const savesS = sum(starts) + sum(stops);
  const perEpoch = savesS / (rows.length - 1);
  const savesPct = input.trainingS > 0 ? (100 * savesS) / input.trainingS : 0;
  if (perEpoch < MIN_PER_EPOCH_S && savesPct < input.settings.stallWarningPct) return undefined;
  const method = input.workers?.startMethod;
  const spawn = method === 'spawn' || method === 'forkserver';
  const evidence = [
    `worker start-up ${fixed(median(starts))} s per epoch (iterator creation + first batch), ` +
      `shutdown ${fixed(median(stops))} s (${input.workers?.method ?? 'estimated'})`,
    `${rows.length} epochs, persistent_workers=False`,
  ];
  if (method) evidence.push(`start method: ${method}`);
  if (input.startup?.importS !== undefined && input.startup.importS !== null) {
    evidence.push(`the script's imports take ${fixed(input.startup.importS)} s`);
  }
  const advice: Advice = {
    id: 'persistent-workers',
    severity: severityFor(savesPct, input),
    message:
      `Every epoch the DataLoader workers start again${spawn ? ` (${method}: a new interpreter re-imports the script and torch)` : ''}` +
      ` and the loop waits ${fixed(perEpoch)} s for them. Set persistent_workers=True` +
      (spawn
        ? ' and keep the script cheap to import (heavy imports under `if __name__ == "__main__":`).'
        : '.'),
    evidence,
  };
  if (input.loaders[0]?.site) advice.site = input.loaders[0].site;
  return withSavings(advice, input, savesS, perEpoch);
}

function fromSpikes(input: AdviceInput): Advice | undefined {
  if (input.epochs.length < 2) return undefined;
  const spikes: number[] = [];
  const whole: number[] = [];
  input.epochs.forEach((e, i) => {
    const start = input.epochStartStallPct[i];
    if (i >= 1 && start !== null && start !== undefined && e.stallPct !== null) {
      spikes.push(start);
      whole.push(e.stallPct);
    }
  });
  if (spikes.length === 0) return undefined;
  const spike = median(spikes);
  const base = median(whole);
  if (spike < input.settings.stallWarningPct || spike < 2 * base) return undefined;
  const advice: Advice = {
    id: 'persistent-workers',
    severity: 'info',
    message:
      `Each epoch starts with a stall (${fixed(spike)}% vs ${fixed(base)}% over the epoch) while DataLoader workers ` +
      'restart. Set persistent_workers=True to keep them between epochs.',
    evidence: [
      `epoch-start stall ${fixed(spike)}%`,
      `epoch stall ${fixed(base)}%`,
      'persistent_workers=False',
    ],
  };
  if (input.loaders[0]?.site) advice.site = input.loaders[0].site;
  return advice;
}
