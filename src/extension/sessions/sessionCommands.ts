/**
 * Commands on sessions: stop one, export its report, reopen a session file, show its panel.
 * Each accepts an optional argument so it also runs without UI.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { exportReport, type ReportFormat } from '../../core/report/index';
import type { SalvageNote } from '../../core/session/salvageLog';
import { loadSession } from '../../core/session/sessionReader';
import { isPanelSection, type PanelSection } from '../../shared/protocol';
import { SavedSession, type ProfiledSession } from './profiledSession';
import type { SessionList } from './sessionList';

export interface SessionRef {
  sessionFile?: string;
}

export interface ExportArgs extends SessionRef {
  format?: ReportFormat;
  outFile?: string;
}

export interface RevealArgs extends SessionRef {
  section?: PanelSection;
}

/** Save-dialog filters; the chosen name's ending picks the format. */
const FILTERS: Record<string, string[]> = {
  'HTML report': ['html'],
  Markdown: ['md'],
  'CSV (time series)': ['csv'],
  'JSON (trainio.session/1)': ['json'],
  'Trace (Perfetto, chrome://tracing)': ['trace.json'],
};

export function formatForFile(file: string): ReportFormat | undefined {
  if (/\.trace\.json$/i.test(file)) return 'trace';
  const ext = /\.([a-z]+)$/i.exec(file)?.[1].toLowerCase();
  return ext === 'html' || ext === 'md' || ext === 'csv' || ext === 'json' ? ext : undefined;
}

function sessionFileOf(arg: unknown): string | undefined {
  const file = (arg as SessionRef | undefined)?.sessionFile;
  return typeof file === 'string' ? file : undefined;
}

export class SessionCommands {
  constructor(
    private readonly sessions: SessionList,
    private readonly showPanel: (session: ProfiledSession, section?: PanelSection) => void,
  ) {}

  /** The session an argument names, else the current one, else asks among several. */
  private async resolve(
    arg: unknown,
    filter: (s: ProfiledSession) => boolean = () => true,
  ): Promise<ProfiledSession | undefined> {
    const file = sessionFileOf(arg);
    if (file) return this.sessions.byFile(file) ?? this.open(file);
    const candidates = this.sessions.all().filter(filter);
    const current = this.sessions.current;
    if (current && filter(current) && candidates.length <= 1) return current;
    if (candidates.length <= 1) return candidates[0];
    const picked = await vscode.window.showQuickPick(
      candidates.map((s) => ({
        label: s.title,
        description: s.live ? 'recording' : 'ended',
        detail: s.file,
        session: s,
      })),
      { title: 'Which session?' },
    );
    return picked?.session;
  }

  /** Reopens a session file (or finds it among the open sessions) and makes it current. */
  async open(file: string): Promise<ProfiledSession> {
    const known = this.sessions.byFile(file);
    if (known) return known;
    // damaged lines are skipped and listed in the panel's notes; say so once when the file opens
    const onSkipped = (notes: SalvageNote[]): void => {
      void vscode.window.showWarningMessage(`Training I/O: ${basename(file)}: ${notes[0].message}`);
    };
    return this.sessions.add(new SavedSession(file, await loadSession(file, { onSkipped })));
  }

  async stop(arg?: unknown): Promise<string | undefined> {
    const session = await this.resolve(arg, (s) => s.live);
    if (!session?.live) return undefined;
    await session.stop();
    return session.file;
  }

  async showPanelCommand(arg?: unknown): Promise<void> {
    const session = await this.resolve(arg);
    if (!session) {
      void vscode.window.showInformationMessage(
        'Training I/O: no session yet — run "Profile Training I/O" first.',
      );
      return;
    }
    this.sessions.setCurrent(session);
    this.showPanel(session);
  }

  async reveal(arg?: unknown): Promise<void> {
    const session = await this.resolve(arg);
    const section = (arg as RevealArgs | undefined)?.section;
    if (session) this.showPanel(session, isPanelSection(section) ? section : undefined);
  }

  async openSessionFile(arg?: unknown): Promise<string | undefined> {
    let file = sessionFileOf(arg);
    if (!file) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: 'Open session',
        filters: { 'trainio sessions': ['jsonl'], 'All files': ['*'] },
      });
      file = picked?.[0]?.fsPath;
    }
    if (!file) return undefined;
    const session = await this.open(file);
    this.showPanel(session);
    return session.file;
  }

  async exportSession(arg?: unknown): Promise<string | undefined> {
    const session = await this.resolve(arg);
    if (!session) return undefined;
    const args = (arg ?? {}) as ExportArgs;
    let outFile = args.outFile;
    if (!outFile) {
      const base = basename(session.file).replace(/\.trainio\.jsonl$|\.jsonl$/, '');
      const picked = await vscode.window.showSaveDialog({
        title: `Export session report — ${session.title}`,
        saveLabel: 'Export',
        filters: FILTERS,
        defaultUri: vscode.Uri.joinPath(
          vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(process.cwd()),
          `${base}.html`,
        ),
      });
      outFile = picked?.fsPath;
    }
    if (!outFile) return undefined;
    const format = args.format ?? formatForFile(outFile);
    if (!format) {
      void vscode.window.showErrorMessage(
        `Training I/O: pick a file ending in .html, .md, .csv, .json or .trace.json`,
      );
      return undefined;
    }
    await exportReport(format, [session.report()], outFile);
    if (!args.outFile) {
      void vscode.window
        .showInformationMessage(`Training I/O: exported ${basename(outFile)}`, 'Open')
        .then((choice) => {
          if (choice === 'Open') void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(outFile));
        });
    }
    return outFile;
  }
}
