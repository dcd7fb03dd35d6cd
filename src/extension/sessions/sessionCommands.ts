/**
 * Commands on sessions: stop one, export its report (then open it in the browser or reveal it),
 * reopen a session file, delete one, show its panel. Each accepts an optional argument
 * (`{ sessionFile }`, which is also what a Sessions view row is) so it also runs without UI.
 */
import { rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, resolve as resolvePath } from 'node:path';
import * as vscode from 'vscode';
import { exportReport, type ReportFormat } from '../../core/report/index';
import type { SalvageNote } from '../../core/session/salvageLog';
import { loadSession } from '../../core/session/sessionReader';
import { isPanelSection, type PanelSection } from '../../shared/protocol';
import { factsOf, SavedSession, type ProfiledSession } from './profiledSession';
import type { SessionList } from './sessionList';
import { newestFirst, readablePath, sessionName } from './sessionNames';
import type { ReportOpener } from './reportOpener';

export interface SessionRef {
  sessionFile?: string;
}

export interface ExportArgs extends SessionRef {
  format?: ReportFormat;
  outFile?: string;
  /** open the written report (the browser for HTML) without asking */
  open?: boolean;
}

export interface SessionCommandDeps {
  showPanel: (session: ProfiledSession, section?: PanelSection) => void;
  closePanel: (session: ProfiledSession) => void;
  /** where new sessions are recorded */
  sessionsDir: () => vscode.Uri;
  opener: ReportOpener;
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
  private readonly showPanel: SessionCommandDeps['showPanel'];

  constructor(
    private readonly sessions: SessionList,
    private readonly deps: SessionCommandDeps,
  ) {
    this.showPanel = deps.showPanel;
  }

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
    const dir = this.deps.sessionsDir().fsPath;
    const rows = newestFirst(
      candidates.map((session) => ({ ...factsOf(session), session })),
      (f) => resolvePath(f),
    );
    const picked = await vscode.window.showQuickPick(
      rows.map((row) => ({
        ...sessionName(row),
        detail: readablePath(row.file, homedir(), dir),
        session: row.session,
      })),
      { title: 'Which session?', placeHolder: 'Newest first', matchOnDescription: true },
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
        title: 'Open a recorded session',
        defaultUri: this.deps.sessionsDir(),
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
    const written = outFile;
    if (args.open) await this.openReport(written, format);
    else if (!args.outFile) {
      void vscode.window
        .showInformationMessage(`Training I/O: exported ${basename(written)}`, 'Open', 'Reveal')
        .then((choice) => {
          if (choice === 'Open') void this.openReport(written, format);
          if (choice === 'Reveal') void this.revealFile(written);
        });
    }
    return written;
  }

  /** HTML in the browser (not its source in an editor); the other formats in an editor */
  private async openReport(file: string, format: ReportFormat): Promise<void> {
    if (format === 'html') await this.deps.opener.open(file);
    else await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
  }

  private async revealFile(file: string): Promise<void> {
    const uri = vscode.Uri.file(file);
    const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
    const local = vscode.env.remoteName === undefined && vscode.env.uiKind === vscode.UIKind.Desktop;
    await vscode.commands.executeCommand(local || !inWorkspace ? 'revealFileInOS' : 'revealInExplorer', uri);
  }

  /** Deletes a session's file (after asking, unless told `{ sessionFile, confirmed: true }`). */
  async deleteSession(arg?: unknown): Promise<string | undefined> {
    const named = sessionFileOf(arg);
    // a file named by a Sessions view row is not read just to be deleted
    const session = named ? this.sessions.byFile(named) : await this.resolve(arg, (s) => !s.live);
    const file = named ?? session?.file;
    if (!file) return undefined;
    if (session?.live) {
      void vscode.window.showWarningMessage('Training I/O: stop this session before deleting it.');
      return undefined;
    }
    if ((arg as { confirmed?: unknown } | undefined)?.confirmed !== true) {
      const name = session ? sessionName(factsOf(session)) : { label: basename(file), description: '' };
      const choice = await vscode.window.showWarningMessage(
        `Delete the session ${name.label}${name.description ? ` (${name.description})` : ''}?`,
        { modal: true, detail: `${file} is removed.` },
        'Delete',
      );
      if (choice !== 'Delete') return undefined;
    }
    if (session) {
      this.deps.closePanel(session);
      this.sessions.remove(session);
    }
    rmSync(file, { force: true });
    this.sessions.filesChanged();
    return file;
  }
}
