/**
 * Marks the DataLoader line of a profiled script when its data stall crosses the warning or error
 * threshold: a tinted line and a mark in the overview ruler, so it stands out while scrolling.
 */
import * as vscode from 'vscode';
import type { AnnotationLevel } from '../../core/script/scriptAnnotations';
import type { ScriptAnnotator } from './scriptAnnotator';

function decoration(level: Exclude<AnnotationLevel, 'ok'>): vscode.TextEditorDecorationType {
  const color = level === 'error' ? 'editorError.foreground' : 'editorWarning.foreground';
  return vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor(
      level === 'error' ? 'inputValidation.errorBackground' : 'inputValidation.warningBackground',
    ),
    overviewRulerColor: new vscode.ThemeColor(color),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  });
}

export class ScriptDecorations implements vscode.Disposable {
  private readonly types = { warning: decoration('warning'), error: decoration('error') };
  private readonly store: vscode.Disposable[] = [];

  constructor(private readonly annotator: ScriptAnnotator) {
    this.store.push(
      annotator.onDidChange(() => this.renderAll()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.renderAll()),
    );
    this.renderAll();
  }

  private renderAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.render(editor);
  }

  private render(editor: vscode.TextEditor): void {
    if (editor.document.languageId !== 'python') return;
    const annotations = this.annotator.annotate(editor.document)?.annotations ?? [];
    for (const level of ['warning', 'error'] as const) {
      const ranges = annotations
        .filter((a) => a.kind === 'loader' && a.level === level && a.line <= editor.document.lineCount)
        .map((a) => editor.document.lineAt(a.line - 1).range);
      editor.setDecorations(this.types[level], ranges);
    }
  }

  dispose(): void {
    for (const d of this.store) d.dispose();
    this.types.warning.dispose();
    this.types.error.dispose();
  }
}
