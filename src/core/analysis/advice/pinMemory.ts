/**
 * `pin-memory`: on a machine with a GPU, batches the loop waits for are copied from pageable
 * memory. With pin_memory=True a thread copies them into page-locked memory ahead of time and the
 * copy to the GPU can run asynchronously. Without a GPU pin_memory does nothing, so nothing is said.
 */
import type { Advice } from '../../../shared/model';
import { fixed, type AdviceInput } from './adviceInput';

export function pinMemoryAdvice(input: AdviceInput): Advice | undefined {
  const loader = input.loaders[0];
  if (!loader || loader.pinMemory !== false || loader.numWorkers === 0) return undefined;
  if (!(input.gpus !== undefined && input.gpus > 0)) return undefined;
  const pct = input.stall.pct;
  if (pct === null || pct < input.settings.stallWarningPct) return undefined;
  const advice: Advice = {
    id: 'pin-memory',
    severity: 'info',
    message:
      'Batches reach the GPU from pageable memory. Set pin_memory=True (and .to(device, non_blocking=True)) ' +
      'so the host-to-device copy overlaps the next step.',
    evidence: [
      `data stall ${fixed(pct)}% (${input.stall.method})`,
      'pin_memory=False',
      `${input.gpus} GPU(s)`,
    ],
  };
  if (loader.site) advice.site = loader.site;
  return advice;
}
