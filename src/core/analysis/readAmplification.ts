/**
 * Read amplification: full epochs that read clearly more bytes than the dataset holds (an HDF5
 * sieve buffer fetching 64 KB around every 32 KB row, headers read with every small file, a shard
 * read twice). Only epochs whose coverage is otherwise whole count: the hook's batches cover
 * len(dataset), or, without the hook, an epoch bounded by the next one whose opened files are the
 * dataset's. Re-reading the dataset once per epoch is not amplification; reading it 2× per epoch is.
 */
import type { DatasetIndex, EpochSummary, LoaderSummary, WorkerStartupEpoch } from '../../shared/model';

/** bytes read per epoch ÷ dataset bytes from which an epoch counts as amplified */
export const AMPLIFIED_FACTOR = 1.3;
/** an epoch whose opened files are at least this share of the dataset's files covers it */
const FILES_COVERED = 0.9;
/** below this many files, opened files say little about coverage (one file read in part looks whole) */
const MIN_FILES_FOR_COVERAGE = 10;
/** hook epochs and start-up rows of the same epoch start within this many seconds */
const SAME_START_S = 0.5;

export interface AmplifiedEpoch {
  index: number;
  bytesRead: number;
  factor: number;
  /** seconds of the epoch the loop waited for data; null when the stall is unknown */
  waitS: number | null;
}

export interface ReadAmplification {
  datasetBytes: number;
  /** the full epochs, each of them amplified */
  epochs: AmplifiedEpoch[];
  /** median bytes read per full epoch ÷ dataset bytes */
  factor: number;
  /** median bytes read per full epoch */
  bytesPerEpoch: number;
  /** len(dataset) from the hook, when known */
  samples?: number;
  /** bytes per epoch ÷ samples, and the dataset's own bytes per sample */
  bytesPerSample?: number;
  datasetBytesPerSample?: number;
  /** how the epochs' coverage was judged */
  coverage: 'hook batches' | 'opened files' | 'interior epochs';
}

export interface AmplificationInput {
  datasets: readonly DatasetIndex[];
  epochs: readonly EpochSummary[];
  loaders: readonly LoaderSummary[];
  perEpoch?: readonly WorkerStartupEpoch[];
}

/** The amplification of a session, or undefined when any full epoch read ≲ 1.3× the dataset. */
export function readAmplification(input: AmplificationInput): ReadAmplification | undefined {
  const datasetBytes = input.datasets.reduce((a, d) => a + d.bytes, 0);
  if (!(datasetBytes > 0)) return undefined;
  const loader = input.loaders.find((l) => (l.datasetLen ?? 0) > 0);
  const judged = fullEpochs(input, loader);
  if (!judged || judged.epochs.length === 0) return undefined;
  const full = judged.epochs;
  if (full.some((e) => e.bytesRead / datasetBytes < AMPLIFIED_FACTOR)) return undefined;
  const bytesPerEpoch = median(full.map((e) => e.bytesRead));
  const out: ReadAmplification = {
    datasetBytes,
    epochs: full.map((e) => ({
      index: e.index,
      bytesRead: e.bytesRead,
      factor: e.bytesRead / datasetBytes,
      waitS: e.stallPct === null ? null : (e.stallPct / 100) * Math.max(0, e.endS - e.startS),
    })),
    factor: bytesPerEpoch / datasetBytes,
    bytesPerEpoch,
    coverage: judged.coverage,
  };
  const samples = loader?.datasetLen;
  if (samples) {
    out.samples = samples;
    out.bytesPerSample = bytesPerEpoch / samples;
    out.datasetBytesPerSample = datasetBytes / samples;
  }
  return out;
}

function fullEpochs(
  input: AmplificationInput,
  loader: LoaderSummary | undefined,
): { epochs: EpochSummary[]; coverage: ReadAmplification['coverage'] } | undefined {
  const rows = input.perEpoch ?? [];
  if (loader?.datasetLen && loader.batchSize && rows.some((r) => r.batches !== undefined)) {
    const least = Math.floor(loader.datasetLen / loader.batchSize); // drop_last=True
    const epochs = input.epochs.filter((e, i) => {
      const row = rowOf(e, i, input.epochs.length, rows);
      return row?.batches !== undefined && row.batches >= least && least > 0;
    });
    return { epochs, coverage: 'hook batches' };
  }
  // without the hook's counts, the last epoch may have been cut short: only epochs another one follows
  const interior = input.epochs.slice(0, -1);
  const files = input.datasets.reduce((a, d) => a + d.files, 0);
  if (files >= MIN_FILES_FOR_COVERAGE) {
    // many files and no count of those opened: nothing says the epoch covered the dataset
    const epochs = interior.filter((e) => (e.filesRead ?? 0) >= FILES_COVERED * files);
    return { epochs, coverage: 'opened files' };
  }
  return { epochs: interior, coverage: 'interior epochs' };
}

/** the start-up row of an epoch: by position when they pair up, else the one starting with it */
function rowOf(
  e: EpochSummary,
  i: number,
  epochs: number,
  rows: readonly WorkerStartupEpoch[],
): WorkerStartupEpoch | undefined {
  if (rows.length === epochs) return rows[i];
  return rows.find((r) => Math.abs(r.startS - e.startS) <= SAME_START_S);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
