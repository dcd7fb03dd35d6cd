/**
 * `async-checkpoint`: checkpoints stop training for more than 5 % of the loop. Writing them in the
 * background (copy the state to CPU memory, write from a thread) saves the time the loop lost.
 */
import type { Advice } from '../../../shared/model';
import { fixed, mb, sum, withSavings, type AdviceInput } from './adviceInput';

const CHECKPOINT_COST_PCT = 5;

export function asyncCheckpointAdvice(input: AdviceInput): Advice | undefined {
  if (!(input.trainingS > 0) || input.checkpoints.length === 0) return undefined;
  const lost = sum(input.checkpoints.map((c) => c.lostS));
  const pct = (100 * lost) / input.trainingS;
  if (pct <= CHECKPOINT_COST_PCT) return undefined;
  const worst = [...input.checkpoints].sort((a, b) => b.lostS - a.lostS)[0];
  const bytes = sum(input.checkpoints.map((c) => c.bytes));
  const advice: Advice = {
    id: 'async-checkpoint',
    severity: pct >= 4 * CHECKPOINT_COST_PCT ? 'critical' : 'warning',
    message:
      `Checkpoints cost ${fixed(pct)}% of training time (${fixed(lost)} s lost over ${input.checkpoints.length} saves). ` +
      'Save less often, or save asynchronously (copy the state to CPU, write it in a background thread).',
    evidence: [
      `${input.checkpoints.length} saves, ${mb(bytes)} written`,
      `${fixed(lost)} s lost of ${fixed(input.trainingS)} s of training`,
      `largest loss: ${fixed(worst.lostS)} s writing ${worst.path}`,
    ],
  };
  const site = worst.site ?? input.checkpoints.find((c) => c.site)?.site;
  if (site) advice.site = site;
  return withSavings(advice, input, lost);
}
