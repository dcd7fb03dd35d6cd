/**
 * Serves the panel to a real Chromium the way VS Code shows it: a page with the webview's strict CSP
 * (fresh nonce from crypto.randomBytes), the bundle and stylesheet loaded from the page's
 * `cspSource`, VS Code's theme classes and CSS variables, and a host peer — the extension-host side
 * of the protocol, which the panel under test talks to — standing in for `acquireVsCodeApi`.
 * Also builds the static-report variant: panel inlined, `init` embedded, no host at all.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import type { HostToWebview, WebviewToHost } from '../../src/shared/protocol';
import { THEMES, type ThemeKind } from './vscodeThemes';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

export { rgbOf, THEMES, type ThemeKind } from './vscodeThemes';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export { CHROMIUM_ARGS, CHROMIUM_PATH };
export const PANEL_JS = join(REPO_ROOT, 'dist', 'webview', 'panel.js');
export const PANEL_CSS = join(REPO_ROOT, 'media', 'panel.css');

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/**
 * Builds the bundles with the project's esbuild.mjs when panel.js is missing or older than its
 * sources. esbuild.mjs stops at the first bundle that fails; when another bundle's failure kept
 * the panel from being written, the panel alone is built with the same options.
 */
export function ensureWebviewBuilt(): void {
  const sources = Math.max(
    newestMtime(join(REPO_ROOT, 'webview', 'src')),
    newestMtime(join(REPO_ROOT, 'src', 'shared')),
  );
  const fresh = () => existsSync(PANEL_JS) && statSync(PANEL_JS).mtimeMs >= sources;
  if (fresh()) return;
  const all = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (all.status === 0 || fresh()) return markBuilt();
  try {
    buildSync({
      entryPoints: [join(REPO_ROOT, 'webview', 'src', 'main.ts')],
      outfile: PANEL_JS,
      bundle: true,
      platform: 'browser',
      target: 'chrome114',
      format: 'iife',
      sourcemap: true,
      logLevel: 'silent',
    });
    markBuilt();
  } catch (e) {
    throw new Error(
      `the panel bundle could not be built: ${(e as Error).message}\n(esbuild.mjs said: ${all.stderr})`,
    );
  }
}

/** esbuild leaves an output untouched when its content did not change: date it now, so it counts as fresh */
function markBuilt(): void {
  const now = new Date();
  utimesSync(PANEL_JS, now, now);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

// ---------------------------------------------------------------------------------------------
// The host peer, in the page: records what the panel posts, delivers what the test sends, switches
// themes the way VS Code does, and notes CSP violations and uncaught errors.
// ---------------------------------------------------------------------------------------------

export interface HostPeerRecord {
  received: WebviewToHost[];
  state: unknown;
  violations: string[];
  errors: string[];
}

function hostPeerScript(theme: ThemeKind | null, withHost: boolean): string {
  return `(() => {
  const themes = ${JSON.stringify(THEMES)};
  const peer = { received: [], state: undefined, violations: [], errors: [] };
  window.__hostPeer = peer;
  document.addEventListener('securitypolicyviolation', (e) =>
    peer.violations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));
  window.addEventListener('error', (e) => peer.errors.push(String(e.message)));
  peer.setTheme = (kind) => {
    const t = themes[kind];
    const root = document.documentElement.style;
    for (const name of Object.values(themes).flatMap((x) => Object.keys(x.vars))) root.removeProperty(name);
    for (const [name, value] of Object.entries(t.vars)) root.setProperty(name, value);
    document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
    document.body.classList.add(t.bodyClass);
    document.body.setAttribute('data-vscode-theme-kind', t.bodyClass);
  };
  if (${JSON.stringify(theme)}) peer.setTheme(${JSON.stringify(theme)});
  peer.send = (message) => window.postMessage(message, '*');
  ${
    withHost
      ? `let acquired = false;
  const api = {
    postMessage: (m) => peer.received.push(JSON.parse(JSON.stringify(m))),
    setState: (s) => { peer.state = s; },
    getState: () => peer.state,
  };
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze(api);
  };`
      : ''
  }
})();`;
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface VsCodePageOptions {
  theme?: ThemeKind;
  /** false: a page with no CSP at all, to prove that hostile text cannot run even then */
  csp?: boolean;
}

/** the webview page as the extension's html.ts builds it, with the host peer in front of the panel */
export function vscodePanelHtml(cspSource: string, options: VsCodePageOptions = {}): string {
  const nonce = newNonce();
  const csp =
    `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource}; ` +
    `script-src 'nonce-${nonce}'; font-src ${cspSource};`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
${options.csp === false ? '' : `<meta http-equiv="Content-Security-Policy" content="${csp}">`}
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${cspSource}/media/panel.css">
<title>trainio</title>
</head>
<body>
<main id="trainio-panel" class="panel"></main>
<script nonce="${nonce}">${hostPeerScript(options.theme ?? 'dark', true)}</script>
<script nonce="${nonce}" src="${cspSource}/dist/webview/panel.js"></script>
</body>
</html>`;
}

/** JSON that cannot end its <script> element early */
export function embeddedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * A static, self-contained report: panel.js and panel.css inlined (allowed by their hashes, as a
 * file with no server can't use a nonce), the init message embedded, no acquireVsCodeApi. The host
 * peer is there only to record CSP violations and errors (and, given a theme, to set VS Code's).
 */
export function staticReportHtml(init: HostToWebview, theme: ThemeKind | null = null): string {
  const script = readFileSync(PANEL_JS, 'utf8')
    .replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n')
    .replace(/<\/(script)/gi, '<\\/$1');
  const css = readFileSync(PANEL_CSS, 'utf8');
  const peer = hostPeerScript(theme, false);
  const csp = `default-src 'none'; style-src ${sha256(css)}; script-src ${sha256(script)} ${sha256(peer)}; img-src data:`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>trainio report</title>
<style>${css}</style>
</head>
<body>
<script>${peer}</script>
<div id="trainio-panel"></div>
<script type="application/json" id="trainio-init">${embeddedJson(init)}</script>
<script>${script}</script>
</body>
</html>`;
}

// ---------------------------------------------------------------------------------------------
// A local server on 127.0.0.1: the bundle, the stylesheet and the test's pages.
// ---------------------------------------------------------------------------------------------

export class PanelServer {
  private constructor(
    private readonly server: Server,
    private readonly pages: Map<string, string>,
    readonly origin: string,
  ) {}

  static async start(): Promise<PanelServer> {
    const pages = new Map<string, string>();
    const files: Record<string, [string, string]> = {
      '/dist/webview/panel.js': [PANEL_JS, 'text/javascript'],
      '/dist/webview/panel.js.map': [`${PANEL_JS}.map`, 'application/json'],
      '/media/panel.css': [PANEL_CSS, 'text/css'],
    };
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const page = pages.get(path);
      const file = files[path];
      if (page !== undefined) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(page);
      } else if (file && existsSync(file[0])) {
        res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' });
        res.end(readFileSync(file[0]));
      } else {
        res.writeHead(path === '/favicon.ico' ? 204 : 404);
        res.end();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    return new PanelServer(server, pages, `http://127.0.0.1:${port}`);
  }

  /** publishes a page and returns its URL */
  page(html: string): string {
    const path = `/page-${this.pages.size}.html`;
    this.pages.set(path, html);
    return `${this.origin}${path}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }
}
