/**
 * Which session speaks about a Python document, and what it says there: parses the document (cached
 * per version), finds the current session if it ran this file (else the newest one that did) and
 * asks core for the annotations. Fires `onDidChange` at most once a second while reports arrive.
 */
import * as vscode from 'vscode';
import { annotateScript, sessionRanFile, type ScriptAnnotation } from '../../core/script/scriptAnnotations';
import { parseTrainingScript, type TrainingScript } from '../../core/script/trainingScript';
import type { Thresholds } from '../../shared/protocol';
import type { ProfiledSession } from '../sessions/profiledSession';
import type { SessionList } from '../sessions/sessionList';

const REFRESH_MS = 1000;

export interface DocumentAnnotations {
  session: ProfiledSession;
  annotations: ScriptAnnotation[];
}

export class ScriptAnnotator implements vscode.Disposable {
  private readonly parsed = new Map<string, { version: number; script: TrainingScript }>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly store: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly sessions: SessionList,
    private readonly thresholds: () => Thresholds,
  ) {
    this.store.push(
      sessions.onDidChange(() => this.changed.fire()),
      sessions.onDidUpdate(() => this.scheduleRefresh()),
      vscode.workspace.onDidCloseTextDocument((d) => this.parsed.delete(d.uri.toString())),
    );
  }

  private scheduleRefresh(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire();
    }, REFRESH_MS);
  }

  script(document: vscode.TextDocument): TrainingScript {
    const key = document.uri.toString();
    const cached = this.parsed.get(key);
    if (cached && cached.version === document.version) return cached.script;
    const script = parseTrainingScript(document.getText());
    this.parsed.set(key, { version: document.version, script });
    return script;
  }

  /** The session that ran this file: the current one first, then the newest. */
  sessionFor(document: vscode.TextDocument): ProfiledSession | undefined {
    if (document.uri.scheme !== 'file') return undefined;
    const file = document.uri.fsPath;
    const current = this.sessions.current;
    const candidates = current
      ? [current, ...[...this.sessions.all()].reverse()]
      : [...this.sessions.all()].reverse();
    return candidates.find((s) => sessionRanFile(s.report(), file));
  }

  annotate(document: vscode.TextDocument): DocumentAnnotations | undefined {
    const session = this.sessionFor(document);
    if (!session) return undefined;
    const annotations = annotateScript(
      this.script(document),
      session.report(),
      document.uri.fsPath,
      this.thresholds(),
    );
    return { session, annotations };
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const d of this.store) d.dispose();
    this.changed.dispose();
  }
}
