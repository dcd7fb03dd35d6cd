/**
 * What every code-server test prepares: fresh bundles, and an empty workspace folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/codeServer';

/** The bundles the host loads: dist/extension.js, dist/webview/panel.js and out/test/suite/index.js. */
export function buildBundles(): void {
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`esbuild failed: ${r.stderr}`);
  for (const f of ['dist/extension.js', 'dist/webview/panel.js', 'out/test/suite/index.js']) {
    assert.ok(existsSync(join(REPO_ROOT, f)), `${f} was not built`);
  }
}

export function scratchWorkspace(root: string): string {
  const ws = join(root, 'workspace');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(
    join(ws, '.vscode', 'settings.json'),
    JSON.stringify({ 'files.watcherExclude': { '**': true } }),
  );
  return ws;
}
