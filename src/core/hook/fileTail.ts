/**
 * Follows a growing file of text lines (the hook's event file): each `readLines()` returns the
 * complete lines appended since the last call and keeps a trailing partial line for later.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const CHUNK = 1 << 20;

export class FileTail {
  private fd: number | null = null;
  private offset = 0;
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    readonly path: string,
    /** most bytes read per call, so one call stays short however far behind it is */
    private readonly maxBytesPerRead = 16 * CHUNK,
  ) {}

  /** Creates the file when missing (without truncating it) and opens it for reading. */
  open(): void {
    closeSync(openSync(this.path, 'a'));
    this.fd = openSync(this.path, 'r');
  }

  readLines(): string[] {
    if (this.fd === null) return [];
    const size = fstatSync(this.fd).size;
    if (size < this.offset) {
      // truncated by someone else: start over
      this.offset = 0;
      this.partial = '';
    }
    let text = '';
    let budget = this.maxBytesPerRead;
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, budget));
    while (budget > 0 && this.offset < size) {
      const n = readSync(this.fd, buf, 0, Math.min(buf.length, budget, size - this.offset), this.offset);
      if (n <= 0) break;
      this.offset += n;
      budget -= n;
      text += this.decoder.write(buf.subarray(0, n));
    }
    if (text === '') return [];
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    return lines.filter((l) => l !== '');
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
