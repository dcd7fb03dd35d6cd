import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';

export interface DirectoryLevels {
  /** the directories kept: every level from the root down to `depthLimit` */
  dirs: string[];
  /** directories in the whole tree */
  totalDirs: number;
  /** deepest level kept (root = 0), or null when the whole tree fit */
  depthLimit: number | null;
}

const LOW_PRIORITY_NICE = 10;

/**
 * Lists the directories of a tree, keeping whole levels from the top while they fit in `maxDirs`
 * (memory stays bounded by `maxDirs` plus one level). Runs `find -type d` at a low CPU priority:
 * find tells directories from files by the entry type readdir returns, without a stat per file.
 */
export function listDirectoryLevels(
  root: string,
  maxDirs: number,
  signal?: AbortSignal,
): Promise<DirectoryLevels> {
  return new Promise((resolve, reject) => {
    const child = spawn('find', ['-H', root, '-type', 'd', '-printf', '%d %p\\0'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, LOW_PRIORITY_NICE);
      } catch {
        // runs at normal priority then
      }
    }
    const levels: string[][] = [];
    let kept = 0;
    let total = 0;
    let limit = Number.POSITIVE_INFINITY;
    let rest = '';
    const onAbort = (): void => void child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\0');
      rest = parts.pop() ?? '';
      for (const rec of parts) {
        const sp = rec.indexOf(' ');
        const depth = Number(rec.slice(0, sp));
        total++;
        if (depth > limit) continue;
        (levels[depth] ??= []).push(rec.slice(sp + 1));
        kept++;
        while (kept > maxDirs && levels.length > 1) {
          kept -= levels.pop()?.length ?? 0;
          limit = levels.length - 1;
        }
      }
    });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve({
        dirs: levels.flat(),
        totalDirs: total,
        depthLimit: Number.isFinite(limit) ? limit : null,
      });
    });
  });
}
