/**
 * Opens an exported HTML report in the user's browser. On a desktop window the file itself is
 * opened (`vscode.env.openExternal(file:…)`); where the browser is not on the extension's machine
 * (Remote-SSH, containers, VS Code in a browser) a file URI would name a path that is not there, so
 * the report is served from 127.0.0.1 on a random port under a random path, for a while, and
 * `asExternalUri` makes that address reachable from the user's side (port forwarding).
 * Every request the browser makes is kept (`served`), which is how the tests see that it opened.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { basename } from 'node:path';
import * as vscode from 'vscode';

const IDLE_CLOSE_MS = 30 * 60_000;

export class ReportOpener implements vscode.Disposable {
  private server: Server | undefined;
  private port = 0;
  private readonly files = new Map<string, string>();
  private idle: NodeJS.Timeout | undefined;
  /** the paths the browser asked for, oldest first (at most 20) */
  readonly served: string[] = [];

  /** true where a file path on this machine can be opened by the user's browser */
  private static browserIsLocal(): boolean {
    return vscode.env.remoteName === undefined && vscode.env.uiKind === vscode.UIKind.Desktop;
  }

  async open(file: string): Promise<boolean> {
    if (ReportOpener.browserIsLocal()) return vscode.env.openExternal(vscode.Uri.file(file));
    const token = randomBytes(16).toString('hex');
    const name = basename(file);
    this.files.set(`/${token}/${encodeURIComponent(name)}`, file);
    await this.listen();
    this.touch();
    // the forwarded address of the server's root (code-server's answer keeps no path: /proxy/PORT/)
    const root = await vscode.env.asExternalUri(vscode.Uri.parse(`http://127.0.0.1:${this.port}/`));
    return vscode.env.openExternal(vscode.Uri.joinPath(root, token, name));
  }

  private listen(): Promise<void> {
    if (this.server) return Promise.resolve();
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      const file = this.files.get(path);
      this.served.push(path);
      if (this.served.length > 20) this.served.shift();
      this.touch();
      if (!file || req.method !== 'GET') {
        res.writeHead(404).end();
        return;
      }
      readFile(file).then(
        (body) =>
          res
            .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
            .end(body),
        () => res.writeHead(404).end(),
      );
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        this.port = typeof address === 'object' && address ? address.port : 0;
        resolve();
      });
    });
  }

  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.close(), IDLE_CLOSE_MS);
    this.idle.unref();
  }

  private close(): void {
    this.server?.close();
    this.server = undefined;
    this.files.clear();
  }

  dispose(): void {
    if (this.idle) clearTimeout(this.idle);
    this.close();
  }
}
