/**
 * Launch mode inside a real VS Code extension host: the reference PyTorch job runs in an integrated
 * terminal with the trainio hook, so the data stall is exact; checked against the job's own truth,
 * with the DataLoader call site the hook recorded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { loadSession } from '../../../src/core/session/sessionReader';
import { readTruth } from '../../support/truth';
import { knobArgs } from '../../support/workloads';
import { makeJobDataset, SYSTEM_PYTHON } from '../trainingJob';
import { lineOf, log, REPO_ROOT, state, until } from './suiteSupport';

/** a short run of the reference job that ends by itself (3 epochs of 300 files) */
const LAUNCH_JOB = {
  epochs: 3,
  'batch-size': 16,
  'num-workers': 2,
  'slow-read-ms': 15,
  'ckpt-every': 20,
  'ckpt-mb': 2,
};

suite('Launch a real PyTorch job from the editor', () => {
  const root = mkdtempSync(join(tmpdir(), 'trainio-ext-launch-'));
  const script = join(REPO_ROOT, 'test', 'workloads', 'train_torch.py');
  let dataset: string;

  suiteSetup(() => {
    dataset = makeJobDataset(REPO_ROOT, join(root, 'data'));
  });

  suiteTeardown(() => rmSync(root, { recursive: true, force: true }));

  test('launch mode: the job runs in a terminal with the hook; stall is exact and matches the truth', async function () {
    this.timeout(150_000);
    const truthFile = join(root, 'launch-truth.jsonl');
    const checkpoints = join(root, 'launch-ckpt');
    const knobs = { ...LAUNCH_JOB, data: dataset, 'ckpt-dir': checkpoints, truth: truthFile };
    const file = await vscode.commands.executeCommand<string | undefined>('trainio.profile', {
      command: [SYSTEM_PYTHON, script, ...knobArgs(knobs)],
      cwd: root,
      datasets: [dataset],
      checkpoints: [checkpoints],
    });
    assert.ok(file, `profile returned no session file (last error: ${(await state()).lastError})`);
    assert.ok(
      vscode.window.terminals.some((t) => t.name === 'Training I/O: train_torch.py'),
      'the job runs in an integrated terminal the user can see',
    );
    await until(
      'the launched job to end by itself',
      async () => ((await state()).sessions.find((x) => x.file === file)?.live === false ? true : undefined),
      120_000,
    );
    const report = await loadSession(file);
    const truth = readTruth(truthFile);
    const pct = report.dataStall.pct ?? NaN;
    log(
      `launch: stall ${pct.toFixed(1)} % (${report.dataStall.method}) vs truth ${truth.stallPct.toFixed(1)} %`,
    );
    log(`launch: ${report.checkpoints.length} checkpoints vs truth ${truth.checkpoints.length}`);
    assert.equal(report.ended?.reason, 'exited');
    assert.equal(report.dataStall.method, 'exact');
    assert.ok(
      Math.abs(pct - truth.stallPct) <= 5,
      `exact stall ${pct} vs truth ${truth.stallPct} (tolerance 5 points)`,
    );
    assert.equal(report.checkpoints.length, truth.checkpoints.length, 'the hook sees every torch.save');
    const doc = await vscode.workspace.openTextDocument(script);
    const loaderLine = lineOf(doc, 'loader = DataLoader(');
    assert.deepEqual(
      report.loaders.map((l) => [l.site?.file, l.site?.line, l.numWorkers]),
      [[script, loaderLine, 2]],
      'the hook recorded the DataLoader call site',
    );
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
      'vscode.executeCodeLensProvider',
      doc.uri,
      10,
    );
    const title = lenses.find((l) => l.range.start.line === loaderLine - 1)?.command?.title ?? '';
    log(`launch: DataLoader lens "${title}"`);
    assert.match(title, /^Stall \d+% \(exact\) · num_workers=2/);
  });
});
