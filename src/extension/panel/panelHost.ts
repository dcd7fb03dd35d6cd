/**
 * The host side of one live panel. Messages wait until the webview says `ready`, which is answered
 * with `init`; reports are then pushed at most every 250 ms and only while the panel is visible
 * (a hidden panel is brought up to date when it shows again). Every message from the webview is
 * validated, then handled in an exhaustive switch. A panel whose session ended can be handed a new
 * session (`switchTo`): it is re-initialised in place, so sessions do not pile up as tabs.
 */
import * as vscode from 'vscode';
import type { SessionReport } from '../../shared/model';
import {
  assertNever,
  isWebviewToHost,
  type HostToWebview,
  type PanelSection,
  type Thresholds,
  type WebviewToHost,
} from '../../shared/protocol';
import type { ProfiledSession } from '../sessions/profiledSession';
import { PANEL_VIEW_TYPE, panelHtml, panelOptions, webviewOptions } from './html';

const PUSH_INTERVAL_MS = 250;

export interface PanelActions {
  openSite(file: string, line: number): Promise<void>;
  exportSession(session: ProfiledSession): Promise<void>;
  stopSession(session: ProfiledSession): Promise<void>;
  moveSession(session: ProfiledSession): Promise<void>;
  thresholds(): Thresholds;
}

export function panelTitle(session: ProfiledSession): string {
  return `Training I/O — ${session.title}`;
}

export class PanelHost implements vscode.Disposable {
  private readonly store: vscode.Disposable[] = [];
  /** the listeners on the session shown now */
  private sessionStore: vscode.Disposable[] = [];
  private ready = false;
  private queue: HostToWebview[] = [];
  private dirty = false;
  private endedSent = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  /** the last 20 message types posted, oldest first, and how many of each so far (read by the test hook) */
  readonly posted: HostToWebview['type'][] = [];
  readonly postedCounts: Partial<Record<HostToWebview['type'], number>> = {};
  readonly received: WebviewToHost['type'][] = [];

  static open(
    extensionUri: vscode.Uri,
    session: ProfiledSession,
    actions: PanelActions,
    section?: PanelSection,
    viewColumn: vscode.ViewColumn = vscode.ViewColumn.Beside,
  ): PanelHost {
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      panelTitle(session),
      { viewColumn, preserveFocus: true },
      panelOptions(extensionUri),
    );
    const host = new PanelHost(panel, extensionUri, session, actions);
    if (section) host.reveal(section);
    return host;
  }

  /** For the serializer: a panel VS Code restored after a reload. */
  static restore(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    session: ProfiledSession,
    actions: PanelActions,
  ): PanelHost {
    panel.webview.options = webviewOptions(extensionUri);
    panel.title = panelTitle(session);
    return new PanelHost(panel, extensionUri, session, actions);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private current: ProfiledSession,
    private readonly actions: PanelActions,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    this.store.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.flush();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    this.listen(current);
    panel.webview.html = panelHtml(panel.webview, extensionUri, panelTitle(current));
  }

  get session(): ProfiledSession {
    return this.current;
  }

  private listen(session: ProfiledSession): void {
    for (const d of this.sessionStore.splice(0)) d.dispose();
    this.sessionStore = [
      session.onDidUpdate(() => this.markDirty()),
      session.onDidEnd(() => this.markDirty()),
    ];
  }

  /** Shows another session in this panel (one whose session ended): a fresh `init`, same tab. */
  switchTo(session: ProfiledSession): void {
    if (session === this.current) return;
    this.current = session;
    this.listen(session);
    this.panel.title = panelTitle(session);
    this.dirty = false;
    this.endedSent = !session.live;
    // before `ready` the page asks for its init itself
    if (this.ready) this.post(this.initMessage());
  }

  reveal(section?: PanelSection): void {
    this.panel.reveal(undefined, true);
    if (section) this.post({ type: 'reveal', section });
  }

  private post(message: HostToWebview): void {
    if (!this.ready) {
      this.queue.push(message);
      return;
    }
    this.posted.push(message.type);
    if (this.posted.length > 20) this.posted.shift();
    this.postedCounts[message.type] = (this.postedCounts[message.type] ?? 0) + 1;
    void this.panel.webview.postMessage(message);
  }

  private initMessage(): HostToWebview {
    const report = this.session.report();
    return {
      type: 'init',
      title: panelTitle(this.session),
      live: this.session.live,
      report,
      thresholds: this.actions.thresholds(),
      state: { sessionFile: this.session.file },
    };
  }

  private markDirty(): void {
    this.dirty = true;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, PUSH_INTERVAL_MS);
    }
  }

  /** Sends what changed since the last push, if the webview can show it now. */
  private flush(): void {
    if (!this.ready || !this.panel.visible || !this.dirty) return;
    this.dirty = false;
    const report: SessionReport = this.session.report();
    if (!this.session.live && !this.endedSent) {
      this.endedSent = true;
      this.post({ type: 'ended', report });
    } else if (this.session.live) {
      this.post({ type: 'update', report });
    }
  }

  private receive(raw: unknown): void {
    if (!isWebviewToHost(raw)) return;
    const message: WebviewToHost = raw;
    this.received.push(message.type);
    if (this.received.length > 20) this.received.shift();
    switch (message.type) {
      case 'ready': {
        // a fresh page (first load, or the webview was re-created after being hidden)
        this.ready = true;
        this.dirty = false;
        this.endedSent = !this.session.live;
        const pending = this.queue;
        this.queue = [];
        this.post(this.initMessage());
        for (const m of pending) this.post(m);
        return;
      }
      case 'openSite':
        void this.actions.openSite(message.site.file, message.site.line);
        return;
      case 'export':
        void this.actions.exportSession(this.session);
        return;
      case 'stop':
        void this.actions.stopSession(this.session);
        return;
      case 'moveSession':
        void this.actions.moveSession(this.session);
        return;
      default:
        assertNever(message);
    }
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const d of this.store.splice(0)) d.dispose();
    for (const d of this.sessionStore.splice(0)) d.dispose();
    this.panel.dispose();
    this.disposed.fire();
    this.disposed.dispose();
  }
}
