/**
 * Runs the real `trainio` CLI in a child process for the integration tests: from the built bundle
 * (dist/cli.js) when `built` is asked for, else from source through tsx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import type { HeaderRecord } from '../../src/shared/model';

export const ROOT = resolve(__dirname, '..', '..');
export const BUILT_CLI = join(ROOT, 'dist', 'cli.js');

/** the newest modification time of the files under a folder */
function newestMs(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMs(p) : statSync(p).mtimeMs);
  }
  return newest;
}

let builtIsFresh: boolean | undefined;
/** the bundle exists and is newer than every source file (it starts much faster than tsx) */
export function freshBuiltCli(): boolean {
  builtIsFresh ??= existsSync(BUILT_CLI) && statSync(BUILT_CLI).mtimeMs >= newestMs(join(ROOT, 'src'));
  return builtIsFresh;
}

export function cliArgv(built = freshBuiltCli()): string[] {
  // tsx by its file, so the CLI may run in any folder
  const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  return built ? [BUILT_CLI] : ['--import', tsx, join(ROOT, 'src', 'cli', 'main.ts')];
}

export function hasBuiltCli(): boolean {
  return existsSync(BUILT_CLI) && existsSync(join(ROOT, 'dist', 'workloads', 'train_torch.py'));
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function spawnCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; built?: boolean } = {},
): ChildProcess {
  return spawn(process.execPath, [...cliArgv(opts.built), ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function finished(child: ChildProcess): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  // on exit, not close: a launched job left running holds the CLI's output pipes open
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      setTimeout(() => done({ code, signal, stdout, stderr }), 100);
    });
  });
}

export function runCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; built?: boolean } = {},
): Promise<CliRun> {
  return finished(spawnCli(args, opts));
}

/** the CLI failed with one clear `trainio: …` line and no stack trace */
export function assertOneLineFailure(r: CliRun, code: number, text: RegExp): void {
  assert.equal(r.code, code, `exit code ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('trainio:'));
  assert.equal(lines.length, 1, `stderr: ${r.stderr}`);
  assert.match(lines[0], text);
  assert.equal(/^\s+at /m.test(r.stderr), false, `stack trace in: ${r.stderr}`);
}

export function sessionHeader(file: string): HeaderRecord {
  return JSON.parse(readFileSync(file, 'utf8').split('\n')[0]) as HeaderRecord;
}

export function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs truth ${expected} (±${tol})`);
}

export async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
