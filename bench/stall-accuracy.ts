/**
 * Accuracy of the attach-mode stall estimate against the truth of real PyTorch jobs, over a larger
 * matrix and longer runs than the integration test. For every config and repetition: the job's
 * own stall % (time in next() ÷ loop time), trainio's estimate, and, for comparison, the naive
 * classifier of the design notes (main thread blocked in a wait on a pipe/socket, sampled).
 * Prints a Markdown table. With TRACE_DIR set, every run's samples and truth are kept there, to
 * replay the estimator offline (e.g. to calibrate it).
 *
 *   node --import tsx bench/stall-accuracy.ts [repetitions] [epochs]
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { StallSampler, type StallTraceEvent } from '../src/core/stall/stallSampler';
import { isDataWait, type StallSample } from '../src/core/stall/stallEstimator';
import type { StallRecord } from '../src/shared/model';
import { sourceHarness } from '../test/support/sourceHarness';
import { readTruth } from '../test/support/truth';
import { makeDataset, runWorkload, tempDir, type Knobs } from '../test/support/workloads';

const reps = Number(process.argv[2] ?? 2);
const epochs = Number(process.argv[3] ?? 4);

const CONFIGS: [string, Knobs][] = [
  ['compute-bound, 2 workers', { 'num-workers': 2, 'compute-ms': 60 }],
  ['compute-bound, 4 workers', { 'num-workers': 4, 'compute-ms': 60 }],
  ['I/O-starved, 2 workers', { 'num-workers': 2, 'compute-ms': 20, 'slow-read-ms': 5 }],
  ['I/O-starved, 4 workers', { 'num-workers': 4, 'compute-ms': 20, 'slow-read-ms': 8 }],
  ['decode-heavy, 2 workers', { 'num-workers': 2, 'compute-ms': 20, 'decode-ms': 4 }],
  ['GPU-like, 2 workers', { 'num-workers': 2, 'compute-ms': 15, 'gpu-like-ms': 40, 'slow-read-ms': 2 }],
  [
    'persistent, 2 workers',
    { 'num-workers': 2, 'compute-ms': 40, 'slow-read-ms': 3, 'persistent-workers': true },
  ],
  [
    'persistent I/O-starved, 4 workers',
    { 'num-workers': 4, 'compute-ms': 20, 'slow-read-ms': 8, 'persistent-workers': true },
  ],
  ['num_workers 0, slow reads', { 'num-workers': 0, 'compute-ms': 30, 'slow-read-ms': 1 }],
  ['num_workers 0, compute-bound', { 'num-workers': 0, 'compute-ms': 40 }],
];

interface Row {
  config: string;
  truth: number;
  estimate: number;
  naive: number;
  confidence: string;
  loopS: number;
}

/** the naive classifier over the estimator's loop: sampled main-thread waits on pipes/sockets */
function naivePct(trace: StallTraceEvent[], records: StallRecord[]): number {
  const samples = trace.filter((e): e is { sample: StallSample } => 'sample' in e).map((e) => e.sample);
  const inLoop = records.filter((r) => r.loopS > 0);
  if (inLoop.length === 0) return NaN;
  const from = inLoop[0].s - inLoop[0].loopS;
  const to = inLoop[inLoop.length - 1].s;
  let wait = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    if (a.s < from || a.s >= to) continue;
    const blockedOnPipe = isDataWait(a) && (a.fd === 'pipe' || a.fd === 'socket' || a.role === 'multiWait');
    if (blockedOnPipe) wait += samples[i].s - a.s;
  }
  return (100 * wait) / (to - from);
}

async function measure(data: string, dir: string, name: string, knobs: Knobs, rep: number): Promise<Row> {
  const h = sourceHarness();
  const trace: StallTraceEvent[] = [];
  let sampler: StallSampler | null = null;
  const truthPath = `${dir}/truth-${name.replace(/\W+/g, '-')}-${rep}.jsonl`;
  const inline = knobs['num-workers'] === 0;
  const run = await runWorkload(
    'train_torch.py',
    { data, epochs: inline ? Math.max(2, epochs - 1) : epochs, 'batch-size': 16, truth: truthPath, ...knobs },
    {
      onSpawn: (pid) => {
        sampler = new StallSampler(pid, { datasets: [data], trace: (e) => trace.push(e) });
        sampler.start(h.ctx);
      },
    },
  );
  if (run.code !== 0) throw new Error(`${name}: ${run.stderr}`);
  await (sampler as StallSampler | null)?.stop();
  const keep = process.env.TRACE_DIR;
  if (keep) {
    const base = `${keep}/${name.replace(/\W+/g, '-')}-${rep}`;
    writeFileSync(`${base}.trace.json`, JSON.stringify({ startedAtMs: h.ctx.startedAtMs, trace }));
    copyFileSync(truthPath, `${base}.truth`);
  }
  const records = h.of('stall');
  const waitS = records.reduce((s, r) => s + r.waitS, 0);
  const loopS = records.reduce((s, r) => s + r.loopS, 0);
  const confidences = new Set(records.filter((r) => r.loopS > 0.5).map((r) => r.confidence));
  return {
    config: name,
    truth: readTruth(truthPath).stallPct,
    estimate: (100 * waitS) / loopS,
    naive: naivePct(trace, records),
    confidence: [...confidences].join('/'),
    loopS,
  };
}

async function main(): Promise<void> {
  const { dir, cleanup } = tempDir('bench-stall');
  try {
    const data = `${dir}/data`;
    makeDataset(data, { files: 600, minKb: 8, maxKb: 24 });
    const rows: Row[] = [];
    for (let rep = 0; rep < reps; rep++) {
      for (const [name, knobs] of CONFIGS) {
        const row = await measure(data, dir, name, knobs, rep);
        rows.push(row);
        console.error(
          `${name} #${rep + 1}: truth ${row.truth.toFixed(1)} estimate ${row.estimate.toFixed(1)}`,
        );
      }
    }
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
    console.log(
      '| config | run | loop s | truth % | estimate % | error | confidence | naive classifier % | naive error |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    rows.forEach((r, i) =>
      console.log(
        `| ${r.config} | ${Math.floor(i / CONFIGS.length) + 1} | ${r.loopS.toFixed(1)} | ${f(r.truth)} | ${f(r.estimate)} | ${f(r.estimate - r.truth)} | ${r.confidence} | ${f(r.naive)} | ${f(r.naive - r.truth)} |`,
      ),
    );
    for (const [label, pick] of [
      ['num_workers > 0', (r: Row) => !r.config.startsWith('num_workers 0')],
      ['num_workers = 0', (r: Row) => r.config.startsWith('num_workers 0')],
      ['all', () => true],
    ] as const) {
      const sel = rows.filter(pick);
      const err = sel.map((r) => r.estimate - r.truth);
      const naive = sel.map((r) => r.naive - r.truth).filter(Number.isFinite);
      const mae = (xs: number[]) => xs.reduce((s, x) => s + Math.abs(x), 0) / xs.length;
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      console.log(
        `\n**${label}** (${sel.length} runs): estimate mean absolute error ${mae(err).toFixed(2)} points, mean ${mean(err).toFixed(2)}, worst ${Math.max(...err.map(Math.abs)).toFixed(1)}; naive classifier mean absolute error ${mae(naive).toFixed(2)}, mean ${mean(naive).toFixed(2)}`,
      );
    }
  } finally {
    cleanup();
  }
}

void main();
