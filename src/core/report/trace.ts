/**
 * The Perfetto / chrome://tracing export (Chrome trace event format, JSON object form). One process track
 * for the training job, named after its command line, with threads for epochs, data-stall windows and
 * checkpoints as complete slices ('X'), notes as instant events ('i'), and counters ('C') for read and
 * write throughput, stall % and GPU utilization. Timestamps are µs since the session start.
 */
import { DEFAULTS } from '../../shared/settings';
import type { SessionReport } from '../../shared/model';
import { downsampleSeries, maxOf } from './seriesDownsample';
import { commandText } from './sessionFacts';
import { visibleText } from './visibleText';

export const TRACE_SCHEMA = 'trainio.trace/1';
/** longer series are averaged down to this many windows (a day at 2 s windows fits whole) */
export const MAX_TRACE_WINDOWS = 50_000;

export interface TraceEvent {
  name: string;
  ph: 'X' | 'C' | 'M' | 'i';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

export interface TraceDocument {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms' | 'ns';
  otherData: Record<string, string>;
}

export const TRACE_THREADS = { epochs: 1, stall: 2, checkpoints: 3, notes: 4 } as const;

/** counters are in decimal MB/s, as the panel writes throughput */
const MB = 1e6;

export function renderTrace(report: SessionReport): TraceDocument {
  const pid = Number.isInteger(report.target.pid) && report.target.pid > 0 ? report.target.pid : 1;
  const events: TraceEvent[] = [...metadataEvents(report, pid)];
  for (const e of report.epochs) {
    events.push(
      slice(pid, TRACE_THREADS.epochs, 'epoch', `epoch ${e.index}`, e.startS, e.endS - e.startS, {
        bytes_read: e.bytesRead,
        disk_bytes_read: e.diskBytesRead,
        reread_factor: e.rereadFactor,
        page_cache_hit_pct: e.pageCacheHitPct,
        stall_pct: e.stallPct,
        files_read: e.filesRead ?? null,
        boundary: e.source,
      }),
    );
  }
  for (const c of report.checkpoints) {
    events.push(
      slice(pid, TRACE_THREADS.checkpoints, 'checkpoint', checkpointName(c.path), c.startS, c.durationS, {
        path: c.path,
        bytes: c.bytes,
        lost_s: c.lostS,
        seen_by: c.source,
        site: c.site ? `${c.site.file}:${c.site.line}` : null,
      }),
    );
  }
  for (const e of stallSlices(report, pid)) events.push(e);
  for (const e of counterEvents(report, pid)) events.push(e);
  for (const n of report.notes) {
    events.push({
      name: visibleText(n.message),
      cat: 'note',
      ph: 'i',
      s: 't',
      ts: micros(n.s),
      pid,
      tid: TRACE_THREADS.notes,
      args: { level: n.level, message: n.message },
    });
  }
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: {
      schema: TRACE_SCHEMA,
      session: report.schema,
      startedAt: report.startedAt,
      command: visibleText(commandText(report)),
      dataStall:
        report.dataStall.pct === null
          ? 'unknown'
          : `${report.dataStall.pct.toFixed(1)}% (${report.dataStall.method})`,
    },
  };
}

/** The trace as JSON text (JSON.stringify writes NaN and ±Infinity as null). */
export function renderTraceJson(report: SessionReport): string {
  return JSON.stringify(renderTrace(report));
}

function metadataEvents(report: SessionReport, pid: number): TraceEvent[] {
  const threads: [number, string][] = [
    [TRACE_THREADS.epochs, 'Epochs'],
    [TRACE_THREADS.stall, `Waiting for data (windows ≥ ${DEFAULTS.stallWarningPct}% stall)`],
    [TRACE_THREADS.checkpoints, 'Checkpoints'],
    [TRACE_THREADS.notes, 'Notes'],
  ];
  return [
    {
      name: 'process_name',
      ph: 'M',
      pid,
      tid: 0,
      args: { name: visibleText(`${commandText(report)} (PID ${report.target.pid})`) },
    },
    { name: 'process_labels', ph: 'M', pid, tid: 0, args: { labels: `trainio ${report.target.mode}` } },
    { name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: 0 } },
    ...threads.flatMap(([tid, name]): TraceEvent[] => [
      { name: 'thread_name', ph: 'M', pid, tid, args: { name } },
      { name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: tid } },
    ]),
  ];
}

/** Consecutive windows at or above the warning level, merged into one slice each. */
function stallSlices(report: SessionReport, pid: number): TraceEvent[] {
  const { t, stallPct } = report.series;
  const out: TraceEvent[] = [];
  let runStart = -1;
  const flush = (end: number): void => {
    if (runStart < 0) return;
    const values = stallPct.slice(runStart, end) as number[];
    const from = windowStart(t, runStart);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    out.push(
      slice(
        pid,
        TRACE_THREADS.stall,
        'stall',
        `waiting for data ${mean.toFixed(0)}%`,
        from,
        t[end - 1] - from,
        {
          mean_stall_pct: mean,
          max_stall_pct: maxOf(values),
          windows: values.length,
        },
      ),
    );
    runStart = -1;
  };
  for (let i = 0; i < t.length; i++) {
    const v = stallPct[i];
    const high = typeof v === 'number' && Number.isFinite(v) && v >= DEFAULTS.stallWarningPct;
    if (high && runStart < 0) runStart = i;
    if (!high) flush(i);
  }
  flush(t.length);
  return out;
}

function counterEvents(report: SessionReport, pid: number): TraceEvent[] {
  const s = downsampleSeries(report.series, MAX_TRACE_WINDOWS);
  const out: TraceEvent[] = [];
  for (let i = 0; i < s.t.length; i++) {
    const ts = micros(windowStart(s.t, i));
    const io = knownArgs({
      read: s.readBps[i] / MB,
      from_disk: s.diskReadBps[i] / MB,
      system_disk: s.systemDiskReadBps[i] / MB,
      write: s.writeBps[i] / MB,
    });
    if (io) out.push({ name: 'Throughput (MB/s)', ph: 'C', ts, pid, tid: 0, args: io });
    const stall = knownArgs({ stall: s.stallPct[i] });
    if (stall) out.push({ name: 'Data stall (%)', ph: 'C', ts, pid, tid: 0, args: stall });
    const gpu = knownArgs({ gpu: s.gpuUtilPct?.[i] });
    if (gpu) out.push({ name: 'GPU utilization (%)', ph: 'C', ts, pid, tid: 0, args: gpu });
  }
  return out;
}

/** The values that are known (a counter event holds numbers only); null when none is. */
function knownArgs(values: Record<string, number | null | undefined>): Record<string, number> | null {
  const out: Record<string, number> = {};
  let any = false;
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'number' && Number.isFinite(v)) {
      out[k] = v;
      any = true;
    }
  }
  return any ? out : null;
}

/** Series times are window ends; a window starts where the previous one ended (the first: one step back). */
function windowStart(t: readonly number[], i: number): number {
  if (i > 0) return t[i - 1];
  const step = t.length > 1 ? t[1] - t[0] : 0;
  return Math.max(0, t[0] - step);
}

function slice(
  pid: number,
  tid: number,
  cat: string,
  name: string,
  startS: number,
  durS: number,
  args: Record<string, unknown>,
): TraceEvent {
  return { name, cat, ph: 'X', ts: micros(startS), dur: Math.max(0, micros(durS)), pid, tid, args };
}

function micros(s: number): number {
  return Math.round(s * 1e6);
}

function checkpointName(path: string): string {
  const base = path.split('/').filter(Boolean).pop() ?? path;
  return visibleText(`save ${base}`);
}
