/**
 * The headline numbers of one session, derived once from its SessionReport and shared by the Markdown
 * and HTML summaries and by the comparison of two sessions.
 */
import type { SessionReport, StallMethod } from '../../shared/model';
import { maxOf } from './seriesDownsample';

export interface KeyNumbers {
  durationS: number;
  stallPct: number | null;
  stallMethod: StallMethod;
  epochs: number;
  /** mean duration of the session's epochs, seconds */
  meanEpochS: number | null;
  firstEpochS: number | null;
  /** mean duration of the epochs after the first (usually served by the page cache) */
  laterEpochS: number | null;
  rereadFactor: number;
  pageCacheHitPct: number;
  datasetBytes: number;
  bytesRead: number;
  diskBytesRead: number;
  bytesWritten: number;
  /** mean read throughput of the process tree over the session, bytes/s */
  meanReadBps: number | null;
  peakReadBps: number | null;
  checkpoints: number;
  checkpointBytes: number;
  checkpointS: number;
  /** training time lost to checkpoint writes, seconds and share of the session */
  checkpointLostS: number;
  checkpointLostPct: number | null;
  /** the largest num_workers of the session's DataLoaders */
  numWorkers: number | null;
  batchSize: number | null;
}

export function keyNumbers(report: SessionReport): KeyNumbers {
  const durations = report.epochs.map((e) => e.endS - e.startS).filter((d) => Number.isFinite(d) && d >= 0);
  const lost = sum(report.checkpoints.map((c) => c.lostS));
  const workers = report.loaders.map((l) => l.numWorkers);
  const batch = report.loaders.find((l) => l.batchSize !== undefined)?.batchSize;
  return {
    durationS: report.durationS,
    stallPct: report.dataStall.pct,
    stallMethod: report.dataStall.method,
    epochs: report.epochs.length,
    meanEpochS: mean(durations),
    firstEpochS: durations.length ? durations[0] : null,
    laterEpochS: mean(durations.slice(1)),
    rereadFactor: report.reread.factor,
    pageCacheHitPct: report.reread.pageCacheHitPct,
    datasetBytes: report.reread.datasetBytes,
    bytesRead: report.totals.rchar,
    diskBytesRead: report.totals.readBytes,
    bytesWritten: report.totals.writeBytes,
    meanReadBps: report.durationS > 0 ? report.totals.rchar / report.durationS : null,
    peakReadBps: maxOf(report.series.readBps),
    checkpoints: report.checkpoints.length,
    checkpointBytes: sum(report.checkpoints.map((c) => c.bytes)),
    checkpointS: sum(report.checkpoints.map((c) => c.durationS)),
    checkpointLostS: lost,
    checkpointLostPct: report.durationS > 0 ? (100 * lost) / report.durationS : null,
    numWorkers: maxOf(workers),
    batchSize: batch ?? null,
  };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
}

function mean(xs: number[]): number | null {
  return xs.length ? sum(xs) / xs.length : null;
}
