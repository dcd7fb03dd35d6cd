/**
 * "Move Session…": when a live session's file stopped (disk full), the user picks another place
 * (a save dialog) and the session moves there — everything recorded so far, then the rest. Offered
 * in a warning notification the moment the file stops, and in the status bar's tooltip.
 */
import { basename, dirname } from 'node:path';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { fileStoppedWarning } from '../../shared/vocabulary';
import { LiveSession, type ProfiledSession } from './profiledSession';
import type { SessionList } from './sessionList';

export const MOVE_SESSION_COMMAND = 'trainio.moveSession';
const MOVE_ACTION = 'Move Session…';

export interface MoveArgs {
  sessionFile?: string;
  /** the new place, without asking (tests, automation) */
  to?: string;
}

/** Moves the session (the one named, else the current live one); returns where it is now. */
export async function moveSession(sessions: SessionList, arg?: unknown): Promise<string | undefined> {
  const args = (arg ?? {}) as MoveArgs;
  const named = typeof args.sessionFile === 'string' ? sessions.byFile(args.sessionFile) : undefined;
  const session = named ?? liveOne(sessions);
  if (!(session instanceof LiveSession) || !session.live) {
    void vscode.window.showInformationMessage('No session is recording: there is nothing to move.');
    return undefined;
  }
  const to = typeof args.to === 'string' ? args.to : await askWhere(session.file);
  if (!to) return undefined;
  const from = session.file;
  const result = await session.moveTo(to);
  if (result.moved) {
    void vscode.window.showInformationMessage(`Session moved to ${to}: it holds everything recorded so far.`);
    return to;
  }
  void vscode.window.showWarningMessage(
    `Could not move the session to ${to}: ${result.why}. It stays in ${from}.`,
  );
  return from;
}

function liveOne(sessions: SessionList): ProfiledSession | undefined {
  const current = sessions.current;
  if (current?.live) return current;
  return sessions.live().find((s) => fileStoppedWarning(s.report().notes)) ?? sessions.live()[0];
}

async function askWhere(file: string): Promise<string | undefined> {
  const uri = await vscode.window.showSaveDialog({
    title: 'Move the session to (another disk)',
    saveLabel: 'Move Here',
    defaultUri: vscode.Uri.file(`${homedir()}/${basename(file)}`),
    filters: { 'trainio session': ['jsonl'] },
  });
  if (!uri) return undefined;
  if (dirname(uri.fsPath) === dirname(file) && basename(uri.fsPath) === basename(file)) return undefined;
  return uri.fsPath;
}

/** Offers the move once per stop, in a notification, while a live session's file is stopped. */
export function offerMoveWhenStopped(sessions: SessionList): vscode.Disposable {
  const offered = new WeakMap<ProfiledSession, string>();
  return sessions.onDidUpdate(({ session, report }) => {
    const stopped = session.live ? fileStoppedWarning(report.notes) : undefined;
    if (!stopped || offered.get(session) === stopped) return;
    offered.set(session, stopped);
    void vscode.window.showWarningMessage(`trainio: ${stopped}`, MOVE_ACTION).then((pick) => {
      if (pick === MOVE_ACTION) void moveSession(sessions, { sessionFile: session.file });
    });
  });
}
