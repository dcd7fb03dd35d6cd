/**
 * CodeLenses above the DataLoader, torch.save and epoch-loop lines of a profiled script; a click
 * opens the panel at the matching section.
 */
import * as vscode from 'vscode';
import type { ScriptAnnotator } from './scriptAnnotator';

export const REVEAL_COMMAND = 'trainio.revealInPanel';

export class ScriptLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly annotator: ScriptAnnotator) {
    this.subscription = annotator.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const found = this.annotator.annotate(document);
    if (!found) return [];
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

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
