/**
 * `trainio.getState` — an internal, read-only command (not in the palette) that returns what the
 * user would see: status bar text, sessions, open panels and the messages posted to them. The
 * extension-host tests read it; it changes nothing.
 */
import type { HostToWebview, WebviewToHost } from '../shared/protocol';
import type { SessionPanels } from './panel/sessionPanels';
import type { SessionList } from './sessions/sessionList';
import type { SessionFacts } from './sessions/sessionNames';
import type { StallStatusItem, StatusSnapshot } from './statusBar/stallStatusItem';

export const GET_STATE_COMMAND = 'trainio.getState';

export interface ExtensionState {
  status: StatusSnapshot;
  /** shortcut for status.text */
  statusText: string;
  sessions: {
    file: string;
    title: string;
    live: boolean;
    current: boolean;
    stallPct: number | null;
    method: string;
    epochs: number;
    checkpoints: number;
  }[];
  panelOpen: boolean;
  panels: {
    sessionFile: string;
    title: string;
    visible: boolean;
    posted: HostToWebview['type'][];
    postedCounts: Partial<Record<HostToWebview['type'], number>>;
    received: WebviewToHost['type'][];
  }[];
  /** the last types posted to the current session's panel (or the last panel), oldest first */
  lastPostedMessageTypes: HostToWebview['type'][];
  /** how many messages of each type that panel got */
  postedCounts: Partial<Record<HostToWebview['type'], number>>;
  lastError?: string;
  /** the Sessions view's rows, as listed */
  sessionRows: SessionFacts[];
  /** the paths the browser fetched from the report opener (export → Open) */
  reportsServed: string[];
}

export interface ViewState {
  sessionRows: SessionFacts[];
  reportsServed: string[];
}

export function extensionState(
  sessions: SessionList,
  panels: SessionPanels,
  status: StallStatusItem,
  lastError: string | undefined,
  views: ViewState,
): ExtensionState {
  const open = panels.all();
  const currentPanel = open.find((p) => p.session === sessions.current) ?? open.at(-1);
  return {
    status: status.state(),
    statusText: status.state().text,
    sessions: sessions.all().map((s) => {
      const r = s.report();
      return {
        file: s.file,
        title: s.title,
        live: s.live,
        current: s === sessions.current,
        stallPct: r.dataStall.pct,
        method: r.dataStall.method,
        epochs: r.epochs.length,
        checkpoints: r.checkpoints.length,
      };
    }),
    panelOpen: open.length > 0,
    panels: open.map((p) => ({
      sessionFile: p.session.file,
      title: p.panel.title,
      visible: p.panel.visible,
      posted: [...p.posted],
      postedCounts: { ...p.postedCounts },
      received: [...p.received],
    })),
    lastPostedMessageTypes: currentPanel ? [...currentPanel.posted] : [],
    postedCounts: currentPanel ? { ...currentPanel.postedCounts } : {},
    lastError,
    ...views,
  };
}
