/**
 * The open panels, at most one per session: showing a session's panel reveals the one already open;
 * a new session takes over the panel of one that ended (the same tab) rather than opening another;
 * a panel that must be opened goes next to the other trainio panels, never into a third column.
 */
import * as vscode from 'vscode';
import type { PanelSection } from '../../shared/protocol';
import type { ProfiledSession } from '../sessions/profiledSession';
import { PanelHost, type PanelActions } from './panelHost';

export class SessionPanels implements vscode.Disposable {
  private readonly hosts = new Set<PanelHost>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly actions: PanelActions,
  ) {}

  private of(session: ProfiledSession): PanelHost | undefined {
    return [...this.hosts].find((h) => h.session === session || h.session.file === session.file);
  }

  show(session: ProfiledSession, section?: PanelSection): PanelHost {
    const open = this.of(session);
    if (open) {
      open.reveal(section);
      return open;
    }
    const ended = [...this.hosts].reverse().find((h) => !h.session.live);
    if (ended) {
      ended.switchTo(session);
      ended.reveal(section);
      return ended;
    }
    return this.track(PanelHost.open(this.extensionUri, session, this.actions, section, this.column()));
  }

  /** beside the editor, unless trainio panels are open (then with them) or the window is split already */
  private column(): vscode.ViewColumn {
    const existing = [...this.hosts].map((h) => h.panel.viewColumn).find((c) => c !== undefined);
    if (existing !== undefined) return existing;
    const groups = vscode.window.tabGroups.all;
    if (groups.length < 2) return vscode.ViewColumn.Beside;
    const active = vscode.window.tabGroups.activeTabGroup.viewColumn;
    return groups.find((g) => g.viewColumn !== active)?.viewColumn ?? vscode.ViewColumn.Beside;
  }

  restore(panel: vscode.WebviewPanel, session: ProfiledSession): PanelHost {
    this.of(session)?.dispose();
    return this.track(PanelHost.restore(panel, this.extensionUri, session, this.actions));
  }

  /** Closes the panel of a session, if one is open. */
  close(session: ProfiledSession): void {
    this.of(session)?.dispose();
  }

  all(): PanelHost[] {
    return [...this.hosts];
  }

  private track(host: PanelHost): PanelHost {
    this.hosts.add(host);
    const sub = host.onDidDispose(() => {
      this.hosts.delete(host);
      sub.dispose();
    });
    return host;
  }

  dispose(): void {
    for (const p of [...this.hosts]) p.dispose();
    this.hosts.clear();
  }
}
