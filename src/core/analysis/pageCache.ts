/**
 * Page cache vs disk. `rchar` counts every byte returned by read calls (cache hits included),
 * `read_bytes` the bytes fetched from storage. Reads through `mmap` never show in `rchar`: they show
 * as major faults and `read_bytes` (cold) or not at all (warm), so the bytes read are taken as the
 * largest of rchar, read_bytes and major faults × page size — an mmap'd dataset is never reported
 * as 0 bytes read while it comes from disk.
 */
import type { IoCounters, ResidencyRecord, SystemRecord } from '../../shared/model';

export const PAGE_BYTES = 4096;

export interface ReadSplit {
  bytesRead: number;
  diskBytesRead: number;
  /** share of bytesRead served by the page cache, 0–100 */
  pageCacheHitPct: number;
  /** reads were seen only through read_bytes / major faults (mmap) */
  viaMmap: boolean;
}

export function readSplit(delta: IoCounters): ReadSplit {
  const faulted = delta.majorFaults * PAGE_BYTES;
  const fromDisk = Math.max(delta.readBytes, 0);
  const bytesRead = Math.round(Math.max(delta.rchar, fromDisk, faulted));
  const diskBytesRead = Math.round(Math.min(fromDisk, bytesRead));
  const viaMmap = bytesRead > 0 && delta.rchar < 0.5 * bytesRead;
  return { bytesRead, diskBytesRead, pageCacheHitPct: hitPct(bytesRead, diskBytesRead), viaMmap };
}

export function hitPct(bytesRead: number, diskBytesRead: number): number {
  if (!(bytesRead > 0)) return 0;
  return round2(100 * Math.max(0, 1 - diskBytesRead / bytesRead));
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export interface MemoryState {
  memTotalBytes: number;
  memAvailableBytes: number;
  pageCacheBytes: number;
}

/** The latest residency per dataset and the system's memory, for the report and the advice. */
export class PageCacheTracker {
  private readonly residency = new Map<string, ResidencyRecord>();
  private memory: MemoryState | undefined;

  addResidency(r: ResidencyRecord): void {
    this.residency.set(r.path, r);
  }

  addSystem(r: SystemRecord): void {
    this.memory = {
      memTotalBytes: r.memTotalBytes,
      memAvailableBytes: r.memAvailableBytes,
      pageCacheBytes: r.pageCacheBytes,
    };
  }

  get memoryState(): MemoryState | undefined {
    return this.memory;
  }

  /** share of the sampled dataset bytes resident in the page cache at the last sample, 0–100 */
  residentPct(): number | null {
    let sampled = 0;
    let resident = 0;
    for (const r of this.residency.values()) {
      sampled += r.sampledBytes;
      resident += r.residentBytes;
    }
    if (!(sampled > 0)) return null;
    return round2(Math.min(100, (100 * resident) / sampled));
  }
}
