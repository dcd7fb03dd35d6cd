// Runs the test suites with Node's test runner in one invocation (one summary at the end).
// `node test/run.mjs [unit|integration|webview|extension ...]` picks suites; default: all.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const all = ['unit', 'integration', 'webview', 'extension'];
const suites = process.argv.slice(2).filter((a) => all.includes(a));
const pick = suites.length ? suites : all;

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const files = pick.flatMap((s) => walk(join('test', s)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } },
);
process.exit(r.status ?? 1);
