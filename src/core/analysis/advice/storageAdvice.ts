/**
 * `faster-storage`: the dataset is larger than the memory free for the page cache, so every epoch
 * reads it from disk again. `cache-dataset`: it would fit, yet epochs after the first still come
 * from disk (something evicts it). When storage is the bottleneck, the steady-state stall is what
 * either would save.
 */
import type { Advice } from '../../../shared/model';
import { laterEpochsFromDiskPct } from '../bottleneck';
import { fixed, gb, severityFor, sum, withSavings, type AdviceInput } from './adviceInput';

const FROM_DISK_PCT = 50;

export function storageAdvice(input: AdviceInput): Advice | undefined {
  const datasetBytes = sum(input.datasets.map((d) => d.bytes));
  const fromDisk = laterEpochsFromDiskPct(input.epochs);
  const available = input.memory?.memAvailableBytes;
  const evidence: string[] = [`dataset: ${gb(datasetBytes)}`];
  if (available !== undefined) evidence.push(`memory available for the page cache: ${gb(available)}`);
  if (fromDisk !== null) evidence.push(`epochs after the first: ${fixed(fromDisk)}% read from disk`);
  const io = input.activity?.workersIoWaitPct;
  if (io !== null && io !== undefined && io > 0)
    evidence.push(`workers blocked on storage ${fixed(io)}% of the time`);
  const larger = datasetBytes > 0 && available !== undefined && datasetBytes > available;
  const evicted = !larger && fromDisk !== null && fromDisk > FROM_DISK_PCT;
  if (!larger && !evicted) return undefined;
  if (larger && fromDisk !== null && fromDisk <= 100 - FROM_DISK_PCT) return undefined;
  const storageBound = input.bottleneck?.kind === 'storage';
  const savesS = storageBound ? ((input.split?.steadyStallPct ?? 0) / 100) * input.trainingS : 0;
  const savesPct = input.trainingS > 0 ? (100 * savesS) / input.trainingS : 0;
  const advice: Advice = larger
    ? {
        id: 'faster-storage',
        severity: fromDisk === null ? 'info' : storageBound ? severityFor(savesPct, input) : 'warning',
        message:
          `The dataset (${gb(datasetBytes)}) is larger than the memory available for the page cache ` +
          `(${gb(available ?? 0)}), so every epoch reads it from disk again. Use faster local storage (NVMe), ` +
          'a smaller or compressed copy, or a node with more memory.',
        evidence,
      }
    : {
        id: 'cache-dataset',
        severity: storageBound ? severityFor(savesPct, input) : 'warning',
        message:
          'Epochs after the first still read most of the dataset from disk although it would fit in memory: ' +
          'something evicts it from the page cache (memory pressure, other jobs, direct I/O). Cache it: ' +
          'load it into memory once (arrays), or copy it to local disk or /dev/shm.',
        evidence,
      };
  return withSavings(advice, input, savesS);
}
