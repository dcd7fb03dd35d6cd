import { spawn } from 'node:child_process';
import { expectOwnOpens } from './ownOpens';

export interface Residency {
  /** files measured (files that vanished meanwhile are left out) */
  files: number;
  /** their apparent sizes */
  bytes: number;
  /** bytes of them in the page cache (per file at most its size) */
  resident: number;
}

/** files per fincore process */
const BATCH = 256;

/** Thrown when fincore (util-linux) is not installed. */
export class FincoreMissing extends Error {
  constructor() {
    super('page-cache residency needs fincore (util-linux 2.30 or later)');
    this.name = 'FincoreMissing';
  }
}

/**
 * How much of these files is in the page cache now, through `fincore` (mincore(2) over each file),
 * one process per batch of files. Opens are announced to the open watcher (see ownOpens.ts).
 */
export async function measureResidency(paths: readonly string[], command = 'fincore'): Promise<Residency> {
  const total: Residency = { files: 0, bytes: 0, resident: 0 };
  for (let i = 0; i < paths.length; i += BATCH) {
    const batch = paths.slice(i, i + BATCH);
    expectOwnOpens(batch);
    const part = await fincoreBatch(batch, command);
    total.files += part.files;
    total.bytes += part.bytes;
    total.resident += part.resident;
  }
  return total;
}

function fincoreBatch(paths: readonly string[], command: string): Promise<Residency> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      command,
      ['--bytes', '--noheadings', '--raw', '--output', 'RES,SIZE', '--', ...paths],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...process.env, LC_ALL: 'C' },
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => (out += s));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new FincoreMissing() : err),
    );
    child.on('close', () => resolve(parseFincore(out)));
  });
}

/** Parses `RES SIZE` lines (bytes); a file's resident bytes are capped at its size (whole pages). */
export function parseFincore(text: string): Residency {
  const r: Residency = { files: 0, bytes: 0, resident: 0 };
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(line.trim());
    if (!m) continue;
    const res = Number(m[1]);
    const size = Number(m[2]);
    r.files++;
    r.bytes += size;
    r.resident += Math.min(res, size);
  }
  return r;
}
