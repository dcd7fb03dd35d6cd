/**
 * The dataset bytes of a span of time (an epoch), from three counts, each an upper bound or a
 * direct measure:
 * - Δrchar of the tree: every read() — the dataset's, but also Python modules, shared libraries
 *   and checkpoints loaded (spawned workers re-import torch every epoch);
 * - Σ size of the dataset files opened (inotify or the hook): a second upper bound of what read()
 *   took from the dataset, used when the epochs opened on average at least half the dataset each
 *   (a job that opens its files per sample or per shard; a file opened once and read for many
 *   epochs would make it no bound at all). The smaller of the two bounds is the figure — taken over
 *   all epochs together and applied to each as a share of its read() bytes: opens arrive in windows
 *   (up to a stall window long) that straddle epoch boundaries, while rchar is exact at them;
 * - bytes that entered the tree's mappings of dataset files (see MappedRecord), added on top:
 *   reads through a mapping pass neither read() nor an open.
 * Storage reads are the tree's read_bytes, at most the bytes read.
 */
import type { IoCounters, MappedRecord, OpensRecord, RereadMethod } from '../../shared/model';
import { hitPct, readSplit, type ReadSplit } from './pageCache';
import { ScalarHistory } from './scalarHistory';

/** the opens bound is used when the span opened at least this share of the dataset */
export const OPENS_BOUND_SHARE = 0.5;

export interface SpanBytes extends ReadSplit {
  /**
   * what counted the reads through read(): rchar itself, the files opened, or — for a dataset
   * made of mapped files — the size of its files that are not mapped
   */
  read: 'read' | 'opens' | 'unmapped';
  /** bytes that entered the mappings in the span */
  mappedBytes: number;
}

export class DatasetBytes {
  private readonly mapped = new ScalarHistory();
  private readonly opened = new ScalarHistory();
  private openedTotal = 0;
  private sawOpenedBytes = false;
  private mappedFiles = 0;
  private mappedFileBytes = 0;

  addMapped(r: MappedRecord): void {
    this.mapped.add(r.s, r.residentBytes);
    this.mappedFiles = Math.max(this.mappedFiles, r.files);
    this.mappedFileBytes = Math.max(this.mappedFileBytes, r.mappedBytes);
  }

  addOpens(r: OpensRecord): void {
    if (r.bytes === undefined) return;
    this.sawOpenedBytes = true;
    const first = r.firstS ?? r.s;
    const last = Math.max(first, r.lastS ?? r.s);
    // a window of one moment is a step there, not a ramp from the window before
    this.opened.add(last > first ? first : first - 1e-6, this.openedTotal);
    this.openedTotal += r.bytes;
    this.opened.add(last, this.openedTotal);
  }

  /** of the dataset bytes opened in [a, b], the share opened before `s`; undefined when none were */
  openedBefore(a: number, s: number, b: number): number | undefined {
    const all = this.opened.between(a, b);
    if (!(all > 0)) return undefined;
    // an open at `s` itself is the first of the epoch that starts there
    return Math.max(0, Math.min(1, this.opened.between(a, s - 1e-6) / all));
  }

  /** dataset files were seen mapped */
  get anyMapped(): boolean {
    return this.mappedFiles > 0;
  }

  /**
   * The share of read() bytes that were the dataset's, over all the epochs [a, b] with their Δrchar:
   * Σ opened ÷ Σ rchar, when the opens bound applies and is the smaller one; else 1.
   */
  openedShare(spans: readonly { a: number; b: number; rchar: number }[], datasetBytes: number): number {
    if (!this.sawOpenedBytes || datasetBytes <= 0 || spans.length === 0) return 1;
    const unmapped = Math.max(0, datasetBytes - this.mappedFileBytes);
    let opened = 0;
    let rchar = 0;
    for (const sp of spans) {
      opened += this.opened.between(sp.a, sp.b);
      rchar += Math.max(0, sp.rchar);
    }
    if (rchar <= 0 || opened < OPENS_BOUND_SHARE * unmapped * spans.length) return 1;
    return Math.min(1, opened / rchar);
  }

  /** `openedShare`: from openedShare() over the session's epochs (1: read() bytes as counted) */
  span(a: number, b: number, delta: IoCounters, datasetBytes: number, openedShare = 1): SpanBytes {
    const unmapped = Math.max(0, datasetBytes - this.mappedFileBytes);
    let viaRead = delta.rchar;
    let read: SpanBytes['read'] = 'read';
    if (openedShare < 1) {
      viaRead = Math.round(delta.rchar * openedShare);
      read = 'opens';
    }
    // a dataset made (mostly) of mapped files: read() can only have taken its other files
    const mostlyMapped = datasetBytes > 0 && this.mappedFileBytes >= OPENS_BOUND_SHARE * datasetBytes;
    if (mostlyMapped && unmapped < viaRead) {
      viaRead = unmapped;
      read = 'unmapped';
    }
    if (!this.anyMapped) return { ...readSplit({ ...delta, rchar: viaRead }), read, mappedBytes: 0 };
    const mappedBytes = Math.round(this.mapped.between(a, b));
    const bytesRead = Math.round(viaRead + mappedBytes);
    const diskBytesRead = Math.round(Math.min(Math.max(0, delta.readBytes), bytesRead));
    return {
      bytesRead,
      diskBytesRead,
      pageCacheHitPct: hitPct(bytesRead, diskBytesRead),
      viaMmap: mappedBytes > 0.5 * bytesRead,
      read,
      mappedBytes,
    };
  }
}

/** the method of a report from its spans */
export function rereadMethod(spans: readonly SpanBytes[], anyMapped: boolean): RereadMethod {
  const opens = spans.some((s) => s.read === 'opens');
  if (!anyMapped) return opens ? 'opens' : 'read';
  const readMatters = spans.some((s) => s.bytesRead - s.mappedBytes > 0.05 * s.bytesRead);
  if (!readMatters) return 'mmap';
  return opens ? 'opens+mmap' : 'read+mmap';
}
