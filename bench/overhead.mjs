// What trainio costs the job it profiles: training throughput (steps/s, from the job's own ground
// truth) without trainio, attached with `trainio record --pid`, and launched with
// `trainio record -- job` (hook injected), in alternating rounds; and trainio's own CPU time per
// second of profiling (attach mode, where the recorder is a separate process: its user + system
// time and that of its helpers, from bash `times`).
//
//   node esbuild.mjs && node bench/overhead.mjs [rounds=3] [epochs=4]
//
// Needs /usr/bin/python3 with torch. Prints a markdown table (recorded in bench/overhead.md).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const python = '/usr/bin/python3';
const rounds = Number(process.argv[2] ?? 3);
const epochs = Number(process.argv[3] ?? 4);
const dir = mkdtempSync(join(tmpdir(), 'trainio-bench-overhead-'));

function jobArgs(truth, ckpt) {
  return [
    join(root, 'test', 'workloads', 'train_torch.py'),
    '--data',
    join(dir, 'data'),
    '--epochs',
    String(epochs),
    '--batch-size',
    '16',
    '--num-workers',
    '2',
    '--compute-ms',
    '30',
    '--ckpt-dir',
    ckpt,
    '--ckpt-every',
    '40',
    '--ckpt-mb',
    '8',
    '--truth',
    truth,
  ];
}

function truthOf(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** steps per second of the loop, counting only steps that ended after `fromT` (wall clock, s) */
function stepsPerS(truth, fromT = 0) {
  const steps = truth.filter((l) => l.ev === 'step' && l.t > fromT);
  if (steps.length < 2) return NaN;
  return (steps.length - 1) / (steps.at(-1).t - steps[0].t);
}

function wait(child) {
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

let runNo = 0;
function fresh() {
  runNo++;
  const truth = join(dir, `truth-${runNo}.jsonl`);
  const ckpt = join(dir, `ckpt-${runNo}`);
  mkdirSync(ckpt);
  return { truth, ckpt };
}

async function plain() {
  const { truth, ckpt } = fresh();
  await wait(spawn(python, jobArgs(truth, ckpt), { stdio: 'ignore' }));
  return { sps: stepsPerS(truthOf(truth)) };
}

async function attached() {
  const { truth, ckpt } = fresh();
  const job = spawn(python, jobArgs(truth, ckpt), { stdio: 'ignore' });
  const exited = wait(job);
  while (!readIfAny(truth).includes('"epoch_start"')) await new Promise((r) => setTimeout(r, 50));
  const session = join(dir, `s-${runNo}.jsonl`);
  // bash `times` prints the CPU time of the recorder and its helpers (inotifywait, fincore, find)
  const rec = spawn(
    'bash',
    [
      '-c',
      `"${process.execPath}" "${cli}" record --out "${session}" --pid ${job.pid} --dataset "${join(dir, 'data')}" --checkpoints "${ckpt}" >/dev/null; times`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  rec.stdout.on('data', (d) => (out += d));
  const startedT = Date.now() / 1000;
  await wait(rec);
  await exited;
  const wallS = Date.now() / 1000 - startedT;
  const [, children] = out.trim().split('\n');
  const cpuS = children
    .split(/\s+/)
    .map(toSeconds)
    .reduce((a, b) => a + b, 0);
  return { sps: stepsPerS(truthOf(truth), startedT + 0.5), cpuPerS: cpuS / wallS };
}

async function launched() {
  const { truth, ckpt } = fresh();
  const session = join(dir, `s-${runNo}.jsonl`);
  const rec = spawn(
    process.execPath,
    [
      cli,
      'record',
      '--out',
      session,
      '--dataset',
      join(dir, 'data'),
      '--checkpoints',
      ckpt,
      '--',
      python,
      ...jobArgs(truth, ckpt),
    ],
    { stdio: 'ignore' },
  );
  await wait(rec);
  return { sps: stepsPerS(truthOf(truth)) };
}

function toSeconds(t) {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}

function readIfAny(f) {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

function mean(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function sd(xs) {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
}

try {
  execFileSync(
    python,
    [
      join(root, 'test', 'workloads', 'make_dataset.py'),
      '--out',
      join(dir, 'data'),
      '--files',
      '600',
      '--min-kb',
      '40',
      '--max-kb',
      '120',
      '--subdirs',
      '4',
    ],
    { stdio: 'ignore' },
  );
  const res = { plain: [], attach: [], launch: [] };
  for (let i = 0; i < rounds; i++) {
    res.plain.push(await plain());
    res.attach.push(await attached());
    res.launch.push(await launched());
    console.error(
      `round ${i + 1}/${rounds}: ${['plain', 'attach', 'launch'].map((k) => `${k} ${res[k].at(-1).sps.toFixed(2)} steps/s`).join(', ')}`,
    );
  }
  const base = mean(res.plain.map((r) => r.sps));
  console.log('| run | steps/s (mean ± sd, n) | vs. without trainio |');
  console.log('|---|---|---|');
  for (const k of ['plain', 'attach', 'launch']) {
    const xs = res[k].map((r) => r.sps);
    const delta = k === 'plain' ? '—' : `${(100 * (mean(xs) / base - 1)).toFixed(1)}%`;
    console.log(`| ${k} | ${mean(xs).toFixed(2)} ± ${sd(xs).toFixed(2)} (${xs.length}) | ${delta} |`);
  }
  const cpu = res.attach.map((r) => r.cpuPerS);
  console.log(
    `\ntrainio CPU (attach mode, recorder + helpers): ${(100 * mean(cpu)).toFixed(2)}% of one core (± ${(100 * sd(cpu)).toFixed(2)}, n=${cpu.length})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
