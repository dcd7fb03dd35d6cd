/**
 * Composes the analyses over one stream of session records and builds the SessionReport. Live
 * sessions and reopened files go through the same code, so both show the same report. Memory stays
 * bounded: the analyses keep running sums, a bounded grid and bounded lists, never the records.
 */
import {
  REPORT_SCHEMA,
  type DatasetRecord,
  type EndRecord,
  type EnvironmentInfo,
  type HeaderRecord,
  type LoaderSummary,
  type NoteRecord,
  type SessionRecord,
  type SessionReport,
  type TargetInfo,
  type TreeRecord,
} from '../../shared/model';
import { withDefaults, type Settings } from '../../shared/settings';
import { adviseOn } from './adviceEngine';
import { CheckpointDetector } from './checkpointDetector';
import { CounterHistory } from './counterHistory';
import { EpochTracker } from './epochTracker';
import { HealthTracker } from './healthTracker';
import { LoaderDiagnosis, withIdealSpeedup } from './loaderDiagnosis';
import { datasetByteNotes } from './datasetByteNotes';
import { DatasetBytes, rereadMethod } from './datasetBytes';
import { hitPct, PageCacheTracker, readSplit } from './pageCache';
import { RankTracker } from './rankTracker';
import { SeriesBuilder } from './seriesBuilder';
import { StallAggregator } from './stallAggregator';

const MAX_NOTES = 200;
const NO_TARGET: TargetInfo = { mode: 'attach', pid: 0, command: [] };
const NO_ENV: EnvironmentInfo = { host: '', kernel: '', cpus: 0, memBytes: 0 };

export interface AnalyzerOptions {
  /** settings of the recording; a reopened file uses those saved in its header */
  settings?: Partial<Settings>;
  maxSeriesPoints?: number;
}

export class SessionAnalyzer {
  private header: HeaderRecord | undefined;
  private settings: Settings;
  private readonly explicitSettings: boolean;
  private readonly history = new CounterHistory();
  private readonly series: SeriesBuilder;
  private readonly epochs: EpochTracker;
  private checkpoints: CheckpointDetector;
  private readonly stall = new StallAggregator();
  private readonly ranks = new RankTracker();
  private readonly cache = new PageCacheTracker();
  private readonly datasetBytes = new DatasetBytes();
  private readonly health = new HealthTracker();
  private readonly diagnosis = new LoaderDiagnosis();
  private readonly datasets = new Map<string, DatasetRecord>();
  private readonly loaders = new Map<number, LoaderSummary>();
  private readonly notes: NoteRecord[] = [];
  private readonly extraNotes: NoteRecord[] = [];
  private droppedNotes = 0;
  private lastTree: TreeRecord | undefined;
  private treeWorkers: number | undefined;
  private distinctFiles: number | undefined;
  private ended: EndRecord | null = null;
  /** Python/torch versions the hook reported after the header was written */
  private runtime: Pick<EnvironmentInfo, 'python' | 'torch'> = {};
  private lastS = 0;

  constructor(options: AnalyzerOptions = {}) {
    this.explicitSettings = options.settings !== undefined;
    this.settings = withDefaults(options.settings);
    this.series = new SeriesBuilder({ maxPoints: options.maxSeriesPoints });
    this.epochs = new EpochTracker(this.history, this.series, this.datasetBytes);
    this.checkpoints = new CheckpointDetector(this.history, this.settings.minCheckpointBytes);
  }

  add(r: SessionRecord): void {
    if (r.type !== 'header' && r.type !== 'dataset') this.seen(r.type === 'save' ? r.endS : r.s);
    this.diagnosis.add(r);
    switch (r.type) {
      case 'header':
        this.onHeader(r);
        break;
      case 'tree':
        this.history.add(r.s, r.io, r.workers, r.born);
        this.series.addTree(r);
        this.epochs.addTree(r);
        this.checkpoints.addTree(r);
        this.lastTree = r;
        this.treeWorkers = Math.max(this.treeWorkers ?? 0, r.workers);
        this.ranks.addTree(r);
        break;
      case 'rank':
        this.ranks.addRank(r);
        break;
      case 'stall':
        this.stall.add(r);
        this.ranks.addStall(r);
        this.series.addStall(r);
        this.epochs.addStall(r);
        break;
      case 'epochMark':
        this.ranks.addMark(r);
        // the job's epochs are its first rank's (each rank marks its own)
        // (files opened again mark nothing in a multi-rank job: each rank reads its own share)
        if (this.ranks.isPrimary(r) && !(r.source === 'reopen' && this.ranks.multiRank))
          this.epochs.addMark(r);
        break;
      case 'loader':
        this.ranks.addLoader(r);
        this.epochs.addLoader(r);
        this.loaders.set(r.id, loaderSummary(r));
        break;
      case 'save':
        this.checkpoints.addSave(r);
        break;
      case 'fs':
        this.checkpoints.addFs(r);
        break;
      case 'mapped':
        this.datasetBytes.addMapped(r);
        break;
      case 'opens':
        this.series.addOpens(r);
        this.epochs.addOpens(r);
        this.datasetBytes.addOpens(r);
        this.distinctFiles = r.distinctFiles;
        break;
      case 'dataset':
        // as written to the file: the open-ended last bucket is null, so live and reopened reports match
        this.datasets.set(r.path, {
          ...r,
          histogram: r.histogram.map((b) =>
            b.le === null || Number.isFinite(b.le) ? b : { ...b, le: null },
          ),
        });
        break;
      case 'residency':
        this.cache.addResidency(r);
        break;
      case 'system':
        this.cache.addSystem(r);
        this.series.addSystem(r);
        break;
      case 'gpu':
        this.series.addGpu(r);
        break;
      case 'note':
        this.addNote(r);
        break;
      case 'health':
        this.health.add(r);
        break;
      case 'proc':
        if (r.event === 'exit') this.health.processExited(r.pid);
        break;
      case 'runtime':
        this.runtime = {
          ...this.runtime,
          ...(r.python ? { python: r.python } : {}),
          ...(r.torch ? { torch: r.torch } : {}),
        };
        break;
      case 'end':
        this.ended = r;
        this.history.end();
        break;
    }
  }

  /** a note about the session itself (e.g. the file was truncated), not from the record stream */
  noteOnce(level: NoteRecord['level'], message: string): void {
    if (this.extraNotes.some((n) => n.message === message)) return;
    this.extraNotes.push({ type: 'note', s: this.lastS, level, message });
  }

  get durationS(): number {
    return this.ended ? Math.max(this.ended.s, this.lastS) : this.lastS;
  }

  report(): SessionReport {
    const datasets: SessionReport['datasets'] = [...this.datasets.values()].map(
      ({ type: _t, s: _s, ...d }) => d,
    );
    const datasetBytes = datasets.reduce((a, d) => a + d.bytes, 0);
    if (datasets.length === 1 && this.distinctFiles !== undefined) {
      datasets[0] = { ...datasets[0], filesRead: this.distinctFiles };
    }
    const durationS = round3(this.durationS);
    // a multi-rank job waits for its slowest rank
    const dataStall = withIdealSpeedup(this.ranks.jobStall() ?? this.stall.summary());
    const primary = dataStall.method;
    const epochs = this.epochs.epochs({ datasetBytes, endS: durationS, primary });
    const checkpoints = this.checkpoints.checkpoints();
    const loaders = [...this.loaders.values()];
    const bytesRead = epochs.reduce((a, e) => a + e.bytesRead, 0);
    const diskBytesRead = epochs.reduce((a, e) => a + e.diskBytesRead, 0);
    const totals = this.lastTree ? { ...this.lastTree.io, cpuS: this.lastTree.cpuS } : undefined;
    const trainingS = epochs.length ? epochs.at(-1)!.endS - epochs[0].startS : durationS;
    const epochStartStallPct = epochs.map((e) =>
      this.series.stallPct(primary, e.startS, e.startS + Math.max(1, 0.15 * (e.endS - e.startS))),
    );
    const series = this.series.series(primary);
    const diagnosis = this.diagnosis.diagnose({
      stall: dataStall,
      trainingS,
      checkpoints,
      epochs,
      cpus: this.header?.env.cpus,
      gpuUtilPct: meanOf(series.gpuUtilPct),
      warningPct: this.settings.stallWarningPct,
    });
    const advice = adviseOn({
      ...diagnosis,
      gpus: this.header?.env.gpus?.length,
      health: this.health.health(),
      settings: this.settings,
      datasets,
      epochs,
      epochStartStallPct,
      checkpoints,
      trainingS,
      stall: dataStall,
      loaders,
      treeWorkers: this.treeWorkers,
      cpus: this.header?.env.cpus,
      memory: this.cache.memoryState,
    });
    return {
      schema: REPORT_SCHEMA,
      startedAt: new Date(this.header?.startedAtMs ?? 0).toISOString(),
      target: this.header?.target ?? NO_TARGET,
      env: { ...(this.header?.env ?? NO_ENV), ...this.runtime },
      durationS,
      ended: this.ended,
      dataStall,
      epochs,
      reread: {
        factor: datasetBytes > 0 ? Math.round((10000 * bytesRead) / datasetBytes) / 10000 : 0,
        datasetBytes,
        bytesRead,
        pageCacheHitPct: hitPct(bytesRead, diskBytesRead),
        residentPct: this.cache.residentPct(),
        method: rereadMethod(this.epochs.spans, this.datasetBytes.anyMapped),
      },
      checkpoints,
      datasets,
      loaders,
      ranks: this.ranks.summaries(this.header?.env.host ?? '', {
        pid: this.header?.target.pid ?? 0,
        dataStall: { pct: dataStall.pct, method: dataStall.method },
        epochs: epochs.length,
        bytesRead,
        workers: this.treeWorkers ?? Math.max(0, ...loaders.map((l) => l.numWorkers)),
        loaders: loaders.length,
      }),
      advice,
      health: this.health.health(),
      ...this.exitCause(),
      bottleneck: diagnosis.bottleneck,
      workers: diagnosis.workers,
      startup: diagnosis.startup,
      series,
      totals: totals ?? { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0, majorFaults: 0, cpuS: 0 },
      notes: [
        ...this.allNotes(
          datasets.some((d) => d.partial),
          epochs.length > 0,
        ),
        ...datasetByteNotes(epochs, this.epochs.spans, this.datasetBytes.anyMapped, this.lastS),
      ],
    };
  }

  private exitCause(): { exitCause?: string } {
    const cause = this.health.exitCause(this.ended);
    return cause === undefined ? {} : { exitCause: cause };
  }

  private onHeader(h: HeaderRecord): void {
    this.header = h;
    this.epochs.setMode(h.target.mode, h.hook);
    if (!this.explicitSettings && h.settings) {
      this.settings = withDefaults(h.settings);
      this.checkpoints = new CheckpointDetector(this.history, this.settings.minCheckpointBytes);
    }
  }

  private addNote(n: NoteRecord): void {
    if (this.notes.length >= MAX_NOTES) {
      this.droppedNotes++;
      return;
    }
    this.notes.push(n);
  }

  private allNotes(partialIndex: boolean, hasEpochs: boolean): NoteRecord[] {
    const out = [...this.notes, ...this.extraNotes];
    const at = this.lastS;
    if (this.droppedNotes > 0) {
      out.push({
        type: 'note',
        s: at,
        level: 'info',
        message: `${this.droppedNotes} more notes were not kept`,
      });
    }
    if (partialIndex) {
      out.push({
        type: 'note',
        s: at,
        level: 'warning',
        message: 'the dataset index is partial: re-read factors are relative to the files indexed',
      });
    }
    if (hasEpochs && this.lastTree && !this.datasetBytes.anyMapped && readSplit(this.lastTree.io).viaMmap) {
      out.push({
        type: 'note',
        s: at,
        level: 'info',
        message:
          'reads show only as storage reads / page faults (mmap): reads served by the page cache are not seen',
      });
    }
    return out;
  }

  private seen(s: number): void {
    if (Number.isFinite(s) && s > this.lastS) this.lastS = s;
  }
}

function loaderSummary(r: Extract<SessionRecord, { type: 'loader' }>): LoaderSummary {
  const l: LoaderSummary = { id: r.id, numWorkers: r.numWorkers };
  if (r.site) l.site = r.site;
  if (r.batchSize !== undefined) l.batchSize = r.batchSize;
  if (r.pinMemory !== undefined) l.pinMemory = r.pinMemory;
  if (r.persistentWorkers !== undefined) l.persistentWorkers = r.persistentWorkers;
  if (r.datasetLen !== undefined) l.datasetLen = r.datasetLen;
  if (r.datasetClass !== undefined) l.datasetClass = r.datasetClass;
  return l;
}

function meanOf(xs: readonly (number | null)[] | undefined): number | null {
  const known = (xs ?? []).filter((x): x is number => x !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
