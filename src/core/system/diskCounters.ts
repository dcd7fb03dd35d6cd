/**
 * System-wide disk counters from /proc/diskstats, summed over whole physical disks (those with a
 * `device` link in /sys/block: partitions, loop, zram, device-mapper and md devices would count the
 * same bytes twice). Read directly: systeminformation's `disksIO()` spawns a shell, `lsblk` and one
 * `cat` per disk on every call, far too much for a per-second sampler.
 */
import * as fs from 'node:fs';
import { ProcFile } from '../proc/procFile';

/** diskstats counts 512-byte sectors whatever the device's sector size */
const SECTOR_BYTES = 512;

export function physicalDisks(): Set<string> {
  const out = new Set<string>();
  let names: string[] = [];
  try {
    names = fs.readdirSync('/sys/block');
  } catch {
    return out;
  }
  for (const name of names) if (fs.existsSync(`/sys/block/${name}/device`)) out.add(name);
  return out;
}

export interface DiskTotals {
  readBytes: number;
  writeBytes: number;
}

/** Parses /proc/diskstats and sums the sectors of the given devices. */
export function parseDiskstats(text: string, disks: ReadonlySet<string>): DiskTotals {
  let read = 0;
  let written = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !disks.has(f[2])) continue;
    read += Number(f[5]);
    written += Number(f[9]);
  }
  return { readBytes: read * SECTOR_BYTES, writeBytes: written * SECTOR_BYTES };
}

export class DiskCounters {
  private readonly file = new ProcFile('/proc/diskstats', 4096);
  private readonly disks = physicalDisks();

  read(): DiskTotals | null {
    const r = this.file.read();
    return r.ok ? parseDiskstats(r.text, this.disks) : null;
  }

  close(): void {
    this.file.close();
  }
}
