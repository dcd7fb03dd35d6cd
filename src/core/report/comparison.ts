/**
 * Two sessions side by side: for each headline number, both values, the change from A to B and which
 * run did better. Used by the Markdown and HTML comparisons, so a user sees what changing num_workers,
 * storage or the checkpoint cadence did.
 */
import type { SessionReport } from '../../shared/model';
import { keyNumbers, type KeyNumbers } from './keyNumbers';
import { commandText } from './sessionFacts';
import { formatBytes, formatFactor, formatPct, formatRate, formatSeconds } from './units';

/** which run is better on a metric; 'same' when they differ by less than the metric's tolerance */
export type Better = 'a' | 'b' | 'same' | null;

export interface ComparisonRow {
  metric: string;
  a: number | null;
  b: number | null;
  /** b − a, null when either is unknown */
  delta: number | null;
  /** (b − a) ÷ |a| × 100, null when a is 0 or unknown */
  deltaPct: number | null;
  better: Better;
  /** the values and delta formatted for a reader */
  aText: string;
  bText: string;
  deltaText: string;
}

interface MetricSpec {
  metric: string;
  value: (k: KeyNumbers) => number | null;
  format: (v: number | null) => string;
  /** 'lower' or 'higher' is better; null: no judgement (a setting, not an outcome) */
  goal: 'lower' | 'higher' | null;
  /** differences smaller than this (absolute, in the metric's unit) count as the same */
  absTolerance: number;
  /** …or smaller than this share of the larger value, % */
  relTolerancePct: number;
}

const pctPoints = (v: number | null): string => formatPct(v);

export const COMPARED_METRICS: readonly MetricSpec[] = [
  {
    metric: 'Data stall',
    value: (k) => k.stallPct,
    format: pctPoints,
    goal: 'lower',
    absTolerance: 1,
    relTolerancePct: 0,
  },
  {
    metric: 'Mean epoch time',
    value: (k) => k.meanEpochS,
    format: formatSeconds,
    goal: 'lower',
    absTolerance: 0,
    relTolerancePct: 3,
  },
  {
    metric: 'First epoch time',
    value: (k) => k.firstEpochS,
    format: formatSeconds,
    goal: 'lower',
    absTolerance: 0,
    relTolerancePct: 3,
  },
  {
    metric: 'Re-read factor',
    value: (k) => k.rereadFactor,
    format: formatFactor,
    goal: 'lower',
    absTolerance: 0.02,
    relTolerancePct: 2,
  },
  {
    metric: 'Page cache hit',
    value: (k) => k.pageCacheHitPct,
    format: pctPoints,
    goal: 'higher',
    absTolerance: 1,
    relTolerancePct: 0,
  },
  {
    metric: 'Read from disk',
    value: (k) => k.diskBytesRead,
    format: formatBytes,
    goal: 'lower',
    absTolerance: 0,
    relTolerancePct: 5,
  },
  {
    metric: 'Mean read throughput',
    value: (k) => k.meanReadBps,
    format: formatRate,
    goal: 'higher',
    absTolerance: 0,
    relTolerancePct: 5,
  },
  {
    metric: 'Checkpoints',
    value: (k) => k.checkpoints,
    format: (v) => (v === null ? '—' : String(v)),
    goal: null,
    absTolerance: 0,
    relTolerancePct: 0,
  },
  {
    metric: 'Checkpoint cost (training lost)',
    value: (k) => k.checkpointLostS,
    format: formatSeconds,
    goal: 'lower',
    absTolerance: 0.05,
    relTolerancePct: 5,
  },
  {
    metric: 'Session duration',
    value: (k) => k.durationS,
    format: formatSeconds,
    goal: null,
    absTolerance: 0,
    relTolerancePct: 0,
  },
  {
    metric: 'num_workers',
    value: (k) => k.numWorkers,
    format: (v) => (v === null ? '—' : String(v)),
    goal: null,
    absTolerance: 0,
    relTolerancePct: 0,
  },
];

export function compareReports(a: SessionReport, b: SessionReport): ComparisonRow[] {
  const ka = keyNumbers(a);
  const kb = keyNumbers(b);
  return COMPARED_METRICS.map((m) => compareMetric(m, finite(m.value(ka)), finite(m.value(kb))));
}

function compareMetric(m: MetricSpec, a: number | null, b: number | null): ComparisonRow {
  const delta = a !== null && b !== null ? b - a : null;
  const deltaPct = delta !== null && a !== null && a !== 0 ? (delta / Math.abs(a)) * 100 : null;
  return {
    metric: m.metric,
    a,
    b,
    delta,
    deltaPct,
    better: judge(m, a, b),
    aText: m.format(a),
    bText: m.format(b),
    deltaText: deltaText(m, delta, deltaPct),
  };
}

function judge(m: MetricSpec, a: number | null, b: number | null): Better {
  if (m.goal === null || a === null || b === null) return null;
  const diff = Math.abs(b - a);
  const scale = Math.max(Math.abs(a), Math.abs(b));
  if (diff <= m.absTolerance || (scale > 0 && (100 * diff) / scale < m.relTolerancePct) || diff === 0)
    return 'same';
  const bIsLower = b < a;
  return (m.goal === 'lower') === bIsLower ? 'b' : 'a';
}

function deltaText(m: MetricSpec, delta: number | null, deltaPct: number | null): string {
  if (delta === null) return '—';
  if (delta === 0) return '±0';
  const sign = delta > 0 ? '+' : '−';
  const magnitude =
    m.format === pctPoints ? `${Math.abs(delta).toFixed(1)} points` : m.format(Math.abs(delta));
  const rel =
    deltaPct !== null && m.format !== pctPoints ? ` (${sign}${Math.abs(deltaPct).toFixed(0)}%)` : '';
  return `${sign}${magnitude}${rel}`;
}

function finite(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

/** One sentence: which run did better on how many judged metrics. */
export function comparisonVerdict(rows: readonly ComparisonRow[]): string {
  const judged = rows.filter((r) => r.better !== null);
  const aWins = judged.filter((r) => r.better === 'a').map((r) => r.metric.toLowerCase());
  const bWins = judged.filter((r) => r.better === 'b').map((r) => r.metric.toLowerCase());
  if (aWins.length === 0 && bWins.length === 0) return 'The two runs perform the same within tolerance.';
  const part = (who: string, wins: string[]): string =>
    wins.length ? `${who} is better on ${wins.join(', ')}` : '';
  return [part('B', bWins), part('A', aWins)].filter(Boolean).join('; ') + '.';
}

export interface SetupRow {
  label: string;
  a: string;
  b: string;
  differs: boolean;
}

/** What was set up differently between the runs (plain strings, not yet escaped). */
export function compareSetup(a: SessionReport, b: SessionReport): SetupRow[] {
  const rows: [string, (r: SessionReport) => string][] = [
    ['Command', (r) => commandText(r)],
    ['Host', (r) => r.env.host],
    [
      'Datasets',
      (r) => r.datasets.map((d) => `${d.path} (${d.files} files, ${formatBytes(d.bytes)})`).join('; ') || '—',
    ],
    ['Disks', (r) => (r.env.disks ?? []).map((d) => `${d.name} ${d.type}`).join(', ') || '—'],
    ['num_workers', (r) => r.loaders.map((l) => String(l.numWorkers)).join(', ') || '—'],
    [
      'batch_size',
      (r) => r.loaders.map((l) => (l.batchSize === undefined ? '—' : String(l.batchSize))).join(', ') || '—',
    ],
    [
      'pin_memory',
      (r) => r.loaders.map((l) => (l.pinMemory === undefined ? '—' : String(l.pinMemory))).join(', ') || '—',
    ],
    ['Stall measured', (r) => `${r.dataStall.method} (${r.dataStall.confidence} confidence)`],
    ['Python / PyTorch', (r) => `${r.env.python ?? '—'} / ${r.env.torch ?? '—'}`],
  ];
  return rows.map(([label, f]) => {
    const va = f(a);
    const vb = f(b);
    return { label, a: va, b: vb, differs: va !== vb };
  });
}
