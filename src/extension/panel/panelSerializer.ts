/**
 * Brings panels back after a window reload. The state kept by the webview is only the session file
 * (`PanelState`); the report is read again from that file.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { PanelState } from '../../shared/protocol';
import type { ProfiledSession } from '../sessions/profiledSession';
import { PANEL_VIEW_TYPE, webviewOptions } from './html';
import type { SessionPanels } from './sessionPanels';

function isPanelState(x: unknown): x is PanelState {
  return typeof x === 'object' && x !== null && typeof (x as PanelState).sessionFile === 'string';
}

export function registerPanelSerializer(
  extensionUri: vscode.Uri,
  panels: SessionPanels,
  openSessionFile: (file: string) => Promise<ProfiledSession>,
): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
      panel.webview.options = webviewOptions(extensionUri);
      if (!isPanelState(state) || !existsSync(state.sessionFile)) {
        panel.dispose();
        return;
      }
      try {
        panels.restore(panel, await openSessionFile(state.sessionFile));
      } catch (e) {
        panel.dispose();
        void vscode.window.showWarningMessage(
          `Training I/O: cannot reopen ${state.sessionFile}: ${(e as Error).message}`,
        );
      }
    },
  });
}
