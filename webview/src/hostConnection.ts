/**
 * Where the panel's messages come from: the VS Code webview host (`acquireVsCodeApi`), or — in a
 * static HTML report — the `init` message embedded in the page. Same panel code either way.
 */
import {
  EMBEDDED_INIT_ID,
  type HostToWebview,
  type PanelState,
  type WebviewToHost,
} from '../../src/shared/protocol.js';
import { isHostToWebview } from './hostMessages.js';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  setState(state: PanelState): void;
  getState(): PanelState | undefined;
}

export interface HostConnection {
  /** false in a static report: nothing can be sent, buttons and links that need a host are hidden */
  readonly interactive: boolean;
  post(message: WebviewToHost): void;
  saveState(state: PanelState): void;
}

type Receive = (message: HostToWebview) => void;

export type Boot =
  | { kind: 'vscode'; connection: HostConnection }
  | { kind: 'static'; connection: HostConnection; init: HostToWebview }
  | { kind: 'none'; reason: string };

function vscodeApi(): VsCodeApi | undefined {
  const acquire = (globalThis as { acquireVsCodeApi?: () => VsCodeApi }).acquireVsCodeApi;
  return typeof acquire === 'function' ? acquire() : undefined;
}

function embeddedInit(): HostToWebview | string {
  const node = document.getElementById(EMBEDDED_INIT_ID);
  if (!node) return `no host and no embedded session (#${EMBEDDED_INIT_ID})`;
  try {
    const message: unknown = JSON.parse(node.textContent ?? '');
    return isHostToWebview(message) && message.type === 'init'
      ? message
      : 'the embedded session is not an init message';
  } catch (e) {
    return `the embedded session is not valid JSON: ${(e as Error).message}`;
  }
}

const offline: HostConnection = { interactive: false, post: () => undefined, saveState: () => undefined };

/**
 * Connects to the host and starts listening. In VS Code, `ready` is posted only after the listener
 * is in place, so the host's `init` cannot be missed.
 */
export function connect(receive: Receive): Boot {
  const api = vscodeApi();
  if (api) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (isHostToWebview(event.data)) receive(event.data);
    });
    const connection: HostConnection = {
      interactive: true,
      post: (message) => api.postMessage(message),
      saveState: (state) => api.setState(state),
    };
    connection.post({ type: 'ready' });
    return { kind: 'vscode', connection };
  }
  const init = embeddedInit();
  if (typeof init === 'string') return { kind: 'none', reason: init };
  return { kind: 'static', connection: offline, init };
}
