/**
 * The file part of moving a session to another place: copies the old session file (the session's
 * beginning, as far as it was written) to the new one and opens it for appending. A new place that
 * fails (full too, unwritable, the same file) leaves nothing behind and says why in the user's words.
 */
import { close, constants, fsync, open } from 'node:fs';
import { copyFile, mkdir, realpath, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { writeErrorText } from './fileStateText';

export type CopiedSession = { ok: true; fd: number } | { ok: false; why: string };

export interface MoveOptions {
  /** replace a file that is already there (a save dialog asked); otherwise an existing file is refused */
  overwrite?: boolean;
}

export async function copySessionFile(
  from: string,
  to: string,
  options: MoveOptions = {},
): Promise<CopiedSession> {
  if ((await samePath(from, to)) === true) return { ok: false, why: 'that is the session file itself' };
  let created = false;
  let fd: number | undefined;
  try {
    await mkdir(dirname(to), { recursive: true });
    await copyFile(from, to, options.overwrite ? 0 : constants.COPYFILE_EXCL);
    created = true;
    fd = await promisify(open)(to, 'a');
    await promisify(fsync)(fd);
    return { ok: true, fd };
  } catch (e) {
    if (fd !== undefined) await promisify(close)(fd).catch(() => undefined);
    if (created) await rm(to, { force: true }).catch(() => undefined);
    return { ok: false, why: moveErrorText(e) };
  }
}

/** why a move failed, e.g. "disk full (ENOSPC)" or "a file is already there (EEXIST)" */
export function moveErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') return 'a file is already there (EEXIST)';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  if (code === 'ENOENT') return 'the session file or the new folder is missing (ENOENT)';
  if (code === 'ENOTDIR') return 'a part of the new path is not a folder (ENOTDIR)';
  return writeErrorText(code);
}

async function samePath(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false;
  }
}
