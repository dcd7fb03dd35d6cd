import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

// The layer rules of STYLE.md must actually fire: lint probe sources placed (virtually) in each layer.
// Probe files do not exist on disk, so type-aware parsing (and the one rule needing it) is off here.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
});

async function ruleMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

void test('src/core may not import vscode', async () => {
  const msgs = await ruleMessages(
    'src/core/probe.ts',
    "import * as vscode from 'vscode';\nexport const v = vscode;\n",
  );
  assert.equal(msgs.length, 1);
  assert.match(msgs[0], /Only src\/extension may import vscode/);
});

void test('src/cli may not import vscode', async () => {
  const msgs = await ruleMessages(
    'src/cli/probe.ts',
    "import * as vscode from 'vscode';\nexport const v = vscode;\n",
  );
  assert.equal(msgs.length, 1);
});

void test('src/shared and webview may not import node built-ins', async () => {
  for (const file of ['src/shared/probe.ts', 'webview/src/probe.ts']) {
    const msgs = await ruleMessages(
      file,
      "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
    );
    assert.equal(msgs.length, 1, file);
    assert.match(msgs[0], /pure/);
  }
});

void test('webview may not import core', async () => {
  const msgs = await ruleMessages(
    'webview/src/probe.ts',
    "import { TrainioError } from '../../src/core/errors';\nexport const e = TrainioError;\n",
  );
  assert.equal(msgs.length, 1);
});

void test('src/extension may import vscode', async () => {
  const msgs = await ruleMessages(
    'src/extension/probe.ts',
    "import * as vscode from 'vscode';\nexport const v = vscode;\n",
  );
  assert.deepEqual(msgs, []);
});
