/**
 * The one protocol between the extension host and the panel webview (and the static HTML report,
 * which boots the same panel code from an embedded `init` message). Discriminated unions, handled
 * with an exhaustive switch and `assertNever` on both sides.
 */
import type { CallSite, SessionReport } from './model';

export type PanelSection = 'stall' | 'ranks' | 'throughput' | 'epochs' | 'checkpoints' | 'dataset' | 'advice';

/** What the serializer keeps across a window reload: ids only, data is reloaded from the file. */
export interface PanelState {
  sessionFile: string;
}

export interface Thresholds {
  warningPct: number;
  errorPct: number;
}

export type HostToWebview =
  | {
      type: 'init';
      title: string;
      live: boolean;
      report: SessionReport;
      thresholds: Thresholds;
      state?: PanelState;
    }
  | { type: 'update'; report: SessionReport }
  | { type: 'ended'; report: SessionReport }
  | { type: 'reveal'; section: PanelSection };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'openSite'; site: CallSite }
  | { type: 'export' }
  | { type: 'stop' }
  /** the session file stopped (disk full): move it to a place the user picks */
  | { type: 'moveSession' };

/** id of the `<script type="application/json">` element that carries the `init` message in a static report */
export const EMBEDDED_INIT_ID = 'trainio-init';

export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}

const SECTIONS: readonly string[] = [
  'stall',
  'ranks',
  'throughput',
  'epochs',
  'checkpoints',
  'dataset',
  'advice',
];

function isSite(x: unknown): x is CallSite {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  return typeof s.file === 'string' && typeof s.line === 'number' && Number.isInteger(s.line) && s.line > 0;
}

/** Validates every message that arrives from the webview. */
export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'export':
    case 'stop':
    case 'moveSession':
      return true;
    case 'openSite':
      return isSite(m.site);
    default:
      return false;
  }
}

export function isPanelSection(x: unknown): x is PanelSection {
  return typeof x === 'string' && SECTIONS.includes(x);
}
