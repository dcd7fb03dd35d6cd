/**
 * `npm run demo` writes into the repository (./trainio-demo by default); `npm test` right after it
 * (the README's order) must not see those files: git, prettier, eslint, the npm package and the
 * VSIX all ignore them. The package checks pack a copy of the manifests next to demo files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { DEFAULT_DEMO_DIR } from '../../src/cli/demoCommand';
import { tempDir } from '../support/workloads';

const ROOT = join(__dirname, '..', '..');

/** what the demo writes into its folder (demoCommand.ts), plus sources a formatter or linter would pick up */
const DEMO_FILES = [
  'session.trainio.jsonl',
  'report.json',
  'report.html',
  'report.md',
  'job.log',
  'truth.jsonl',
  'data/d00/f000000.bin',
  'data/.truth-dataset.json',
  'checkpoints/ckpt-000010.pt',
  'notes.ts',
  'notes.js',
].map((f) => `${DEFAULT_DEMO_DIR}/${f}`);

function run(cmd: string, args: string[], cwd = ROOT): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const bin = (name: string): string => join(ROOT, 'node_modules', '.bin', name);

void test('the demo writes into the folder the README names', () => {
  assert.equal(DEFAULT_DEMO_DIR, 'trainio-demo');
  assert.ok(readFileSync(join(ROOT, 'README.md'), 'utf8').includes(`\`${DEFAULT_DEMO_DIR}/report.html\``));
});

void test('git ignores what the demo writes', () => {
  const r = spawnSync('git', ['check-ignore', '--no-index', ...DEMO_FILES], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), [...DEMO_FILES].sort());
});

void test('prettier and eslint skip what the demo writes', async () => {
  for (const f of DEMO_FILES) {
    const info = JSON.parse(run(bin('prettier'), ['--file-info', f])) as { ignored: boolean };
    assert.equal(info.ignored, true, `prettier checks ${f}`);
  }
  const eslint = new ESLint({ cwd: ROOT });
  for (const f of DEMO_FILES.filter((x) => /\.(ts|js)$/.test(x)))
    assert.equal(await eslint.isPathIgnored(join(ROOT, f)), true, `eslint lints ${f}`);
});

void test('neither the npm package nor the VSIX ships what the demo writes', () => {
  const { dir, cleanup } = tempDir('demo-pack');
  try {
    for (const f of ['package.json', '.npmignore', '.vscodeignore', 'README.md', 'LICENSE'])
      copyFileSync(join(ROOT, f), join(dir, f));
    for (const f of ['dist/cli.js', 'dist/extension.js', 'media/panel.css', ...DEMO_FILES]) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), 'x\n');
    }
    const packed = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], dir)) as {
      files: { path: string }[];
    }[];
    const npmFiles = packed[0]?.files.map((f) => f.path) ?? [];
    assert.ok(npmFiles.includes('dist/cli.js'), `the npm package lists its files: ${npmFiles.join(', ')}`);
    assert.deepEqual(
      npmFiles.filter((f) => f.startsWith(DEFAULT_DEMO_DIR)),
      [],
    );
    const vsix = run(
      process.execPath,
      [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'],
      dir,
    )
      .split('\n')
      .filter(Boolean);
    assert.ok(vsix.includes('dist/extension.js'), `the VSIX lists its files: ${vsix.join(', ')}`);
    assert.deepEqual(
      vsix.filter((f) => f.startsWith(DEFAULT_DEMO_DIR)),
      [],
    );
  } finally {
    cleanup();
  }
});
