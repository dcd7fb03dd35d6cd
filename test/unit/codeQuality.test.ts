import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The strict compiler, the layered lint and the one formatter are part of the test command, so CI
// enforces them like any other test.
const bin = (name: string): string => join(process.cwd(), 'node_modules', '.bin', name);

function run(cmd: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(bin(cmd), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

void test('TypeScript compiles with no errors (strict)', () => {
  const r = run('tsc', ['-p', '.', '--noEmit']);
  assert.equal(r.status, 0, r.output);
});

void test('lint is clean, layer rules included', () => {
  const r = run('eslint', ['.']);
  assert.equal(r.status, 0, r.output);
});

void test('every file is formatted with prettier', () => {
  const r = run('prettier', ['--check', '.']);
  assert.equal(r.status, 0, r.output);
});
