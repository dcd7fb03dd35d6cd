/**
 * The "Training I/O Sessions" view in the explorer: the sessions of this window and the files in the
 * sessions folder, one row each, newest first, named by script, start, duration and stall. A row is
 * `{ sessionFile }`, so the open / export / delete commands take it as their argument.
 */
import { homedir } from 'node:os';
import { basename, resolve } from 'node:path';
import * as vscode from 'vscode';
import { peekSessionsIn, type SessionPeek } from '../../core/session/sessionPeek';
import { factsOf } from './profiledSession';
import type { SessionList } from './sessionList';
import { newestFirst, readablePath, sessionName, type SessionFacts } from './sessionNames';

export const SESSIONS_VIEW_ID = 'trainio.sessions';

export interface SessionRow {
  sessionFile: string;
  facts: SessionFacts;
}

const REFRESH_MS = 2000;

function scriptOf(command: string[], pid: number): string {
  const script = command.find((a) => a.endsWith('.py'));
  return script ? basename(script) : command[0] ? basename(command[0]) : `PID ${pid}`;
}

function factsOfFile(p: SessionPeek): SessionFacts {
  return {
    file: p.file,
    script: scriptOf(p.command, p.pid),
    startedAt: new Date(p.startedAtMs).toISOString(),
    // a file with no end yet (written still, or cut off): as far as its records reach
    durationS: p.durationS ?? p.recordedS,
    live: false,
  };
}

export class SessionsView implements vscode.TreeDataProvider<SessionRow>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly store: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly sessions: SessionList,
    private readonly sessionsDir: () => vscode.Uri,
  ) {
    this.store.push(
      sessions.onDidChange(() => this.changed.fire()),
      // durations and stalls of live sessions move: a refresh every few seconds, not per report
      sessions.onDidUpdate(() => this.later()),
    );
  }

  private later(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire();
    }, REFRESH_MS);
  }

  /** the rows as listed: sessions of this window first (live ones are fresher than their files) */
  rows(): SessionRow[] {
    const open = this.sessions.all().map(factsOf);
    const onDisk = peekSessionsIn(this.sessionsDir().fsPath).map(factsOfFile);
    return newestFirst([...open, ...onDisk], (f) => resolve(f)).map((facts) => ({
      sessionFile: facts.file,
      facts,
    }));
  }

  getChildren(row?: SessionRow): SessionRow[] {
    return row ? [] : this.rows();
  }

  getTreeItem(row: SessionRow): vscode.TreeItem {
    const name = sessionName(row.facts);
    const item = new vscode.TreeItem(name.label, vscode.TreeItemCollapsibleState.None);
    item.description = name.description;
    item.tooltip = readablePath(row.sessionFile, homedir(), undefined);
    item.iconPath = new vscode.ThemeIcon(row.facts.live ? 'pulse' : 'graph-line');
    item.contextValue = row.facts.live ? 'trainio.session.live' : 'trainio.session';
    item.command = {
      command: 'trainio.openSession',
      title: 'Open',
      arguments: [{ sessionFile: row.sessionFile }],
    };
    return item;
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const d of this.store) d.dispose();
    this.changed.dispose();
  }
}
