// Records small real sessions of the reference training jobs into test/fixtures/sessions/, for the
// rendering and golden tests of the panel and the reports. Needs the built CLI (node esbuild.mjs)
// and /usr/bin/python3 with torch. Run: node scripts/record-fixtures.mjs
//
//   launch-torch.trainio.jsonl   launch mode with the hook: 3 epochs, 2 workers, checkpoints
//   attach-torch.trainio.jsonl   attach mode (--pid) to the same kind of job, no hook
//
// Each fixture is written with its job's ground truth next to it (*.truth.jsonl). The jobs run in a
// temporary folder with relative paths, so the files name no machine-specific folder.
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  readFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const outDir = join(root, 'test', 'fixtures', 'sessions');
const python = '/usr/bin/python3';
const MAX_BYTES = 1_000_000;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r;
}

function trainArgs(epochs) {
  return [
    'train_torch.py',
    '--data',
    'data',
    '--epochs',
    String(epochs),
    '--batch-size',
    '16',
    '--num-workers',
    '2',
    '--compute-ms',
    '25',
    '--slow-read-ms',
    '4',
    '--ckpt-dir',
    'ckpt',
    '--ckpt-every',
    '25',
    '--ckpt-mb',
    '6',
    '--truth',
    'truth.jsonl',
  ];
}

function prepare() {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-fixtures-'));
  for (const f of ['train_torch.py', 'truth.py', 'make_dataset.py'])
    copyFileSync(join(root, 'test', 'workloads', f), join(dir, f));
  run(
    python,
    [
      'make_dataset.py',
      '--out',
      'data',
      '--files',
      '400',
      '--min-kb',
      '16',
      '--max-kb',
      '48',
      '--subdirs',
      '4',
    ],
    { cwd: dir },
  );
  mkdirSync(join(dir, 'ckpt'));
  return dir;
}

function keep(dir, name) {
  const session = join(dir, 'session.jsonl');
  const size = statSync(session).size;
  if (size > MAX_BYTES) throw new Error(`${name}: ${size} bytes, over ${MAX_BYTES}`);
  copyFileSync(session, join(outDir, `${name}.trainio.jsonl`));
  copyFileSync(join(dir, 'truth.jsonl'), join(outDir, `${name}.truth.jsonl`));
  console.log(`${name}: ${size} bytes`);
}

function launchFixture() {
  const dir = prepare();
  try {
    run(
      process.execPath,
      [
        cli,
        'record',
        '--out',
        'session.jsonl',
        '--dataset',
        'data',
        '--checkpoints',
        'ckpt',
        '--',
        python,
        ...trainArgs(3),
      ],
      { cwd: dir },
    );
    keep(dir, 'launch-torch');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function attachFixture() {
  const dir = prepare();
  try {
    const job = spawn(python, trainArgs(4), { cwd: dir, stdio: 'ignore' });
    // attach once the job is up and reading (its first epoch is under way)
    await waitFor(() => readIfExists(join(dir, 'truth.jsonl')).includes('"epoch_start"'), 30_000);
    // asynchronously: the job is our child, and a blocked event loop would leave it a zombie
    const exited = new Promise((done) => job.once('exit', done));
    const rec = spawn(
      process.execPath,
      [
        cli,
        'record',
        '--out',
        'session.jsonl',
        '--pid',
        String(job.pid),
        '--dataset',
        'data',
        '--checkpoints',
        'ckpt',
      ],
      { cwd: dir, stdio: 'inherit' },
    );
    const code = await new Promise((done) => rec.once('exit', done));
    await exited;
    if (code !== 0) throw new Error(`record --pid exited with ${code}`);
    keep(dir, 'attach-torch');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readIfExists(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function waitFor(check, ms) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for the job');
    await new Promise((r) => setTimeout(r, 50));
  }
}

mkdirSync(outDir, { recursive: true });
launchFixture();
await attachFixture();
writeFileSync(
  join(outDir, 'README.md'),
  `# Recorded sessions

Real sessions of the reference PyTorch job (test/workloads/train_torch.py), recorded by
\`node scripts/record-fixtures.mjs\`; each has the job's ground truth next to it (\`*.truth.jsonl\`).

| file | what |
|---|---|
| launch-torch.trainio.jsonl | \`trainio record -- python3 train_torch.py …\`: launch mode with the hook, 3 epochs, 2 workers, 6 MB checkpoints every 25 steps |
| attach-torch.trainio.jsonl | \`trainio record --pid\` attached during the first epoch of a 4-epoch run, no hook |
`,
);
console.log(readdirSync(outDir).join('\n'));
