/**
 * Hovering a DataLoader / torch.save / epoch-loop line of a profiled script shows the numbers behind
 * its CodeLens, with a link to the panel section.
 */
import * as vscode from 'vscode';
import { escapeMarkdown } from '../markdownText';
import { REVEAL_COMMAND } from './scriptLenses';
import type { ScriptAnnotator } from './scriptAnnotator';

export class ScriptHoverProvider implements vscode.HoverProvider {
  constructor(private readonly annotator: ScriptAnnotator) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const found = this.annotator.annotate(document);
    const annotation = found?.annotations.find((a) => a.line === position.line + 1);
    if (!found || !annotation) return undefined;
    const args = encodeURIComponent(
      JSON.stringify([{ sessionFile: found.session.file, section: annotation.section }]),
    );
    const md = new vscode.MarkdownString();
    md.appendMarkdown(
      `**Training I/O — ${escapeMarkdown(found.session.title)}**${found.session.live ? ' (recording)' : ''}\n\n`,
    );
    md.appendMarkdown(`${escapeMarkdown(annotation.title)}\n\n`);
    for (const d of annotation.details) md.appendMarkdown(`- ${escapeMarkdown(d)}\n`);
    md.appendMarkdown('\n');
    md.appendMarkdown(`[Open in panel](command:${REVEAL_COMMAND}?${args})`);
    md.isTrusted = { enabledCommands: [REVEAL_COMMAND] };
    return new vscode.Hover(md, document.lineAt(position.line).range);
  }
}
