/**
 * The sessions of this window: several may record at once; the newest one is "current" (the one the
 * status bar shows) until another is added or picked. Keeps the `trainio.profiling` /
 * `trainio.hasSession` context keys that the command palette's `when` clauses read.
 */
import { resolve } from 'node:path';
import * as vscode from 'vscode';
import type { SessionReport } from '../../shared/model';
import type { ProfiledSession } from './profiledSession';

export class SessionList implements vscode.Disposable {
  private readonly sessions: ProfiledSession[] = [];
  private readonly listeners = new Map<ProfiledSession, vscode.Disposable[]>();
  private currentSession: ProfiledSession | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly updated = new vscode.EventEmitter<{ session: ProfiledSession; report: SessionReport }>();
  /** a session was added or removed, one ended, or the current one changed */
  readonly onDidChange = this.changed.event;
  /** any session has a new report */
  readonly onDidUpdate = this.updated.event;

  get current(): ProfiledSession | undefined {
    return this.currentSession;
  }

  all(): readonly ProfiledSession[] {
    return this.sessions;
  }

  live(): ProfiledSession[] {
    return this.sessions.filter((s) => s.live);
  }

  /** the session of a file, however its path is written (`./x`, `a/../x`) */
  byFile(file: string): ProfiledSession | undefined {
    const wanted = resolve(file);
    return this.sessions.find((s) => resolve(s.file) === wanted);
  }

  /** session files appeared or were deleted (the Sessions view lists them) */
  filesChanged(): void {
    this.changed.fire();
  }

  /** Adds a session (or finds the one already open for the same file) and makes it current. */
  add(session: ProfiledSession): ProfiledSession {
    const known = this.byFile(session.file);
    if (known) {
      if (known !== session) session.dispose();
      this.setCurrent(known);
      return known;
    }
    this.sessions.push(session);
    this.listeners.set(session, [
      session.onDidUpdate((report) => this.updated.fire({ session, report })),
      session.onDidEnd((report) => {
        this.updated.fire({ session, report });
        this.refresh();
      }),
    ]);
    this.currentSession = session;
    this.refresh();
    return session;
  }

  setCurrent(session: ProfiledSession): void {
    this.currentSession = session;
    this.refresh();
  }

  remove(session: ProfiledSession): void {
    const i = this.sessions.indexOf(session);
    if (i < 0) return;
    this.sessions.splice(i, 1);
    for (const d of this.listeners.get(session) ?? []) d.dispose();
    this.listeners.delete(session);
    session.dispose();
    if (this.currentSession === session) this.currentSession = this.live().pop() ?? this.sessions.at(-1);
    this.refresh();
  }

  private refresh(): void {
    void vscode.commands.executeCommand('setContext', 'trainio.profiling', this.live().length > 0);
    void vscode.commands.executeCommand('setContext', 'trainio.hasSession', this.sessions.length > 0);
    this.changed.fire();
  }

  dispose(): void {
    for (const s of [...this.sessions]) this.remove(s);
    this.changed.dispose();
    this.updated.dispose();
  }
}
