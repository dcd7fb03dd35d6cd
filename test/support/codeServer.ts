/**
 * A real VS Code server (code-server from npm) for the extension-host tests, offline.
 *
 * `@vscode/test-electron` downloads VS Code, which needs internet; code-server ships the same
 * workbench and the same Node extension host as an npm package. It is installed once into
 * `.cache/code-server-<version>` (keyed on the version), then started per test on a free loopback
 * port with scratch HOME / user-data / extensions folders, and killed with its whole process group.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_PATH } from './chromium';
import { hasCommand } from './tools';

export const CODE_SERVER_VERSION = '4.100.3';
/** the @vscode/ripgrep version code-server 4.100.3 pins, and the rg build its postinstall fetches */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export const CHROMIUM = CHROMIUM_PATH;
const SYSTEM_RG = '/usr/bin/rg';

export function cacheDir(): string {
  return join(REPO_ROOT, '.cache', `code-server-${CODE_SERVER_VERSION}`);
}

function entryScript(dir: string): string {
  return join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

export function isCodeServerInstalled(): boolean {
  return existsSync(join(cacheDir(), '.installed')) && existsSync(entryScript(cacheDir()));
}

/** What installing or running code-server here needs from the system, with how to get it. */
export function missingTools(): { what: string; howToGet: string }[] {
  const missing: { what: string; howToGet: string }[] = [];
  if (!existsSync(CHROMIUM))
    missing.push({ what: 'chromium', howToGet: 'apt-get install -y chromium fonts-liberation' });
  if (!isCodeServerInstalled()) {
    if (!existsSync(SYSTEM_RG))
      missing.push({ what: 'ripgrep (rg)', howToGet: 'apt-get install -y ripgrep' });
    if (!hasCommand('krb5-config', ['--version']))
      missing.push({ what: 'libkrb5-dev', howToGet: 'apt-get install -y libkrb5-dev' });
  }
  return missing;
}

/** Puts Debian's rg where @vscode/ripgrep's postinstall looks before it tries GitHub. */
function seedRipgrepCache(tmp: string): void {
  const cache = join(tmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  mkdirSync(cache, { recursive: true });
  const stage = mkdtempSync(join(tmp, 'rg-stage-'));
  const copy = spawnSync('cp', [SYSTEM_RG, join(stage, 'rg')]);
  if (copy.status !== 0) throw new Error(`cannot copy ${SYSTEM_RG}`);
  const tar = spawnSync('tar', ['-czf', join(cache, RIPGREP_TARBALL), '-C', stage, 'rg']);
  if (tar.status !== 0) throw new Error(`cannot pack rg: ${tar.stderr.toString()}`);
  rmSync(stage, { recursive: true, force: true });
}

/**
 * Installs code-server into the cache once (≈ 70 s, ≈ 300 MB); later calls return at once.
 * The install happens in a sibling folder renamed into place, so a failed install leaves no cache.
 */
export function ensureCodeServer(log: (line: string) => void = () => {}): string {
  const dir = cacheDir();
  if (isCodeServerInstalled()) return entryScript(dir);
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // a package.json of its own, so npm installs here and not into the project above
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }));
  const tmp = mkdtempSync(join(tmpdir(), 'trainio-cs-install-'));
  try {
    seedRipgrepCache(tmp);
    log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (about a minute, once)…`);
    const npm = spawnSync(
      'npm',
      ['i', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`],
      {
        cwd: staging,
        encoding: 'utf8',
        env: {
          ...process.env,
          TMPDIR: tmp,
          npm_config_unsafe_perm: 'true',
          npm_config_yes: 'true',
          npm_config_nodedir: '/usr',
        },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (npm.status !== 0 || !existsSync(entryScript(staging))) {
      throw new Error(
        `npm i code-server@${CODE_SERVER_VERSION} failed (${npm.status}):\n${npm.stderr.slice(-4000)}`,
      );
    }
    writeFileSync(join(staging, '.installed'), `${CODE_SERVER_VERSION}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return entryScript(dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** A throwaway home for one server: HOME, XDG dirs, user data (with quiet settings), extensions. */
export interface ScratchDirs {
  root: string;
  home: string;
  userData: string;
  extensions: string;
}

export function makeScratch(prefix = 'trainio-host-'): ScratchDirs {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dirs = {
    root,
    home: join(root, 'home'),
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
  };
  for (const d of [dirs.home, dirs.extensions, join(dirs.userData, 'User')])
    mkdirSync(d, { recursive: true });
  const userSettings = {
    'chat.disableAIFeatures': true,
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'security.workspace.trust.enabled': false,
    'git.enabled': false,
    'git.openRepositoryInParentFolders': 'never',
    'workbench.enableExperiments': false,
  };
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2));
  return dirs;
}

function scratchEnv(dirs: ScratchDirs, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: join(dirs.home, '.config'),
    XDG_DATA_HOME: join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: join(dirs.home, '.cache'),
    ...extra,
  };
}

/** `code-server --install-extension VSIX` into the scratch extensions folder. */
export function installExtension(entry: string, dirs: ScratchDirs, vsix: string): string {
  const r = spawnSync(
    process.execPath,
    [
      entry,
      '--user-data-dir',
      dirs.userData,
      '--extensions-dir',
      dirs.extensions,
      '--install-extension',
      vsix,
    ],
    { encoding: 'utf8', env: scratchEnv(dirs), timeout: 60_000 },
  );
  if (r.status !== 0) throw new Error(`--install-extension failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export interface RunningCodeServer {
  url: string;
  /** host:port, as used in vscode-remote:// URIs */
  authority: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${output()}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer /healthz within 30 s:\n${output()}`);
}

/** Starts code-server detached (its own process group) and waits until it answers. */
export async function startCodeServer(
  entry: string,
  dirs: ScratchDirs,
  workspace: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningCodeServer> {
  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const args = [
    entry,
    '--bind-addr',
    authority,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    workspace,
  ];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: scratchEnv(dirs, env),
  });
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://${authority}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = new Promise<void>((r) => setTimeout(r, 3000));
      await Promise.race([exited, timer]);
    }
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL'); // the group: file watcher and extension host included
      } catch {
        // group already empty
      }
    }
  };
  try {
    await waitHealthy(url, child, () => out);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, authority, child, output: () => out, stop };
}
