/**
 * The extension-host test entry (`extensionTestsPath`): the standard `run(): Promise<void>` that
 * both @vscode/test-electron and code-server call inside a real VS Code extension host.
 * Suites are `*.suite.ts` files (not `*.test.ts`: those are node:test files), bundled in here.
 */
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000, reporter: 'spec' });
  // the tdd globals (suite/test/suiteSetup…) must exist before the suite modules are evaluated
  mocha.suite.emit('pre-require', globalThis, 'suites', mocha);
  await import('./profile.suite.js');
  await import('./launch.suite.js');
  await import('./launchFlow.suite.js');
  await import('./attachFound.suite.js');
  const failures = await new Promise<number>((done) => mocha.run(done));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
