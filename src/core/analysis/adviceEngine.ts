/**
 * The advice of a session: one rule per finding (./advice/), each with the numbers that triggered
 * it, what it would save and, where known, the call site to change. Sorted so that the first advice
 * is the biggest win: a critical health finding first (it ends runs), then by the seconds saved,
 * then by severity.
 */
import type { Advice } from '../../shared/model';
import type { AdviceInput, AdviceRule } from './advice/adviceInput';
import { asyncCheckpointAdvice } from './advice/asyncCheckpoint';
import { healthAdvice } from './advice/healthAdvice';
import { moreWorkersAdvice } from './advice/moreWorkers';
import { packSmallFilesAdvice } from './advice/packSmallFiles';
import { persistentWorkersAdvice } from './advice/persistentWorkers';
import { pinMemoryAdvice } from './advice/pinMemory';
import { readAmplificationAdvice } from './advice/readAmplificationAdvice';
import { storageAdvice } from './advice/storageAdvice';

export type { AdviceInput, HealthFinding } from './advice/adviceInput';
export { medianFileBytes } from './advice/packSmallFiles';

const RULES: AdviceRule[] = [
  persistentWorkersAdvice,
  moreWorkersAdvice,
  storageAdvice,
  packSmallFilesAdvice,
  readAmplificationAdvice,
  pinMemoryAdvice,
  asyncCheckpointAdvice,
];

const RANK = { critical: 0, warning: 1, info: 2 };

export function adviseOn(input: AdviceInput): Advice[] {
  const out: Advice[] = healthAdvice(input);
  for (const rule of RULES) {
    const a = rule(input);
    if (a) out.push(a);
  }
  return sortByWin(out);
}

/** the biggest win first */
export function sortByWin(advice: readonly Advice[]): Advice[] {
  const endsRun = (a: Advice): number => (a.severity === 'critical' && a.savesS === undefined ? 0 : 1);
  return [...advice].sort(
    (a, b) =>
      endsRun(a) - endsRun(b) || (b.savesS ?? 0) - (a.savesS ?? 0) || RANK[a.severity] - RANK[b.severity],
  );
}
