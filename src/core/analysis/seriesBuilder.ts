/**
 * Builds the session's time series on one bounded grid: read/disk/write throughput of the tree,
 * system disk reads, stall % per bucket, GPU utilisation, dataset opens. Cumulative counters are
 * spread uniformly between consecutive samples, stall windows over their span. The other analyses
 * query the same grid (`sum`) for per-epoch stall and files.
 */
import type {
  GpuRecord,
  OpensRecord,
  SessionSeries,
  StallMethod,
  StallRecord,
  SystemRecord,
  TreeRecord,
} from '../../shared/model';
import { round2 } from './pageCache';
import { TimeGrid } from './timeGrid';

const CHANNELS = [
  'rchar',
  'readBytes',
  'writeBytes',
  'sysDiskRead',
  'exactWait',
  'exactLoop',
  'estimatedWait',
  'estimatedLoop',
  'gpuSum',
  'gpuN',
  'opens',
] as const;
export type SeriesChannel = (typeof CHANNELS)[number];

export interface SeriesOptions {
  maxPoints?: number;
  bucketS?: number;
}

export class SeriesBuilder {
  readonly grid: TimeGrid<SeriesChannel>;
  private lastTree: TreeRecord | undefined;
  private lastSystem: SystemRecord | undefined;
  private lastOpensS: number | undefined;
  private gpuSeen = false;
  private lastS = 0;

  constructor(options: SeriesOptions = {}) {
    this.grid = new TimeGrid(CHANNELS, {
      maxPoints: options.maxPoints ?? 2048,
      bucketS: options.bucketS ?? 0.5,
    });
  }

  addTree(r: TreeRecord): void {
    const prevS = this.lastTree?.s ?? 0;
    const prev = this.lastTree?.io;
    const d = (k: keyof TreeRecord['io']): number => Math.max(0, r.io[k] - (prev ? prev[k] : 0));
    this.grid.spread('rchar', prevS, r.s, d('rchar'));
    this.grid.spread('readBytes', prevS, r.s, d('readBytes'));
    this.grid.spread('writeBytes', prevS, r.s, d('writeBytes'));
    this.lastTree = r;
    this.seen(r.s);
  }

  addSystem(r: SystemRecord): void {
    const prev = this.lastSystem;
    if (prev && r.s > prev.s) {
      this.grid.spread('sysDiskRead', prev.s, r.s, Math.max(0, r.diskReadBytes - prev.diskReadBytes));
    }
    this.lastSystem = r;
    this.seen(r.s);
  }

  addStall(r: StallRecord): void {
    const t0 = r.s - r.windowS;
    this.grid.spread(r.method === 'exact' ? 'exactWait' : 'estimatedWait', t0, r.s, r.waitS);
    this.grid.spread(r.method === 'exact' ? 'exactLoop' : 'estimatedLoop', t0, r.s, r.loopS);
    this.seen(r.s);
  }

  addGpu(r: GpuRecord): void {
    this.gpuSeen = true;
    this.grid.add('gpuSum', r.s, r.utilPct);
    this.grid.add('gpuN', r.s, 1);
    this.seen(r.s);
  }

  addOpens(r: OpensRecord): void {
    this.grid.spread('opens', this.lastOpensS ?? r.s, r.s, r.count);
    this.lastOpensS = r.s;
    this.seen(r.s);
  }

  /** stall % over [t0, t1] for one method, null when the loop was never active there */
  stallPct(method: StallMethod, t0: number, t1: number): number | null {
    const loop = this.grid.sum(method === 'exact' ? 'exactLoop' : 'estimatedLoop', t0, t1);
    if (!(loop > 1e-6)) return null;
    const wait = this.grid.sum(method === 'exact' ? 'exactWait' : 'estimatedWait', t0, t1);
    return round2(Math.min(100, (100 * wait) / loop));
  }

  series(primary: StallMethod): SessionSeries {
    const g = this.grid;
    const out: SessionSeries = {
      t: [],
      readBps: [],
      diskReadBps: [],
      writeBps: [],
      systemDiskReadBps: [],
      stallPct: [],
    };
    const gpu: (number | null)[] = [];
    const wait: SeriesChannel = primary === 'exact' ? 'exactWait' : 'estimatedWait';
    const loop: SeriesChannel = primary === 'exact' ? 'exactLoop' : 'estimatedLoop';
    for (let i = 0; i < g.length; i++) {
      const start = g.startOf(i);
      const end = Math.min(start + g.bucketS, Math.max(this.lastS, start + 1e-3));
      const width = end - start;
      const rate = (c: SeriesChannel): number => Math.round(g.value(c, i) / width);
      out.t.push(round3(end));
      out.readBps.push(rate('rchar'));
      out.diskReadBps.push(rate('readBytes'));
      out.writeBps.push(rate('writeBytes'));
      out.systemDiskReadBps.push(rate('sysDiskRead'));
      const l = g.value(loop, i);
      out.stallPct.push(l > 1e-6 ? round2(Math.min(100, (100 * g.value(wait, i)) / l)) : null);
      const n = g.value('gpuN', i);
      gpu.push(n > 0 ? round2(g.value('gpuSum', i) / n) : null);
    }
    if (this.gpuSeen) out.gpuUtilPct = gpu;
    return out;
  }

  private seen(s: number): void {
    if (s > this.lastS) this.lastS = s;
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
