/**
 * The hook's injection: the environment trainio builds, and what real Python processes do with it
 * when they never import torch (the hook must stay inert) and when the user has a sitecustomize of
 * their own (it must still run, errors included, exactly as without trainio).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { buildHookEnv, hookDirectory } from '../../src/core/hook/hookEnv';
import { hasCommand, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { tempDir } from '../support/workloads';

const PYTHON = existsSync(SYSTEM_PYTHON) ? SYSTEM_PYTHON : 'python3';

function py(code: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync(PYTHON, ['-c', code], { env, encoding: 'utf8' });
  assert.equal(r.error, undefined);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The environment without anything trainio or Python-path related inherited from the runner. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of ['TRAINIO_HOOK_OUT', 'TRAINIO_HOOK_DATASETS']) delete env[k];
  if (extra.PYTHONPATH === undefined) delete env.PYTHONPATH;
  return env;
}

void test('hookDirectory finds the shipped hook folder', () => {
  const dir = hookDirectory();
  assert.ok(existsSync(join(dir, 'sitecustomize.py')));
  assert.ok(existsSync(join(dir, 'trainio_hook', '__init__.py')));
});

void test('buildHookEnv prepends the hook once and says where to write', () => {
  const dir = hookDirectory();
  const base = { PYTHONPATH: ['/a', dir, '/b'].join(delimiter), TRAINIO_HOOK_DATASETS: '/old', KEEP: '1' };
  const env = buildHookEnv(base, { outPath: '/tmp/x.jsonl', datasets: ['/d1', '/d2'] });
  assert.equal(env.PYTHONPATH, [dir, '/a', '/b'].join(delimiter));
  assert.equal(env.TRAINIO_HOOK_OUT, '/tmp/x.jsonl');
  assert.equal(env.TRAINIO_HOOK_DATASETS, ['/d1', '/d2'].join(delimiter));
  assert.equal(env.KEEP, '1');
  assert.equal(base.PYTHONPATH, ['/a', dir, '/b'].join(delimiter), 'base is not modified');
  const bare = buildHookEnv({}, { outPath: '/tmp/y', datasets: [] });
  assert.equal(bare.PYTHONPATH, dir);
  assert.equal(buildHookEnv(base, { outPath: '/tmp/y', datasets: [] }).TRAINIO_HOOK_DATASETS, undefined);
});

void test('without torch the hook stays inert: no file, no events, same output', (t) => {
  if (!requireTool(t, hasCommand(PYTHON), 'python3', 'install python3')) return;
  const tmp = tempDir('hook-inert');
  t.after(tmp.cleanup);
  const out = join(tmp.dir, 'events.jsonl');
  const data = join(tmp.dir, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'f.bin'), 'x');
  const code = [
    'import sys',
    `print(open(${JSON.stringify(join(data, 'f.bin'))}).read())`,
    "print('torch' in sys.modules, any(type(f).__name__ == 'ImportWatch' for f in sys.meta_path))",
  ].join('\n');
  const plain = py(code, cleanEnv());
  const hooked = py(code, buildHookEnv(cleanEnv(), { outPath: out, datasets: [data] }));
  assert.equal(plain.stdout, 'x\nFalse False\n');
  assert.equal(hooked.stdout, 'x\nFalse True\n', 'armed (waiting for torch) but nothing else');
  assert.equal(hooked.stderr, plain.stderr);
  assert.equal(hooked.code, 0);
  assert.ok(!existsSync(out), 'no torch, no event file');
  const unarmed = py(code, { ...cleanEnv(), PYTHONPATH: hookDirectory() });
  assert.equal(unarmed.stdout, 'x\nFalse False\n', 'without TRAINIO_HOOK_OUT nothing is installed');
});

void test("the user's own sitecustomize still runs, after the hook is armed", (t) => {
  if (!requireTool(t, hasCommand(PYTHON), 'python3', 'install python3')) return;
  const tmp = tempDir('hook-chain');
  t.after(tmp.cleanup);
  const user = join(tmp.dir, 'user');
  mkdirSync(user);
  const marker = join(tmp.dir, 'ran.txt');
  writeFileSync(
    join(user, 'sitecustomize.py'),
    `import sys\nopen(${JSON.stringify(marker)}, 'w').write('ran')\nsys.user_site_flag = 42\n`,
  );
  const env = buildHookEnv(cleanEnv({ PYTHONPATH: user }), {
    outPath: join(tmp.dir, 'e.jsonl'),
    datasets: [],
  });
  const r = py(
    "import sys, sitecustomize\nprint(sitecustomize.__file__)\nprint(getattr(sys, 'user_site_flag', None))\nprint('trainio_hook' in sys.modules)",
    env,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${join(user, 'sitecustomize.py')}\n42\nTrue\n`);
  assert.equal(readFileSync(marker, 'utf8'), 'ran');
});

void test('with no user sitecustomize, the one Python would have run still runs', (t) => {
  if (!requireTool(t, hasCommand(PYTHON), 'python3', 'install python3')) return;
  const code =
    "import sys\nm = sys.modules.get('sitecustomize')\nprint(getattr(m, '__file__', None) if m else None)";
  const plain = py(code, cleanEnv());
  const hooked = py(code, buildHookEnv(cleanEnv(), { outPath: '/nonexistent/e.jsonl', datasets: [] }));
  assert.equal(hooked.stdout, plain.stdout);
  assert.equal(hooked.stderr, plain.stderr);
});

void test('a failing user sitecustomize fails as it would without trainio, and the hook stays armed', (t) => {
  if (!requireTool(t, hasCommand(PYTHON), 'python3', 'install python3')) return;
  const tmp = tempDir('hook-chain-error');
  t.after(tmp.cleanup);
  writeFileSync(join(tmp.dir, 'sitecustomize.py'), 'x = 1\nraise ValueError("user sitecustomize broke")\n');
  const code = "import sys\nprint(any(type(f).__name__ == 'ImportWatch' for f in sys.meta_path))";
  const plain = py(code, cleanEnv({ PYTHONPATH: tmp.dir }));
  const hooked = py(
    code,
    buildHookEnv(cleanEnv({ PYTHONPATH: tmp.dir }), { outPath: '/nonexistent/e', datasets: [] }),
  );
  assert.match(plain.stderr, /Error in sitecustomize.*\n.*ValueError: user sitecustomize broke/);
  assert.equal(hooked.stderr, plain.stderr);
  assert.equal(plain.stdout, 'False\n');
  assert.equal(hooked.stdout, 'True\n');
});
