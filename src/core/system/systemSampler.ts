/**
 * System-wide counters, once per tree interval but not more than once a second: disk bytes read and
 * written since the session start (/proc/diskstats, see diskCounters.ts), memory and page cache
 * (systeminformation `mem()`, ≈ 0.4 ms) and CPU load (`currentLoad()`, ≈ 0.06 ms).
 */
import si from 'systeminformation';
import type { SystemRecord } from '../../shared/model';
import type { Source, SourceContext } from '../source';
import { DiskCounters, type DiskTotals } from './diskCounters';

export const MIN_SYSTEM_INTERVAL_MS = 1000;

export class SystemSampler implements Source {
  readonly name = 'system';
  private disks: DiskCounters | null = null;
  private baseline: DiskTotals | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ctx: SourceContext | null = null;
  private busy: Promise<void> | null = null;
  private failed = false;

  async start(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    this.disks = new DiskCounters();
    this.baseline = this.disks.read();
    await si.currentLoad(); // the first call only sets the reference point of the load
    const intervalMs = Math.max(MIN_SYSTEM_INTERVAL_MS, ctx.settings.treeIntervalMs);
    this.timer = setInterval(() => {
      if (this.busy === null) this.busy = this.tick().finally(() => (this.busy = null));
    }, intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.busy;
    this.disks?.close();
    this.disks = null;
  }

  private async tick(): Promise<void> {
    const ctx = this.ctx;
    if (ctx === null || this.disks === null) return;
    try {
      const [mem, load] = await Promise.all([si.mem(), si.currentLoad()]);
      const disk = this.disks?.read() ?? null;
      const base = this.baseline ?? disk;
      const record: SystemRecord = {
        type: 'system',
        s: ctx.now(),
        diskReadBytes: disk && base ? disk.readBytes - base.readBytes : 0,
        diskWriteBytes: disk && base ? disk.writeBytes - base.writeBytes : 0,
        memTotalBytes: mem.total,
        memAvailableBytes: mem.available,
        pageCacheBytes: mem.cached,
        cpuPct: Math.round(load.currentLoad * 10) / 10,
      };
      ctx.sink.emit(record);
    } catch (e) {
      if (!this.failed) ctx.note('warning', `system sampling failed: ${(e as Error).message}`);
      this.failed = true;
    }
  }
}
