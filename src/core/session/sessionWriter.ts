/**
 * Appends session records to disk as JSON lines, header first. Lines are buffered and written to
 * the file descriptor at least every 500 ms and on close, so a recorder killed outright loses at
 * most about a second. Non-finite numbers are never written (they become null: a histogram's last
 * bucket is `"le": null`).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SessionRecord } from '../../shared/model';
import { TrainioError } from '../errors';

export const FLUSH_INTERVAL_MS = 500;
/** flush early when this much is buffered */
const FLUSH_BYTES = 256 * 1024;

export function recordLine(record: SessionRecord): string {
  return JSON.stringify(record, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? null : value,
  );
}

export class SessionWriter {
  private fd: number | undefined;
  private buffer: string[] = [];
  private buffered = 0;
  private readonly timer: NodeJS.Timeout;
  private failure: string | undefined;

  private constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Creates (or truncates) the session file; its folder is created when missing. */
  static create(file: string): SessionWriter {
    try {
      mkdirSync(dirname(file), { recursive: true });
      return new SessionWriter(file, openSync(file, 'w'));
    } catch (e) {
      throw new TrainioError('WRITE_FAILED', `cannot write the session file ${file}: ${reason(e)}`);
    }
  }

  /** the first write error, if any (recording goes on in memory) */
  get error(): string | undefined {
    return this.failure;
  }

  write(record: SessionRecord): void {
    if (this.fd === undefined) return;
    const line = recordLine(record) + '\n';
    this.buffer.push(line);
    this.buffered += line.length;
    if (this.buffered >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    const data = this.buffer.join('');
    this.buffer = [];
    this.buffered = 0;
    if (this.failure) return;
    try {
      writeSync(this.fd, data);
    } catch (e) {
      this.failure = `cannot write the session file ${this.file}: ${reason(e)}`;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed or the disk went away: nothing left to do
    }
    this.fd = undefined;
  }
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ?? err.message ?? String(e);
}
