/**
 * The open panels, one per session: showing a session's panel reveals the one already open.
 */
import * as vscode from 'vscode';
import type { PanelSection } from '../../shared/protocol';
import type { ProfiledSession } from '../sessions/profiledSession';
import { PanelHost, type PanelActions } from './panelHost';

export class SessionPanels implements vscode.Disposable {
  private readonly panels = new Map<string, PanelHost>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly actions: PanelActions,
  ) {}

  show(session: ProfiledSession, section?: PanelSection): PanelHost {
    const open = this.panels.get(session.file);
    if (open) {
      open.reveal(section);
      return open;
    }
    return this.track(PanelHost.open(this.extensionUri, session, this.actions, section));
  }

  restore(panel: vscode.WebviewPanel, session: ProfiledSession): PanelHost {
    this.panels.get(session.file)?.dispose();
    return this.track(PanelHost.restore(panel, this.extensionUri, session, this.actions));
  }

  /** Closes the panel of a session, if one is open. */
  close(session: ProfiledSession): void {
    this.panels.get(session.file)?.dispose();
  }

  all(): PanelHost[] {
    return [...this.panels.values()];
  }

  private track(host: PanelHost): PanelHost {
    this.panels.set(host.session.file, host);
    const sub = host.onDidDispose(() => {
      if (this.panels.get(host.session.file) === host) this.panels.delete(host.session.file);
      sub.dispose();
    });
    return host;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}
