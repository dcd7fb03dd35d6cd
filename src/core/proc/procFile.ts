/**
 * Reading /proc without paying for open/close on every sample: a `ProcFile` opens its file once and
 * re-reads it with a positional read at offset 0 (the kernel regenerates the text on each read).
 *
 * A process that is gone is a normal outcome ('gone'), and so is a file of another user's process
 * ('denied'); neither throws.
 */
import * as fs from 'node:fs';

export type ProcRead = { ok: true; text: string } | { ok: false; reason: 'gone' | 'denied' };

export const GONE: ProcRead = Object.freeze({ ok: false, reason: 'gone' });
export const DENIED: ProcRead = Object.freeze({ ok: false, reason: 'denied' });

/** Maps a failed /proc access to 'gone' / 'denied'; rethrows anything unexpected. */
export function procFailure(e: unknown): ProcRead {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR') return GONE;
  if (code === 'EACCES' || code === 'EPERM') return DENIED;
  throw e;
}

export class ProcFile {
  private fd: number | null = null;
  private buf: Buffer;
  private closed = false;

  constructor(
    readonly path: string,
    initialBytes = 1024,
  ) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  read(): ProcRead {
    if (this.closed) return GONE;
    try {
      if (this.fd === null) this.fd = fs.openSync(this.path, 'r');
      for (;;) {
        const n = fs.readSync(this.fd, this.buf, 0, this.buf.length, 0);
        // A full buffer may mean the text was cut: grow and read again from offset 0.
        if (n < this.buf.length) return { ok: true, text: this.buf.toString('utf8', 0, n) };
        this.buf = Buffer.allocUnsafe(this.buf.length * 2);
      }
    } catch (e) {
      const failure = procFailure(e);
      if (!failure.ok && failure.reason === 'gone') this.close();
      return failure;
    }
  }

  close(): void {
    this.closed = true;
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed: nothing to release
      }
      this.fd = null;
    }
  }
}

/** One read with open/read/close (for files read once, like cmdline). */
export function readProcOnce(path: string): ProcRead {
  try {
    return { ok: true, text: fs.readFileSync(path, 'utf8') };
  } catch (e) {
    return procFailure(e);
  }
}

/** `readlink` that reports gone/denied instead of throwing. */
export function readProcLink(path: string): ProcRead {
  try {
    return { ok: true, text: fs.readlinkSync(path) };
  } catch (e) {
    return procFailure(e);
  }
}
