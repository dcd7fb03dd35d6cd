/**
 * Where the bytes a process tree read came from, split so that the three parts add up to the bytes
 * read as the report counts them (pageCache.ts: the largest of rchar, read_bytes and major faults ×
 * page size):
 * - `page_cache`: bytes read() returned that storage did not have to fetch (rchar − read_bytes);
 * - `disk`: bytes read() returned that were fetched from storage (at most rchar);
 * - `mmap`: bytes fetched through memory maps, which read() never saw (read_bytes or faulted pages
 *   beyond rchar). Page-cache hits through a map are invisible to /proc and counted nowhere.
 */
import type { IoCounters } from '../../shared/model';
import { PAGE_BYTES } from '../analysis/pageCache';

export type ReadSource = 'page_cache' | 'disk' | 'mmap';

export const READ_SOURCES: readonly ReadSource[] = ['page_cache', 'disk', 'mmap'];

/** the split of one interval's counter increase (negative increases count as 0) */
export function readSources(delta: IoCounters): Record<ReadSource, number> {
  const rchar = Math.max(0, delta.rchar);
  const fetched = Math.max(0, delta.readBytes);
  const faulted = Math.max(0, delta.majorFaults) * PAGE_BYTES;
  const bytesRead = Math.max(rchar, fetched, faulted);
  const disk = Math.min(rchar, fetched);
  return { page_cache: rchar - disk, disk, mmap: bytesRead - rchar };
}

/** b − a, counter by counter */
export function ioIncrease(a: IoCounters, b: IoCounters): IoCounters {
  return {
    rchar: b.rchar - a.rchar,
    wchar: b.wchar - a.wchar,
    readBytes: b.readBytes - a.readBytes,
    writeBytes: b.writeBytes - a.writeBytes,
    majorFaults: b.majorFaults - a.majorFaults,
  };
}

export const NO_IO: IoCounters = { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0, majorFaults: 0 };
