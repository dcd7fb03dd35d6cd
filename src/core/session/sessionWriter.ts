/**
 * Appends session records to disk as JSON lines, header first, off the sampling path: records are
 * queued in memory and written by asynchronous writes (the filesystem call runs on libuv's thread
 * pool, so a slow or stalled filesystem never delays a sample), at least every 500 ms. When a write
 * fails (disk full, quota, I/O error) the writer says so at once through `onTrouble`, keeps the
 * records in memory (bounded: the oldest are dropped past `maxKeptBytes`), retries, and writes what
 * it kept when space returns. `fileState()` says exactly what the file holds. Non-finite numbers are
 * never written (they become null: a histogram's last bucket is `"le": null`).
 */
import { closeSync, fsync, fsyncSync, mkdirSync, openSync, write, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { copySessionFile, type MoveOptions } from './sessionMove';
import type { SessionFileState, SessionRecord } from '../../shared/model';
import { TrainioError } from '../errors';

export const FLUSH_INTERVAL_MS = 500;
/** write early when this much is queued */
const FLUSH_BYTES = 256 * 1024;
/** the most one write call carries */
const CHUNK_BYTES = 1024 * 1024;

/** The two calls the writer makes on its file; a slow filesystem can be put in their place in a bench. */
export interface FileIo {
  write(fd: number, data: Buffer, done: (err: NodeJS.ErrnoException | null, written: number) => void): void;
  fsync(fd: number, done: (err: NodeJS.ErrnoException | null) => void): void;
}

export const NODE_FILE_IO: FileIo = {
  write: (fd, data, done) => write(fd, data, 0, data.length, null, done),
  fsync: (fd, done) => fsync(fd, done),
};

export interface WriterOptions {
  io?: FileIo;
  /** records kept in memory while writing fails, in bytes (default 32 MiB); older ones are dropped */
  maxKeptBytes?: number;
  /** retry a failed write after this long (default 2 s) */
  retryMs?: number;
  /** fsync the file this often while records arrive (default 10 s; 0: only when it is closed) */
  fsyncMs?: number;
}

export type WriteTrouble =
  | { kind: 'stopped'; code: string; message: string; atS?: number }
  | { kind: 'resumed'; atS?: number; lostRecords: number }
  | { kind: 'moved'; from: string; to: string; atS?: number; stoppedAtS?: number };

/** what `relocate` did: moved, or stayed on the old file and why */
export type RelocateResult = { moved: true; file: string } | { moved: false; file: string; why: string };

interface Line {
  data: Buffer;
  /** the record's time, when it has one */
  s: number | undefined;
}

export function recordLine(record: SessionRecord): string {
  return JSON.stringify(record, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? null : value,
  );
}

function recordTime(r: SessionRecord): number | undefined {
  const s = r.type === 'save' ? r.endS : (r as { s?: unknown }).s;
  return typeof s === 'number' && Number.isFinite(s) ? s : undefined;
}

export class SessionWriter {
  private fd: number | undefined;
  private readonly io: FileIo;
  private readonly maxKeptBytes: number;
  private readonly retryMs: number;
  private queue: Line[] = [];
  private queuedBytes = 0;
  /** bytes taken from the queue, being written (a partial write leaves its rest here) */
  private head:
    { data: Buffer; offset: number; firstS: number | undefined; lastS: number | undefined } | undefined;
  private writing = false;
  private readonly timer: NodeJS.Timeout;
  private readonly fsyncTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failure: { code: string; message: string } | undefined;
  private readonly listeners = new Set<(t: WriteTrouble) => void>();
  private readonly idle = new Set<() => void>();
  private state: SessionFileState = { writtenRecords: 0, lostRecords: 0 };
  private troubled = false;
  private latestS: number | undefined;
  private dirty = false;
  /** a move to another file is under way: nothing is written meanwhile */
  private moving = false;
  private move: Promise<RelocateResult> | undefined;
  private closing = false;
  private current: string;

  private constructor(file: string, fd: number, options: WriterOptions) {
    this.current = file;
    this.fd = fd;
    this.io = options.io ?? NODE_FILE_IO;
    this.maxKeptBytes = options.maxKeptBytes ?? 32 * 1024 * 1024;
    this.retryMs = options.retryMs ?? 2000;
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
    const fsyncMs = options.fsyncMs ?? 10_000;
    if (fsyncMs > 0) {
      this.fsyncTimer = setInterval(() => this.syncNow(), fsyncMs);
      this.fsyncTimer.unref();
    }
  }

  /** Creates (or truncates) the session file; its folder is created when missing. */
  static create(file: string, options: WriterOptions = {}): SessionWriter {
    try {
      mkdirSync(dirname(file), { recursive: true });
      return new SessionWriter(file, openSync(file, 'w'), options);
    } catch (e) {
      throw new TrainioError('WRITE_FAILED', `cannot write the session file ${file}: ${reason(e)}`);
    }
  }

  /** where the session is written now (another file after `relocate`) */
  get file(): string {
    return this.current;
  }

  /** the current write error, if writing fails now (recording goes on in memory) */
  get error(): string | undefined {
    return this.failure?.message;
  }

  /** records waiting in memory to be written */
  get keptRecords(): number {
    let inHead = 0;
    const head = this.head;
    if (head) for (let i = head.offset; i < head.data.length; i++) if (head.data[i] === 0x0a) inHead++;
    return this.queue.length + inHead;
  }

  /** what the file holds; `undefined` while every record so far was written without trouble */
  fileState(): SessionFileState | undefined {
    return this.troubled ? { ...this.state } : undefined;
  }

  onTrouble(listener: (t: WriteTrouble) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  write(record: SessionRecord): void {
    if (this.fd === undefined) return;
    const data = Buffer.from(recordLine(record) + '\n', 'utf8');
    const s = recordTime(record);
    if (s !== undefined) this.latestS = s;
    this.queue.push({ data, s });
    this.queuedBytes += data.length;
    if (this.queuedBytes > this.maxKeptBytes) this.dropOldest();
    if (this.queuedBytes >= FLUSH_BYTES) this.flush();
  }

  /** Starts writing what is queued (asynchronously); a no-op while a write runs or a retry waits. */
  flush(): void {
    if (this.fd === undefined || this.writing || this.retryTimer || this.moving) return;
    if (!this.head) this.takeChunk();
    const head = this.head;
    if (!head) return this.settle();
    this.writing = true;
    const fd = this.fd;
    this.io.write(fd, head.data.subarray(head.offset), (err, written) => {
      this.writing = false;
      if (err) return this.failed(err);
      this.wrote(head, written);
      this.flush();
    });
  }

  /** Resolves once everything queued is written, writing fails, or `ms` pass. */
  drain(ms: number): Promise<void> {
    if (this.retryTimer && this.failure) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timeout);
        this.idle.delete(done);
        resolve();
      };
      const timeout = setTimeout(done, ms);
      this.idle.add(done);
      this.flush();
    });
  }

  /**
   * Moves the session to `newFile`: the old file's content first (the session's beginning), then the
   * records kept in memory; writing goes on there. The old file is left as it was. When the new
   * place fails too, the session stays on the old file (nothing kept is lost) and the result says why.
   */
  relocate(newFile: string, options: MoveOptions = {}): Promise<RelocateResult> {
    const from = this.current;
    if (this.fd === undefined || this.closing) {
      return Promise.resolve({ moved: false, file: from, why: 'the session has ended' });
    }
    if (this.move) return Promise.resolve({ moved: false, file: from, why: 'a move is already under way' });
    this.move = this.moveTo(newFile, options).finally(() => (this.move = undefined));
    return this.move;
  }

  private async moveTo(newFile: string, options: MoveOptions): Promise<RelocateResult> {
    const from = this.current;
    this.moving = true;
    try {
      await this.writeSettled();
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      const copied = await copySessionFile(from, newFile, options);
      if (!copied.ok) {
        if (this.failure) this.retryLater();
        return { moved: false, file: from, why: copied.why };
      }
      const oldFd = this.fd!;
      this.fd = copied.fd;
      this.current = newFile;
      try {
        closeSync(oldFd);
      } catch {
        // the old file stays as it is either way
      }
      this.troubled = true;
      this.state.path = newFile;
      this.state.movedFrom = from;
      this.state.movedAtS = this.latestS;
      const stoppedAtS = this.failure ? this.state.stoppedAtS : undefined;
      if (this.failure) {
        this.failure = undefined;
        this.state.resumedAtS = this.latestS;
      }
      this.emit({ kind: 'moved', from, to: newFile, atS: this.latestS, stoppedAtS });
      return { moved: true, file: newFile };
    } finally {
      this.moving = false;
      this.flush();
    }
  }

  /** resolves once no write is in flight */
  private writeSettled(): Promise<void> {
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => {
      const check = setInterval(() => {
        if (this.writing) return;
        clearInterval(check);
        resolve();
      }, 5);
    });
  }

  /** Writes what is left (one last try), syncs and closes the file. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    if (this.fsyncTimer) clearInterval(this.fsyncTimer);
    if (this.move) await this.move;
    if (this.writing) await this.drain(5000);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    this.writeRestNow(fd);
    try {
      fsyncSync(fd);
    } catch {
      // nothing more can be done for a file whose disk went away
    }
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }

  private writeRestNow(fd: number): void {
    while (this.head || this.queue.length) {
      if (!this.head) this.takeChunk();
      const head = this.head!;
      try {
        this.wrote(head, writeSync(fd, head.data, head.offset));
      } catch (e) {
        this.noteFailure(e as NodeJS.ErrnoException);
        this.state.lostRecords += this.keptRecords;
        this.queue = [];
        this.queuedBytes = 0;
        this.head = undefined;
        return;
      }
    }
  }

  private takeChunk(): void {
    let bytes = 0;
    let n = 0;
    let lastS: number | undefined;
    let firstS: number | undefined;
    while (n < this.queue.length && (n === 0 || bytes + this.queue[n].data.length <= CHUNK_BYTES)) {
      bytes += this.queue[n].data.length;
      lastS = this.queue[n].s ?? lastS;
      firstS ??= this.queue[n].s;
      n++;
    }
    if (n === 0) return;
    const lines = this.queue.splice(0, n);
    this.queuedBytes -= bytes;
    this.head = {
      data: Buffer.concat(
        lines.map((l) => l.data),
        bytes,
      ),
      offset: 0,
      firstS,
      lastS,
    };
  }

  private wrote(head: NonNullable<SessionWriter['head']>, written: number): void {
    let lines = 0;
    for (let i = head.offset; i < head.offset + written; i++) if (head.data[i] === 0x0a) lines++;
    head.offset += written;
    this.state.writtenRecords += lines;
    this.dirty = true;
    if (head.offset >= head.data.length) this.head = undefined;
    if (this.failure) {
      this.failure = undefined;
      this.state.resumedAtS = this.latestS;
      this.emit({ kind: 'resumed', atS: this.latestS, lostRecords: this.state.lostRecords });
    }
  }

  private failed(err: NodeJS.ErrnoException): void {
    this.noteFailure(err);
    if (err.code === 'EBADF') return this.settle();
    this.retryLater();
    this.settle();
  }

  private retryLater(): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
    }, this.retryMs);
    this.retryTimer.unref();
  }

  private noteFailure(err: NodeJS.ErrnoException): void {
    const code = err.code ?? 'EIO';
    if (this.failure) return;
    this.troubled = true;
    this.state.error ??= code;
    const atS = this.firstUnwrittenS();
    this.state.stoppedAtS ??= atS;
    this.failure = { code, message: `cannot write the session file ${this.file}: ${code}` };
    this.emit({ kind: 'stopped', code, message: this.failure.message, atS });
  }

  /** the time of the first record not yet in the file */
  private firstUnwrittenS(): number | undefined {
    // the head is older than the queue (a chunk partly written is about its last records)
    const head = this.head && (this.head.offset > 0 ? this.head.lastS : this.head.firstS);
    return head ?? this.queue.find((l) => l.s !== undefined)?.s ?? this.latestS;
  }

  private dropOldest(): void {
    while (this.queuedBytes > this.maxKeptBytes && this.queue.length > 1) {
      const line = this.queue.shift()!;
      this.queuedBytes -= line.data.length;
      this.troubled = true;
      this.state.lostRecords++;
      if (line.s !== undefined) {
        this.state.lostFromS ??= line.s;
        this.state.lostToS = line.s;
      }
    }
  }

  private syncNow(): void {
    if (this.fd === undefined || !this.dirty || this.failure) return;
    this.dirty = false;
    this.io.fsync(this.fd, () => undefined);
  }

  private settle(): void {
    if (this.writing) return;
    if (this.head || this.queue.length) {
      if (!this.failure) return;
    }
    for (const done of [...this.idle]) done();
  }

  private emit(t: WriteTrouble): void {
    for (const l of this.listeners) {
      try {
        l(t);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ?? err.message ?? String(e);
}
