/**
 * Inside a real VS Code extension host: profile a real PyTorch job by PID, and check what the user
 * sees — the status bar, the panel's messages, the CodeLenses in the training script — against the
 * job's own ground truth; then stop, reload the session file and export it.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { loadSession } from '../../../src/core/session/sessionReader';
import type { SessionReport } from '../../../src/shared/model';
import type { Truth } from '../../support/truth';
import { startTrainingJob, type TrainingJob } from '../trainingJob';
import { EXTENSION_ID, log, REPO_ROOT, state, until } from './suiteSupport';

/** Truth over the session's wall-clock window: Σ time in next()/iter() ÷ window × 100, and what happened in it. */
function truthWithin(
  truth: Truth,
  fromT: number,
  toT: number,
): { stallPct: number; checkpoints: number; ckptBytes: number; epochs: number } {
  const inside = (t: number): boolean => t >= fromT && t <= toT;
  const wait =
    truth.steps.filter((s) => inside(s.t)).reduce((n, s) => n + s.waitS, 0) +
    truth.waits.filter((w) => inside(w.t1)).reduce((n, w) => n + w.waitS, 0);
  const ckpts = truth.checkpoints.filter((c) => inside(c.t1));
  return {
    stallPct: (wait / (toT - fromT)) * 100,
    checkpoints: ckpts.length,
    ckptBytes: ckpts.reduce((n, c) => n + c.bytes, 0),
    // epochs the session overlaps: the one running at the attach and one starting at the stop count
    epochs: truth.epochs.filter((e) => e.startT <= toT && !(e.endT < fromT)).length,
  };
}

suite('Profile a real PyTorch job in the extension host', () => {
  let job: TrainingJob;
  let sessionFile: string;
  let finalReport: SessionReport;
  const exportDir = mkdtempSync(join(tmpdir(), 'trainio-ext-export-'));

  suiteSetup(async function () {
    this.timeout(90_000);
    job = await startTrainingJob(REPO_ROOT);
  });

  suiteTeardown(() => {
    job?.stop();
    rmSync(exportDir, { recursive: true, force: true });
  });

  test('the extension is lazy: not active until a command runs', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed in this host`);
    assert.equal(ext.isActive, false, 'no activation before a command (no "*", no onStartupFinished)');
    // what the first Python file opened costs (onLanguage:python): loading the bundle + activate()
    const t0 = performance.now();
    await ext.activate();
    const ms = performance.now() - t0;
    log(`activation: ${ms.toFixed(0)} ms (bundle load + activate)`);
    assert.ok(ms < 1000, `activation took ${ms.toFixed(0)} ms`);
  });

  test('trainio.profile {pid, datasets, checkpoints} starts a session; the status bar shows "Stall N%"', async () => {
    // as a user would: the training script is open when profiling starts
    await vscode.window.showTextDocument(
      await vscode.workspace.openTextDocument(job.script),
      vscode.ViewColumn.One,
    );
    const file = await vscode.commands.executeCommand<string | undefined>('trainio.profile', {
      pid: job.pid,
      datasets: [job.dataset],
      checkpoints: [job.checkpoints],
    });
    const s0 = await state();
    assert.ok(file, `profile returned no session file (last error: ${s0.lastError})`);
    sessionFile = file;
    assert.equal(s0.sessions.length, 1);
    assert.equal(s0.sessions[0].live, true);
    assert.equal(s0.sessions[0].title, 'train_torch.py');
    const s = await until('a stall number in the status bar', async () => {
      const st = await state();
      return /Stall \d+%/.test(st.statusText) ? st : undefined;
    });
    log(`status bar: "${s.statusText}" (${s.status.background ?? 'no background'})`);
    assert.match(s.statusText, /^\$\(pulse\) Stall \d+%$/);
    assert.match(s.status.tooltip, /estimated, (high|medium|low) confidence/);
    const shown = Number(/Stall (\d+)%/.exec(s.statusText)![1]);
    const expected =
      shown >= 20
        ? 'statusBarItem.errorBackground'
        : shown >= 5
          ? 'statusBarItem.warningBackground'
          : undefined;
    assert.equal(s.status.background, expected, 'background from stallWarningPct (5) / stallErrorPct (20)');
    // the job reads slowly on purpose: its true stall is far above the 5 % warning threshold
    const truth = job.truth();
    assert.ok(truth.stallPct > 15, `the job's true stall so far is ${truth.stallPct.toFixed(1)} %`);
  });

  test('the panel opened beside the editor and received init, then live updates', async () => {
    const s = await until('init and two updates posted to the panel', async () => {
      const st = await state();
      return (st.postedCounts.init ?? 0) >= 1 && (st.postedCounts.update ?? 0) >= 2 ? st : undefined;
    });
    assert.equal(s.postedCounts.init, 1, 'one init, answering the one ready');
    assert.equal(s.panelOpen, true);
    assert.equal(s.panels[0].title, 'Training I/O — train_torch.py');
    assert.equal(s.panels[0].received[0], 'ready', 'the webview spoke first (ready handshake)');
    assert.equal(s.panels[0].visible, true);
    const tab = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find((t) => t.label === 'Training I/O — train_torch.py');
    assert.ok(tab, 'a tab with the panel title');
    assert.notEqual(tab.group.viewColumn, vscode.ViewColumn.One, 'opened beside, not over the editor');
  });

  test('CodeLenses appear in the training script on the DataLoader, torch.save and epoch-loop lines', async () => {
    const doc = await vscode.workspace.openTextDocument(job.script);
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const lineOf = (needle: string): number =>
      doc
        .getText()
        .split('\n')
        .findIndex((l) => l.includes(needle));
    const lenses = await until('a stall CodeLens', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        doc.uri,
        10,
      );
      return found.some((l) => /checkpoints? ·/.test(l.command?.title ?? '')) ? found : undefined;
    });
    const at = (line: number): string | undefined =>
      lenses.find((l) => l.range.start.line === line)?.command?.title;
    log(`DataLoader lens: "${at(lineOf('loader = DataLoader('))}"`);
    assert.match(at(lineOf('loader = DataLoader(')) ?? '', /^Stall \d+% \(estimated\) · num_workers=2/);
    assert.match(at(lineOf('torch.save(')) ?? '', /^\d+ checkpoints? · [\d.]+ [kMG]?B · [\d.]+ m?s lost$/);
    assert.match(at(lineOf('for epoch in range(')) ?? '', /^\d+ epochs?/);
    const loaderLens = lenses.find((l) => l.range.start.line === lineOf('loader = DataLoader('))!;
    assert.equal(loaderLens.command?.command, 'trainio.revealInPanel');

    // clicking the lens opens the panel at its section
    const before = (await state()).postedCounts.reveal ?? 0;
    await vscode.commands.executeCommand(
      loaderLens.command!.command,
      ...(loaderLens.command!.arguments ?? []),
    );
    await until(
      'a reveal message',
      async () => ((await state()).postedCounts.reveal ?? 0) > before || undefined,
    );

    // hovering the DataLoader line explains the number
    const position = new vscode.Position(lineOf('loader = DataLoader('), 8);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      doc.uri,
      position,
    );
    const hoverText = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    assert.match(hoverText, /Data stall [\d.]+% — estimated, (high|medium|low) confidence/);
    assert.match(hoverText, /num\\_workers=2 · pin\\_memory=False/);
  });

  test('trainio.stop ends the session; numbers match the ground truth; the file reloads identically', async () => {
    // one whole epoch between the one cut by attaching and the one cut by stopping, and a checkpoint
    await until('three epochs and a checkpoint', async () => {
      const live = (await state()).sessions[0];
      return live.epochs >= 3 && live.checkpoints >= 1 ? true : undefined;
    });
    const stopped = await vscode.commands.executeCommand<string | undefined>('trainio.stop');
    assert.equal(stopped, sessionFile);
    const s = await state();
    assert.equal(s.sessions[0].live, false);
    assert.match(s.statusText, /Stall \d+% · ended$/, 'the final value stays in the status bar');
    assert.ok(existsSync(sessionFile), 'the session file exists');
    finalReport = await loadSession(sessionFile);
    assert.equal(finalReport.ended?.reason, 'stopped');

    const fromT = Date.parse(finalReport.startedAt) / 1000;
    const truth = truthWithin(job.truth(), fromT, fromT + finalReport.durationS);
    const pct = finalReport.dataStall.pct ?? NaN;
    log(
      `session: stall ${pct.toFixed(1)} % (${finalReport.dataStall.method}) vs truth ${truth.stallPct.toFixed(1)} %`,
    );
    log(
      `checkpoints ${finalReport.checkpoints.length} vs truth ${truth.checkpoints}; epochs ${finalReport.epochs.length} vs ${truth.epochs}`,
    );
    // attach mode estimates from outside; measured bias is a few points low (see the stall notes)
    assert.ok(
      Math.abs(pct - truth.stallPct) <= 15,
      `stall ${pct} vs truth ${truth.stallPct} (tolerance 15 points)`,
    );
    assert.ok(
      Math.abs(finalReport.checkpoints.length - truth.checkpoints) <= 1,
      'checkpoints ±1 (window edges)',
    );
    // the epoch already running when profiling started counts on both sides; ±1 for a boundary
    // at the very edge of the window (seen by one side only)
    assert.ok(Math.abs(finalReport.epochs.length - truth.epochs) <= 1, 'epochs ±1 (window edges)');
    const live = s.sessions[0];
    assert.ok(Math.abs((live.stallPct ?? NaN) - pct) < 0.05, `reloaded ${pct} vs live ${live.stallPct}`);
    assert.equal(live.checkpoints, finalReport.checkpoints.length, 'the file reloads the same checkpoints');
    assert.equal(live.epochs, finalReport.epochs.length, 'the file reloads the same epochs');
    const status = Number(/Stall (\d+)%/.exec(s.statusText)![1]);
    assert.equal(status, Math.round(pct), 'the status bar shows the session value once ended');

    const doc = await vscode.workspace.openTextDocument(job.script);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
      'vscode.executeCodeLensProvider',
      doc.uri,
      10,
    );
    const titles = lenses.map((l) => l.command?.title ?? '');
    // train_torch.py reads each file whole, once per epoch: the truth is 1.00× per epoch
    const epochLens = titles.find((t) => /^\d+ epochs?/.test(t)) ?? '';
    log(`epoch lens: "${epochLens}"; per epoch ${finalReport.epochs.map((e) => e.rereadFactor).join(', ')}`);
    const coverage = Number(/epoch coverage (\d+)%/.exec(epochLens)?.[1]) / 100;
    assert.ok(
      Math.abs(coverage - 1) <= 0.1,
      `epoch coverage ${coverage} vs truth 1.00 per epoch (tolerance 0.1)`,
    );
    const save = titles.find((t) => t.includes('checkpoint')) ?? '';
    const [, count, size, unit] = /^(\d+) checkpoints? · ([\d.]+) ([kMG]?B)/.exec(save) ?? [];
    const lensBytes = Number(size) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[unit as 'B'];
    log(
      `torch.save lens: "${save}"; truth ${truth.checkpoints} saves, ${(truth.ckptBytes / 1e6).toFixed(1)} MB`,
    );
    assert.equal(Number(count), finalReport.checkpoints.length);
    const perSave = truth.checkpoints ? truth.ckptBytes / truth.checkpoints : 0;
    assert.ok(
      Math.abs(lensBytes - truth.ckptBytes) <= 0.01 * truth.ckptBytes + perSave,
      `lens ${lensBytes} B vs truth ${truth.ckptBytes} B (1 % rounding + one save at the window edge)`,
    );
  });

  test('the panel got "ended"; export writes a JSON report equal to the session', async () => {
    const s = await until('ended posted to the panel', async () => {
      const st = await state();
      return st.lastPostedMessageTypes.includes('ended') ? st : undefined;
    });
    assert.equal(s.lastPostedMessageTypes.at(-1), 'ended');
    const outFile = join(exportDir, 'session.json');
    const written = await vscode.commands.executeCommand<string | undefined>('trainio.exportReport', {
      format: 'json',
      outFile,
    });
    assert.equal(written, outFile);
    const json = JSON.parse(readFileSync(outFile, 'utf8')) as SessionReport;
    assert.equal(json.schema, 'trainio.session/1');
    assert.equal(json.target.pid, job.pid);
    assert.equal(json.checkpoints.length, finalReport.checkpoints.length);

    // a session file opened later is shown exactly like the live one was
    const copy = join(exportDir, 'copy.trainio.jsonl');
    copyFileSync(sessionFile, copy);
    const opened = await vscode.commands.executeCommand<string | undefined>('trainio.openSession', {
      sessionFile: copy,
    });
    assert.equal(opened, copy);
    const after = await until('the reopened session in its own panel', async () => {
      const st = await state();
      const panel = st.panels.find((p) => p.sessionFile === copy);
      return panel?.postedCounts.init ? st : undefined;
    });
    const reopened = after.sessions.find((x) => x.file === copy)!;
    assert.equal(reopened.live, false);
    assert.equal(reopened.current, true);
    assert.ok(Math.abs((reopened.stallPct ?? NaN) - (finalReport.dataStall.pct ?? NaN)) < 0.05);
  });
});
