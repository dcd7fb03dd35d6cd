import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export const inCI = process.env.CI === 'true';

export function hasCommand(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status !== null;
}

/**
 * A test that needs a tool: locally it skips with a message saying how to get it; under CI=true a
 * missing tool fails the test (nothing is skipped silently in CI).
 */
export function requireTool(t: TestContext, available: boolean, what: string, howToGet: string): boolean {
  if (available) return true;
  const message = `${what} is missing — ${howToGet}`;
  if (inCI) throw new Error(`CI=true and ${message}`);
  t.skip(message);
  return false;
}

/** Debian's python with python3-torch (the PATH python may be another one). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export function hasTorch(): boolean {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  return r.status === 0;
}
