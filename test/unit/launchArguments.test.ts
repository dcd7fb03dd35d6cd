/**
 * The launch's argument text (split as a shell would, and back), launch.json's Python
 * configurations, and the terminal wrapper run by a real bash around a real python3: the job sees
 * the arguments it was given, its PID is the one the wrapper reports, its stderr and exit code are
 * kept for the panel.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deathCause } from '../../src/core/analysis/deathCause';
import { joinArguments, splitArguments } from '../../src/extension/profile/argumentText';
import { pythonConfigurations, substituteVariables } from '../../src/extension/profile/launchConfigurations';
import {
  exitOfStatus,
  stderrTail,
  WRAPPER_SHELL,
  wrapperArgs,
} from '../../src/extension/profile/terminalWrapper';

void test('arguments split like a shell: quotes, escapes, ~', () => {
  const split = (t: string): unknown => splitArguments(t, '/home/u');
  assert.deepEqual(split(''), { args: [] });
  assert.deepEqual(split('  /data  --epochs 3 '), { args: ['/data', '--epochs', '3'] });
  assert.deepEqual(split(`--name "my run" 'it''s' a\\ b`), { args: ['--name', 'my run', 'its', 'a b'] });
  assert.deepEqual(split(`"say \\"hi\\"" 'no \\escape'`), { args: ['say "hi"', 'no \\escape'] });
  assert.deepEqual(split('~/data ~ a~b "~/q" --x=~/y'), {
    args: ['/home/u/data', '/home/u', 'a~b', '~/q', '--x=~/y'],
  });
  assert.deepEqual(split('""'), { args: [''] }, 'an empty quoted argument is an argument');
  assert.match((split('--name "open') as { error: string }).error, /double quote is not closed/);
  assert.match((split("'x") as { error: string }).error, /single quote/);
});

void test('joined arguments split back to the same list (the input box prefill)', () => {
  const lists = [
    ['/data/train', '--epochs', '3'],
    ['a b', "it's", '', '$HOME', 'tab\there', '"q"', 'back\\slash', '--lr=1e-3'],
  ];
  for (const args of lists) assert.deepEqual(splitArguments(joinArguments(args)), { args });
  assert.equal(joinArguments(['/data', '--epochs', '3']), '/data --epochs 3', 'safe words stay bare');
  assert.equal(joinArguments(['a b', "it's"]), `'a b' 'it'\\''s'`);
});

void test("launch.json: Python launch configurations, variables substituted, the active file's first", () => {
  const ctx = { workspaceFolder: '/ws', file: '/ws/train.py', home: '/home/u', env: { DATA: '/data' } };
  const configs = pythonConfigurations(
    [
      { name: 'Node', type: 'node', request: 'launch', program: 'x.js' },
      { name: 'Attach', type: 'debugpy', request: 'attach' },
      {
        name: 'Eval',
        type: 'debugpy',
        request: 'launch',
        program: '${workspaceFolder}/eval.py',
        args: '--k 5',
      },
      {
        name: 'Train',
        type: 'python',
        request: 'launch',
        program: '${file}',
        args: ['${env:DATA}', '--out', '${fileDirname}/runs', 3],
        cwd: '${workspaceFolder}/sub',
        env: { RUN: '${fileBasenameNoExtension}', N: 1 },
      },
      { name: 'Module', type: 'debugpy', request: 'launch', module: 'pkg.train' },
      { name: 'Asks', type: 'debugpy', request: 'launch', program: '${file}', args: ['${input:lr}'] },
    ],
    ctx,
  );
  assert.deepEqual(
    configs.map((c) => c.name),
    ['Train', 'Eval', 'Module', 'Asks'],
  );
  assert.deepEqual(configs[0], {
    name: 'Train',
    program: '/ws/train.py',
    module: undefined,
    args: ['/data', '--out', '/ws/runs'],
    cwd: '/ws/sub',
    env: { RUN: 'train' },
  });
  assert.equal(configs[3].problem, 'cannot resolve ${input:lr}');
  assert.deepEqual(configs[1].args, ['--k', '5']);
  assert.equal(configs[2].module, 'pkg.train');
  assert.deepEqual(pythonConfigurations(undefined, ctx), []);
  assert.equal(substituteVariables('${userHome}/${workspaceFolderBasename}', ctx), '/home/u/ws');
});

void test('exit status and stderr tail: signals, progress-bar redraws, colours', () => {
  assert.deepEqual(exitOfStatus(0), { code: 0, signal: null });
  assert.deepEqual(exitOfStatus(2), { code: 2, signal: null });
  assert.deepEqual(exitOfStatus(137), { code: null, signal: 'SIGKILL' });
  assert.deepEqual(exitOfStatus(135), { code: null, signal: 'SIGBUS' });
  assert.equal(
    stderrTail('10%\r50%\r100%\nTraceback\n\x1b[31mValueError: x\x1b[0m\n\n'),
    '100%\nTraceback\nValueError: x',
  );
  const long = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
  assert.deepEqual(
    stderrTail(long).split('\n'),
    Array.from({ length: 20 }, (_, i) => `line ${80 + i}`),
  );
});

void test('the wrapper runs the job with its arguments in bash; PID, stderr and exit code come back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-wrapper-'));
  try {
    const files = { pidFile: join(dir, 'pid'), stderrFile: join(dir, 'err'), exitFile: join(dir, 'exit') };
    const job = [
      '/usr/bin/python3',
      '-c',
      'import json, os, sys; print(json.dumps({"pid": os.getpid(), "argv": sys.argv[1:]})); ' +
        'sys.stderr.write("usage: train.py data\\ntrain.py: error: the following arguments are required: data\\n"); sys.exit(2)',
      'a b',
      "it's",
    ];
    // Enter answers "press Enter to close" of a failed job
    const r = spawnSync(WRAPPER_SHELL, wrapperArgs(job, files), { input: '\n', encoding: 'utf8' });
    assert.equal(r.status, 2, 'the terminal process ends with the job’s exit code');
    const seen = JSON.parse(r.stdout.split('\n')[0]) as { pid: number; argv: string[] };
    assert.deepEqual(seen.argv, ['a b', "it's"], 'the job sees its arguments unchanged');
    assert.equal(Number(readFileSync(files.pidFile, 'utf8')), seen.pid, 'the PID file names the job itself');
    assert.equal(readFileSync(files.exitFile, 'utf8').trim(), '2');
    assert.match(r.stderr, /the following arguments are required/, 'stderr still reaches the terminal');
    assert.equal(
      stderrTail(readFileSync(files.stderrFile, 'utf8')),
      'usage: train.py data\ntrain.py: error: the following arguments are required: data',
    );
    assert.match(r.stdout, /the job exited with code 2\..*Press Enter/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a failed job with a stderr tail and no other evidence: its last line is the cause', () => {
  const none = (): never[] => [];
  const ended = {
    type: 'end' as const,
    s: 1,
    reason: 'exited' as const,
    exitCode: 2,
    stderrTail: 'usage: train.py data\ntrain.py: error: the following arguments are required: data\n',
  };
  assert.equal(
    deathCause(ended, none),
    'the job exited with code 2: train.py: error: the following arguments are required: data',
  );
  assert.equal(deathCause({ ...ended, exitCode: 0, stderrTail: 'warning' }, none), undefined);
  assert.equal(deathCause({ ...ended, stderrTail: undefined }, none), undefined);
});
