/**
 * What the extension-host suites share: the repo root, the read-only state command, polling, logging.
 */
import { resolve } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionState } from '../../../src/extension/testState';

/** out/test/suite (bundled) and test/extension/suite (source) are both three levels below the root */
export const REPO_ROOT = process.env.TRAINIO_REPO_ROOT ?? resolve(__dirname, '..', '..', '..');
export const EXTENSION_ID = 'trainio.trainio';

export const state = (): Thenable<ExtensionState> =>
  vscode.commands.executeCommand<ExtensionState>('trainio.getState');

/** Polls `probe` until it returns a value; on timeout the error carries the extension's state. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  const seen = await state();
  throw new Error(
    `timed out after ${ms / 1000} s waiting for ${what}; extension state: ${JSON.stringify(seen)}`,
  );
}

/** A measured number next to its truth, in mocha's report. */
export function log(line: string): void {
  console.log(`      · ${line}`);
}

/** 1-based line of the first line of `doc` containing `needle`. */
export function lineOf(doc: vscode.TextDocument, needle: string): number {
  return (
    doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes(needle)) + 1
  );
}
