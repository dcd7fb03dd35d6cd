/**
 * `read-amplification`: every full epoch read clearly more than the dataset (../readAmplification).
 * Says by how much (per epoch, per sample where the hook knows len(dataset)), what reading only the
 * samples would save — the extra bytes at the rate the epoch read while the loop waited — and the
 * likely causes for the dataset's format, judged from its path, its size histogram and the
 * dataset class the hook saw (the index keeps no file names).
 */
import type { Advice, DatasetIndex, Severity } from '../../../shared/model';
import { readAmplification, type ReadAmplification } from '../readAmplification';
import { kb, mb, severityFor, sum, withSavings, type AdviceInput } from './adviceInput';

/** from this factor on the extra bytes are a warning (the job reads the dataset twice per epoch) */
const WARNING_FACTOR = 2;
/** one file holding this share of the dataset's bytes makes a single-file dataset */
const ONE_FILE_SHARE = 0.95;
/** median file size below which a dataset of many files is one of small files */
const SMALL_FILE_BYTES = 1 << 20;

export type DatasetFormat = 'hdf5' | 'single-file' | 'npy-files' | 'tar' | 'generic';

export function readAmplificationAdvice(input: AdviceInput): Advice | undefined {
  const found = readAmplification({
    datasets: input.datasets,
    epochs: input.epochs,
    loaders: input.loaders,
    perEpoch: input.workers?.method === 'exact' ? input.workers.perEpoch : undefined,
  });
  if (!found) return undefined;
  const format = datasetFormat(input.datasets, input.loaders[0]?.datasetClass);
  const extra = found.bytesPerEpoch - found.datasetBytes;
  const evidence = [
    `${mb(found.bytesPerEpoch)} read per epoch for a ${mb(found.datasetBytes)} dataset ` +
      `(${found.factor.toFixed(2)}×, ${found.epochs.length} full epoch${found.epochs.length === 1 ? '' : 's'}, coverage from ${found.coverage})`,
  ];
  if (found.bytesPerSample !== undefined && found.datasetBytesPerSample !== undefined) {
    evidence.push(
      `${kb(found.bytesPerSample)} read per sample for ${kb(found.datasetBytesPerSample)} of data per sample (${found.samples} samples)`,
    );
  }
  const saving = savings(found);
  if (saving) {
    evidence.push(
      `the epochs read ${mb(saving.rate)}/s while the loop waited: ${mb(extra)} less per epoch ≈ ${seconds(saving.perEpoch)}`,
    );
  }
  const advice: Advice = {
    id: 'read-amplification',
    severity: 'info',
    message:
      `Every epoch reads ${found.factor.toFixed(1)}× the dataset (${mb(extra)} more than it holds): ` +
      `the reader fetches more than each sample. ${causes(format)}`,
    evidence,
  };
  if (input.loaders[0]?.site) advice.site = input.loaders[0].site;
  const total = saving ? saving.total : 0;
  const savesPct = input.trainingS > 0 ? (100 * total) / input.trainingS : 0;
  advice.severity = worse(found.factor >= WARNING_FACTOR ? 'warning' : 'info', severityFor(savesPct, input));
  return saving ? withSavings(advice, input, saving.total, saving.perEpoch) : advice;
}

/** The dataset's format, as far as the index and the hook tell it. */
export function datasetFormat(datasets: readonly DatasetIndex[], datasetClass?: string): DatasetFormat {
  const paths = datasets.map((d) => d.path.toLowerCase());
  const cls = (datasetClass ?? '').toLowerCase();
  if (paths.some((p) => /\.(h5|hdf5|hdf|he5)$/.test(p)) || /h5|hdf/.test(cls)) return 'hdf5';
  if (paths.some((p) => p.endsWith('.tar')) || /tar|shard|webdataset/.test(cls)) return 'tar';
  const bytes = sum(datasets.map((d) => d.bytes));
  const buckets = datasets.flatMap((d) => d.histogram);
  const oneFile = buckets.some((b) => b.count === 1 && b.bytes >= ONE_FILE_SHARE * bytes);
  if (bytes > 0 && oneFile) return 'single-file';
  const files = sum(datasets.map((d) => d.files));
  if ((/npy|numpy/.test(cls) || paths.some((p) => p.endsWith('.npy'))) && files > 1) {
    if (bytes / files < SMALL_FILE_BYTES) return 'npy-files';
  }
  return 'generic';
}

const HDF5 =
  'HDF5 reads a contiguous dataset through its 64 KB sieve buffer, so a random row smaller than that costs a whole buffer: ' +
  'store it chunked with one sample per chunk (chunks=(1, row)) and a chunk cache sized to it, ' +
  "h5py.File(path, 'r', rdcc_nbytes=…) (or shrink the sieve buffer: set_sieve_buf_size on the file access list), " +
  'or read the rows of a batch in sorted order.';

function causes(format: DatasetFormat): string {
  switch (format) {
    case 'hdf5':
      return HDF5;
    case 'single-file':
      return `The dataset is one file: if it is HDF5, ${HDF5.charAt(0).toLowerCase()}${HDF5.slice(1)} Otherwise check the block or buffer size its reader fetches per sample.`;
    case 'npy-files':
      return 'np.load of many small .npy files reads each header before the data: pack them into one array (or shards) and index it.';
    case 'tar':
      return 'A tar shard read twice per epoch (each worker, or a re-opened iterator, scanning the same shard): split the shards between workers once (get_worker_info) and stream each one through.';
    case 'generic':
      return 'Check the reader: block size, read-ahead or decoding that fetches more than each sample (e.g. a whole file read to take one record).';
  }
}

function savings(found: ReadAmplification): { rate: number; perEpoch: number; total: number } | undefined {
  const timed = found.epochs.filter((e) => e.waitS !== null && e.waitS > 0);
  if (timed.length === 0) return undefined;
  // extra bytes ÷ the rate the epoch read at while the loop waited for it
  const each = timed.map((e) => (e.waitS as number) * ((e.bytesRead - found.datasetBytes) / e.bytesRead));
  const total = sum(each);
  const rate = sum(timed.map((e) => e.bytesRead)) / sum(timed.map((e) => e.waitS as number));
  return { rate, perEpoch: total / timed.length, total };
}

const ORDER: Severity[] = ['info', 'warning', 'critical'];

function worse(a: Severity, b: Severity): Severity {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

function seconds(s: number): string {
  return s < 1 ? `${Math.round(1000 * s)} ms` : `${s.toFixed(1)} s`;
}
