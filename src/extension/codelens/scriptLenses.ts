/**
 * CodeLenses in a Python file. In a profiled script: above the DataLoader, torch.save and
 * epoch-loop lines, what the session measured there (a click opens the panel at that section).
 * In a script no session has run yet that creates a DataLoader: an invitation above it, "Profile
 * this script", and "Attach to running job (PID n)" for each job running that file now.
 */
import * as vscode from 'vscode';
import type { ScriptJobs } from '../../core/target/scriptProcesses';
import type { ScriptAnnotator } from './scriptAnnotator';

export const REVEAL_COMMAND = 'trainio.revealInPanel';

export class ScriptLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly annotator: ScriptAnnotator,
    private readonly jobs: ScriptJobs,
  ) {
    this.subscription = annotator.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] | Promise<vscode.CodeLens[]> {
    const found = this.annotator.annotate(document);
    if (!found) return this.invitation(document);
    return found.annotations
      .filter((a) => a.line <= document.lineCount)
      .map((a) => {
        const line = document.lineAt(a.line - 1);
        const range = new vscode.Range(
          line.lineNumber,
          line.firstNonWhitespaceCharacterIndex,
          line.lineNumber,
          line.text.length,
        );
        return new vscode.CodeLens(range, {
          title: a.title,
          tooltip: a.details.join('\n'),
          command: REVEAL_COMMAND,
          arguments: [{ sessionFile: found.session.file, section: a.section }],
        });
      });
  }

  private async invitation(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (document.uri.scheme !== 'file') return [];
    const loader = this.annotator.script(document).loaders[0];
    if (!loader || loader.line > document.lineCount) return [];
    const range = document.lineAt(loader.line - 1).range;
    const lenses = [
      new vscode.CodeLens(range, {
        title: '$(pulse) Profile this script',
        tooltip: 'Launch this file with the trainio hook: exact data stall, epochs, checkpoints',
        command: 'trainio.launchActiveFile',
      }),
    ];
    for (const job of await this.jobs.running(document.uri.fsPath)) {
      const workers = job.workers ? ` · ${job.workers} worker${job.workers === 1 ? '' : 's'}` : '';
      lenses.push(
        new vscode.CodeLens(range, {
          title: `$(debug-alt) Attach to running job (PID ${job.pid})`,
          tooltip: `Profile the running job, PID ${job.pid}${workers}, without restarting it`,
          command: 'trainio.profile',
          arguments: [{ pid: job.pid }],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
