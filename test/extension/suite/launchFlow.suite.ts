/**
 * What a new user meets in the real host: "Launch Active Python File with Profiling" with
 * arguments (the job's own truth says what it received), the input box prefilled from the last run,
 * a launch that fails (argparse's exit 2: the code and the usage error reach the session and the
 * panel, the terminal stays open, no phantom epoch), one panel tab for all these sessions, the
 * Sessions view, export → opened in the browser, and the invitation lenses on a script no session
 * has run. Screenshots are asked of the Playwright side (`[[trainio-screenshot]] name`).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { loadSession } from '../../../src/core/session/sessionReader';
import { knobArgs } from '../../support/workloads';
import { makeJobDataset, SYSTEM_PYTHON } from '../trainingJob';
import { log, REPO_ROOT, state, until } from './suiteSupport';

const SHORT_JOB = { epochs: 2, 'batch-size': 16, 'num-workers': 0, 'slow-read-ms': 2 };

interface TruthStartLine {
  pid: number;
  config: Record<string, unknown>;
}

function truthStarts(file: string): TruthStartLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"ev": "start"') || l.includes('"ev":"start"'))
    .map((l) => JSON.parse(l) as TruthStartLine);
}

async function screenshot(name: string): Promise<void> {
  console.log(`[[trainio-screenshot]] ${name}`);
  await new Promise((r) => setTimeout(r, 1500));
}

async function ended(file: string): Promise<void> {
  await until(
    `session ${file} to end`,
    async () => ((await state()).sessions.find((x) => x.file === file)?.live === false ? true : undefined),
    60_000,
  );
}

function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.label.startsWith('Training I/O — '));
}

suite('Launch with arguments, a failing launch, sessions that do not pile up', () => {
  const root = mkdtempSync(join(tmpdir(), 'trainio-ext-flow-'));
  const script = join(REPO_ROOT, 'test', 'workloads', 'train_torch.py');
  const truthFile = join(root, 'truth.jsonl');
  let dataset: string;
  const files: string[] = [];
  let other: ChildProcess | undefined;

  suiteSetup(async () => {
    dataset = makeJobDataset(REPO_ROOT, join(root, 'data'), 60);
    await vscode.window.showTextDocument(
      await vscode.workspace.openTextDocument(script),
      vscode.ViewColumn.One,
    );
  });

  suiteTeardown(() => {
    if (other?.pid) process.kill(-other.pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  test('launch with arguments: the job receives them (its truth), the recorder follows the job itself', async function () {
    this.timeout(90_000);
    const args = knobArgs({ ...SHORT_JOB, data: dataset, truth: truthFile });
    const file = await vscode.commands.executeCommand<string | undefined>('trainio.launchActiveFile', {
      args,
      datasets: [dataset],
      checkpoints: [],
    });
    assert.ok(file, `no session (last error: ${(await state()).lastError})`);
    files.push(file);
    await ended(file);
    const report = await loadSession(file);
    const [start] = truthStarts(truthFile);
    log(`launch: job saw epochs=${String(start.config.epochs)} data=${String(start.config.data)}`);
    assert.equal(start.config.epochs, 2);
    assert.equal(start.config.data, dataset);
    assert.equal(start.config.batch_size, 16);
    assert.equal(report.target.pid, start.pid, 'the session follows the job, not the terminal shell');
    assert.deepEqual(report.target.command.slice(-args.length), args);
    assert.equal(report.ended?.exitCode, 0);
    assert.equal(report.dataStall.method, 'exact');
    assert.equal(report.epochs.length, 2, 'the two epochs the job ran');
  });

  test('the next launch of the file offers the same arguments: accepting the box runs them again', async function () {
    this.timeout(90_000);
    const launching = vscode.commands.executeCommand<string | undefined>('trainio.launchActiveFile', {
      datasets: [dataset],
      checkpoints: [],
    });
    await new Promise((r) => setTimeout(r, 1500));
    await screenshot('launch-arguments-prefilled');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const file = await launching;
    assert.ok(file, `no session (last error: ${(await state()).lastError})`);
    files.push(file);
    await ended(file);
    const starts = truthStarts(truthFile);
    assert.equal(starts.length, 2, 'the job ran a second time');
    assert.deepEqual(starts[1].config, starts[0].config, 'with the arguments of the last run');
  });

  test('a failing launch: exit code 2 and the usage error reach the session and the panel; no epoch; the terminal stays', async function () {
    this.timeout(60_000);
    const file = await vscode.commands.executeCommand<string | undefined>('trainio.launchActiveFile', {
      args: ['--epochs', '1'],
      datasets: [dataset],
      checkpoints: [],
    });
    assert.ok(file, `no session (last error: ${(await state()).lastError})`);
    files.push(file);
    await ended(file);
    const report = await loadSession(file);
    log(`failing launch: exit ${String(report.ended?.exitCode)}, cause "${report.exitCause ?? ''}"`);
    assert.equal(report.ended?.exitCode, 2, 'argparse exits with 2');
    assert.match(report.ended?.stderrTail ?? '', /^usage: train_torch\.py/m);
    assert.match(
      report.exitCause ?? '',
      /exited with code 2: train_torch\.py: error: the following arguments are required: --data/,
    );
    assert.deepEqual(report.epochs, [], 'imports are not an epoch');
    assert.equal(report.reread.bytesRead, 0);
    const terminal = vscode.window.terminals.find(
      (t) => t.name === 'Training I/O: train_torch.py' && t.exitStatus === undefined,
    );
    assert.ok(terminal, 'the failed job’s terminal is still open, with its output');
    const panel = await until('the panel to get the ended session', async () => {
      const p = (await state()).panels.find((x) => x.sessionFile === file);
      return p && (p.postedCounts.init ?? 0) + (p.postedCounts.ended ?? 0) > 0 ? p : undefined;
    });
    assert.equal(panel.title, 'Training I/O — train_torch.py');
    // the panel renders the ended session's cause a moment after "ended" is posted: read its text
    // until the cause is there (at most a few reads)
    const cause =
      /the job exited with code 2: train_torch\.py: error: the following arguments are required: --data/;
    let text = '';
    for (let attempt = 0; attempt < 5 && !cause.test(text); attempt++) {
      const textFile = join(root, `panel-text-${attempt}.txt`);
      console.log(`[[trainio-panel-text]] ${textFile}`);
      text = await until('the panel text', async () =>
        existsSync(textFile) ? readFileSync(textFile, 'utf8') : undefined,
      );
    }
    assert.match(
      text,
      /the job exited with code 2: train_torch\.py: error: the following arguments are required: --data/,
    );
    assert.doesNotMatch(text, /EPOCH 0/i, 'no phantom epoch');
    await screenshot('failed-launch-panel');
    terminal.sendText('');
    await until('Enter to close the terminal', async () => terminal.exitStatus, 10_000);
    assert.equal(terminal.exitStatus?.code, 2);
  });

  test('one panel tab for all these sessions, in at most two editor columns', async () => {
    const s = await state();
    log(
      `panels: ${s.panels.length}, tabs: ${panelTabs().length}, groups: ${vscode.window.tabGroups.all.length}`,
    );
    assert.equal(panelTabs().length, 1, 'a new session reuses the ended one’s panel');
    assert.equal(s.panels.length, 1);
    assert.equal(s.panels[0].sessionFile, files.at(-1), 'it shows the newest session');
    assert.ok(vscode.window.tabGroups.all.length <= 2, 'never a third editor column');
  });

  test('the Sessions view lists each session once, newest first, named by script, start, duration, stall', async () => {
    await vscode.commands.executeCommand('trainio.sessions.focus');
    const rows = (await state()).sessionRows;
    const mine = rows.filter((r) => files.includes(r.file));
    assert.deepEqual(
      mine.map((r) => r.file),
      [...files].reverse(),
    );
    assert.equal(new Set(rows.map((r) => r.file)).size, rows.length, 'no duplicate rows');
    assert.ok(mine.every((r) => r.script === 'train_torch.py' && r.durationS !== undefined));
    await screenshot('sessions-view');
  });

  test('export → Open shows the HTML report in the browser (the browser fetched it)', async function () {
    this.timeout(30_000);
    const out = join(root, 'launch-report.html');
    const written = await vscode.commands.executeCommand<string | undefined>('trainio.exportReport', {
      sessionFile: files[0],
      outFile: out,
      open: true,
    });
    assert.equal(written, out);
    const served = await until(
      'the browser to fetch the report',
      async () => (await state()).reportsServed.find((p) => p.endsWith('/launch-report.html')),
      20_000,
    );
    log(`the browser fetched ${served}`);
    await screenshot('report-opened');
  });

  test('on a script no session ran: "Profile this script", and "Attach to running job (PID n)" while it runs', async function () {
    this.timeout(60_000);
    const dir = join(root, 'other');
    mkdirSync(dir);
    const copy = join(dir, 'train_other.py');
    copyFileSync(script, copy);
    copyFileSync(join(REPO_ROOT, 'test', 'workloads', 'truth.py'), join(dir, 'truth.py'));
    const doc = await vscode.workspace.openTextDocument(copy);
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const loaderLine = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('loader = DataLoader('));
    const titles = async (): Promise<string[]> =>
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10))
        .filter((l) => l.range.start.line === loaderLine)
        .map((l) => l.command?.title ?? '');
    assert.deepEqual(await titles(), ['$(pulse) Profile this script']);
    const otherTruth = join(root, 'other-truth.jsonl');
    other = spawn(
      SYSTEM_PYTHON,
      [copy, ...knobArgs({ ...SHORT_JOB, epochs: 50, data: dataset, truth: otherTruth })],
      {
        stdio: 'ignore',
        detached: true,
      },
    );
    await until('the other job to start', async () => (truthStarts(otherTruth).length ? true : undefined));
    const found = await until('the attach lens', async () => {
      const t = await titles();
      return t.length > 1 ? t : undefined;
    });
    log(`lenses: ${found.join(' | ')}`);
    assert.deepEqual(found, [
      '$(pulse) Profile this script',
      `$(debug-alt) Attach to running job (PID ${other.pid})`,
    ]);
    await screenshot('invitation-lenses');
  });
});
