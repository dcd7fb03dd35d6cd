/**
 * The Prometheus metrics of one recording, kept in their own prom-client Registry (never the global
 * one, and no default Node.js metrics: those would describe trainio, not the training job).
 *
 * Counters move with the record stream, so PromQL can compute any window itself: stall windows add
 * their wait and loop seconds, tree samples add their counter increases (per rank when the tree
 * sample splits them), hook saves add checkpoints. What only the analyses know (the epoch a rank is
 * in, checkpoints seen as write bursts or files) is taken from the session report on `refresh`.
 * Every series carries `host` and `rank`; `job` and `instance` are the scraper's.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type {
  IoCounters,
  MeasurementMode,
  RankRecord,
  SessionRecord,
  SessionReport,
  Severity,
  TreeRecord,
} from '../../shared/model';
import { ioIncrease, NO_IO, readSources, READ_SOURCES } from './readSources';

export interface MetricsIdentity {
  /** the node's name, as the session's environment has it */
  host: string;
  /** trainio's version */
  version: string;
  mode: MeasurementMode;
  /** the session start, ms since the Unix epoch */
  startedAtMs: number;
  /** saves smaller than this are not checkpoints (the report's rule) */
  minCheckpointBytes: number;
}

/** A health check's latest state (the 'health' records of the health analysis). */
export interface HealthReading {
  type: 'health';
  id: string;
  severity: Severity;
  value: number;
  limit: number;
}

/** checkpoints found by the analyses (not the hook) are counted once they ended this long ago */
const SETTLE_S = 10;

const SEVERITY_LEVEL: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

interface Tracked {
  io: IoCounters;
  cpuS: number;
}

export class JobMetrics {
  readonly registry = new Registry();
  private readonly wait: Counter<'host' | 'rank' | 'method'>;
  private readonly loop: Counter<'host' | 'rank' | 'method'>;
  private readonly read: Counter<'host' | 'rank' | 'source'>;
  private readonly written: Counter<'host' | 'rank'>;
  private readonly cpu: Counter<'host' | 'rank'>;
  private readonly checkpoints: Counter<'host' | 'rank'>;
  private readonly checkpointBytes: Counter<'host' | 'rank'>;
  private readonly checkpointSeconds: Counter<'host' | 'rank'>;
  private readonly epoch: Gauge<'host' | 'rank'>;
  private readonly workers: Gauge<'host' | 'rank'>;
  private readonly healthRatio: Gauge<'host' | 'check'>;
  private readonly healthSeverity: Gauge<'host' | 'check'>;
  private readonly info: Gauge<'host' | 'version' | 'mode' | 'python' | 'torch'>;
  private readonly rankInfo: Gauge<'host' | 'rank' | 'pid' | 'local_rank' | 'world_size' | 'launcher'>;
  /** the last counters seen per rank ('tree' for the whole tree before ranks were split) */
  private readonly last = new Map<string, Tracked>();
  private sawWholeTree = false;
  /** checkpoints the report found beyond the hook's saves (write bursts, watched files), already counted */
  private otherCheckpoints = { count: 0, bytes: 0, seconds: 0 };
  private infoLabels: Record<string, string> | undefined;

  constructor(private readonly identity: MetricsIdentity) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
      new Counter({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> =>
      new Gauge({ name, help, labelNames, registers });
    this.wait = counter(
      'trainio_data_wait_seconds_total',
      'Seconds the training loop waited for the next batch (stall = rate(this) / rate(trainio_loop_seconds_total)).',
      ['host', 'rank', 'method'],
    );
    this.loop = counter(
      'trainio_loop_seconds_total',
      'Seconds the training loop ran, the denominator of the data stall.',
      ['host', 'rank', 'method'],
    );
    this.read = counter(
      'trainio_read_bytes_total',
      'Bytes the job (main process and DataLoader workers) read, by where they came from.',
      ['host', 'rank', 'source'],
    );
    this.written = counter(
      'trainio_written_bytes_total',
      'Bytes the job wrote to storage (write_bytes minus cancelled writes).',
      ['host', 'rank'],
    );
    this.cpu = counter('trainio_cpu_seconds_total', 'CPU seconds of the job and its workers.', [
      'host',
      'rank',
    ]);
    this.checkpoints = counter('trainio_checkpoints_total', 'Checkpoints saved.', ['host', 'rank']);
    this.checkpointBytes = counter('trainio_checkpoint_bytes_total', 'Bytes of the checkpoints saved.', [
      'host',
      'rank',
    ]);
    this.checkpointSeconds = counter(
      'trainio_checkpoint_seconds_total',
      'Seconds spent writing checkpoints.',
      ['host', 'rank'],
    );
    this.epoch = gauge('trainio_epoch', 'The epoch the rank is in (0 is the first).', ['host', 'rank']);
    this.workers = gauge('trainio_workers', 'Live DataLoader workers of the rank.', ['host', 'rank']);
    this.healthRatio = gauge(
      'trainio_health_ratio',
      "A health check's value over its limit (1 = at the limit: /dev/shm full, descriptors exhausted, …).",
      ['host', 'check'],
    );
    this.healthSeverity = gauge(
      'trainio_health_severity',
      "A health check's severity: 0 info, 1 warning, 2 critical.",
      ['host', 'check'],
    );
    this.info = gauge('trainio_info', 'Always 1; the labels describe the recorder and the job.', [
      'host',
      'version',
      'mode',
      'python',
      'torch',
    ]);
    this.rankInfo = gauge('trainio_rank_info', 'Always 1; a rank of the job and its process.', [
      'host',
      'rank',
      'pid',
      'local_rank',
      'world_size',
      'launcher',
    ]);
    gauge('trainio_start_time_seconds', 'When the recording started, seconds since the Unix epoch.', [
      'host',
    ]).set({ host: identity.host }, identity.startedAtMs / 1000);
    this.setInfo({});
  }

  /** one record of the session, as the recorder emits it */
  add(r: SessionRecord | HealthReading): void {
    switch (r.type) {
      case 'stall': {
        const labels = this.labels(r.rank, { method: r.method });
        this.wait.inc(labels, nonNegative(r.waitS));
        this.loop.inc(labels, nonNegative(r.loopS));
        break;
      }
      case 'tree':
        this.addTree(r);
        break;
      case 'save':
        if (r.source !== 'hook' || r.bytes < this.identity.minCheckpointBytes) break;
        this.checkpoints.inc(this.labels(r.rank));
        this.checkpointBytes.inc(this.labels(r.rank), nonNegative(r.bytes));
        this.checkpointSeconds.inc(this.labels(r.rank), nonNegative(r.endS - r.startS));
        break;
      case 'rank':
        this.addRank(r);
        break;
      case 'runtime':
        this.setInfo({ python: r.python, torch: r.torch });
        break;
      case 'health':
        this.addHealth(r);
        break;
      default:
        break;
    }
  }

  /** what the analyses know: the epoch of each rank, checkpoints the hook did not see */
  refresh(report: SessionReport): void {
    if (report.ranks && report.ranks.length > 1) {
      for (const r of report.ranks) {
        if (r.epochs > 0) this.epoch.set(this.labels(r.rank), r.epochs - 1);
      }
    } else if (report.epochs.length > 0) {
      this.epoch.set(this.labels(0), report.epochs.at(-1)!.index);
    }
    // a write burst may still turn out to be a hook save whose record comes later: counted once settled
    const settledS = report.ended ? Infinity : report.durationS - SETTLE_S;
    const others = report.checkpoints.filter(
      (c) => c.source !== 'hook' && c.startS + c.durationS <= settledS,
    );
    const now = {
      count: others.length,
      bytes: others.reduce((a, c) => a + c.bytes, 0),
      seconds: others.reduce((a, c) => a + c.durationS, 0),
    };
    // a write burst seen as a checkpoint is on the rank that saves in most jobs: rank 0
    const labels = this.labels(0);
    const seen = this.otherCheckpoints;
    if (now.count > seen.count) this.checkpoints.inc(labels, now.count - seen.count);
    if (now.bytes > seen.bytes) this.checkpointBytes.inc(labels, now.bytes - seen.bytes);
    if (now.seconds > seen.seconds) this.checkpointSeconds.inc(labels, now.seconds - seen.seconds);
    this.otherCheckpoints = {
      count: Math.max(now.count, seen.count),
      bytes: Math.max(now.bytes, seen.bytes),
      seconds: Math.max(now.seconds, seen.seconds),
    };
    if (report.env.python || report.env.torch) {
      this.setInfo({ python: report.env.python, torch: report.env.torch });
    }
  }

  /** the exposition text (Prometheus text format 0.0.4) */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private addTree(r: TreeRecord): void {
    if (r.ranks && r.ranks.length > 0) {
      for (const rank of r.ranks) {
        const key = `rank:${rank.rank}`;
        // counted as the whole tree until now: this rank's counters count from here on
        if (!this.last.has(key) && this.sawWholeTree) this.last.set(key, { io: rank.io, cpuS: rank.cpuS });
        this.count(key, rank.rank, rank.io, rank.cpuS);
        this.workers.set(this.labels(rank.rank), rank.workers);
      }
      return;
    }
    this.sawWholeTree = true;
    this.count('tree', 0, r.io, r.cpuS);
    this.workers.set(this.labels(0), r.workers);
  }

  private count(key: string, rank: number, io: IoCounters, cpuS: number): void {
    const before = this.last.get(key) ?? { io: NO_IO, cpuS: 0 };
    const delta = ioIncrease(before.io, io);
    const split = readSources(delta);
    for (const source of READ_SOURCES) {
      if (split[source] > 0) this.read.inc(this.labels(rank, { source }), split[source]);
    }
    const labels = this.labels(rank);
    if (delta.writeBytes > 0) this.written.inc(labels, delta.writeBytes);
    if (cpuS > before.cpuS) this.cpu.inc(labels, cpuS - before.cpuS);
    // counters never go back: a smaller reading (a worker's counters gone) is the new baseline
    this.last.set(key, { io, cpuS });
  }

  private addRank(r: RankRecord): void {
    this.rankInfo.set(
      {
        host: this.identity.host,
        rank: String(r.rank),
        pid: String(r.pid),
        local_rank: r.localRank === undefined ? '' : String(r.localRank),
        world_size: r.worldSize === undefined ? '' : String(r.worldSize),
        launcher: r.launcher ?? '',
      },
      1,
    );
  }

  private addHealth(r: HealthReading): void {
    const labels = { host: this.identity.host, check: r.id };
    if (Number.isFinite(r.value) && Number.isFinite(r.limit) && r.limit > 0) {
      this.healthRatio.set(labels, r.value / r.limit);
    }
    const level = SEVERITY_LEVEL[r.severity];
    if (level !== undefined) this.healthSeverity.set(labels, level);
  }

  private setInfo(runtime: { python?: string; torch?: string }): void {
    const labels = {
      host: this.identity.host,
      version: this.identity.version,
      mode: this.identity.mode,
      python: runtime.python ?? this.infoLabels?.python ?? '',
      torch: runtime.torch ?? this.infoLabels?.torch ?? '',
    };
    if (this.infoLabels && sameLabels(this.infoLabels, labels)) return;
    if (this.infoLabels) this.info.remove(this.infoLabels);
    this.info.set(labels, 1);
    this.infoLabels = labels;
  }

  private labels<E extends Record<string, string>>(
    rank: number | undefined,
    extra?: E,
  ): { host: string; rank: string } & E {
    return { host: this.identity.host, rank: String(rank ?? 0), ...(extra as E) };
  }
}

function nonNegative(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  return Object.keys(b).every((k) => a[k] === b[k]);
}
