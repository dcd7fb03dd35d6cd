/**
 * The panel's entry point. In VS Code: listen, post `ready`, build the panel on `init`, then apply
 * `update`s (coalesced to one per animation frame), `ended` and `reveal`. In a static report: boot
 * from the embedded `init` message, with no host.
 */
import type { SessionReport } from '../../src/shared/model.js';
import { assertNever, type HostToWebview, type PanelSection } from '../../src/shared/protocol.js';
import { el } from './dom.js';
import { connect, type HostConnection } from './hostConnection.js';
import { PanelView } from './panelView.js';

/** the element the panel draws into; the static HTML report provides one, VS Code's page need not */
const ROOT_ID = 'trainio-panel';

let connection: HostConnection | undefined;
let panel: PanelView | undefined;
let pendingReveal: PanelSection | undefined;
let pendingReport: SessionReport | undefined;
let frameRequested = false;

function root(): HTMLElement {
  const existing = document.getElementById(ROOT_ID);
  if (existing) {
    existing.classList.add('panel');
    return existing;
  }
  const created = el('main', { id: ROOT_ID, className: 'panel' });
  document.body.appendChild(created);
  return created;
}

function showProblem(text: string): void {
  root().replaceChildren(el('p', { className: 'panel-message', text, attrs: { role: 'alert' } }));
}

/** applies the newest report once per frame: a burst of updates costs one render */
function scheduleUpdate(report: SessionReport): void {
  pendingReport = report;
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    const next = pendingReport;
    pendingReport = undefined;
    if (next) panel?.update(next);
  });
}

function receive(message: HostToWebview): void {
  switch (message.type) {
    case 'init': {
      if (!connection) return;
      if (message.state) connection.saveState(message.state);
      // a static report is never live, whatever the embedded message says
      const live = message.live && connection.interactive;
      // another session takes over this panel: it starts at its top, not where the last one was read
      if (panel) window.scrollTo(0, 0);
      panel?.dispose();
      panel = new PanelView(root(), connection, {
        title: message.title,
        thresholds: message.thresholds,
        live,
      });
      pendingReport = undefined;
      panel.update(message.report);
      if (pendingReveal) panel.reveal(pendingReveal);
      pendingReveal = undefined;
      break;
    }
    case 'update':
      if (panel) scheduleUpdate(message.report);
      break;
    case 'ended':
      pendingReport = undefined;
      panel?.end(message.report);
      break;
    case 'reveal':
      if (panel) panel.reveal(message.section);
      else pendingReveal = message.section;
      break;
    default:
      assertNever(message);
  }
}

function safely(message: HostToWebview): void {
  try {
    receive(message);
  } catch (e) {
    showProblem(`trainio could not show this session: ${(e as Error).message}`);
    throw e;
  }
}

function boot(): void {
  const booted = connect(safely);
  switch (booted.kind) {
    case 'vscode':
      connection = booted.connection;
      if (!panel)
        root().replaceChildren(el('p', { className: 'panel-message', text: 'Waiting for the session…' }));
      break;
    case 'static':
      connection = booted.connection;
      safely(booted.init);
      break;
    case 'none':
      showProblem(`trainio: ${booted.reason}`);
      break;
    default:
      assertNever(booted);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
else boot();
