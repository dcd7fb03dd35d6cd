/**
 * Headless Chromium on code-server's workbench page, as a person (or VS Code's own smoke tests)
 * would open it. With a test payload (extensionDevelopmentPath + extensionTestsPath) the workbench
 * runs the extension's suite in its extension host and reports through `codeAutomationLog` /
 * `codeAutomationExit`, which are exposed before the page loads.
 */
import { format } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../support/chromium';
import { CHROMIUM, type RunningCodeServer } from '../support/codeServer';

export interface TestPayload {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
}

export interface Workbench {
  browser: Browser;
  page: Page;
  /** what the extension host printed (mocha's report) */
  logs: string[];
  /** resolves with the code passed to codeAutomationExit (test runs only) */
  exited: Promise<number>;
  close(): Promise<void>;
}

function workbenchUrl(server: RunningCodeServer, folder: string, payload?: TestPayload): string {
  const params = new URLSearchParams({ folder });
  if (payload) {
    const remote = (p: string): string => `vscode-remote://${server.authority}${p}`;
    params.set(
      'payload',
      JSON.stringify([
        ['extensionDevelopmentPath', remote(payload.extensionDevelopmentPath)],
        ['extensionTestsPath', remote(payload.extensionTestsPath)],
      ]),
    );
  }
  return `${server.url}/?${params.toString()}`;
}

/** console.log's arguments as the extension host passed them (format string first) → one line */
function text(args: unknown): string {
  return Array.isArray(args) ? format(...(args as unknown[])) : format(args);
}

export async function openWorkbench(
  server: RunningCodeServer,
  folder: string,
  payload?: TestPayload,
  onLog: (line: string) => void = () => {},
  extraArgs: string[] = [],
): Promise<Workbench> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
  const logs: string[] = [];
  let exit: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => (exit = r));
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    await page.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
      const line = text(args);
      logs.push(line);
      onLog(type === 'error' ? `[error] ${line}` : line);
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown) =>
      exit(typeof code === 'number' ? code : 1),
    );
    await page.goto(workbenchUrl(server, folder, payload));
    return { browser, page, logs, exited, close: () => browser.close() };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/** Waits for `p`, or rejects after `ms` with `what` in the message. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
