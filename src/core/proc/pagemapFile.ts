/**
 * `/proc/PID/pagemap`, kept open: one 64-bit entry per virtual page, bit 63 set when the page is
 * present in the process's page tables. Reading only the entries of a given address range costs
 * the kernel a walk of just that range (no mmap lock held for long, unlike smaps).
 */
import * as fs from 'node:fs';
import { procFailure } from './procFile';

export class PagemapFile {
  private fd: number | null = null;
  private buf = Buffer.allocUnsafeSlow(0);
  private closed = false;

  constructor(readonly pid: number) {}

  /**
   * Writes 1/0 (present or not) for `pages` pages from virtual address `start` into `out`.
   * Returns the bytes of pagemap read, or 'gone' / 'denied'.
   */
  readPresent(start: number, pages: number, pageBytes: number, out: Uint8Array): number | 'gone' | 'denied' {
    if (this.closed) return 'gone';
    const bytes = pages * 8;
    if (this.buf.length < bytes) this.buf = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * this.buf.length));
    try {
      if (this.fd === null) this.fd = fs.openSync(`/proc/${this.pid}/pagemap`, 'r');
      const n = fs.readSync(this.fd, this.buf, 0, bytes, (start / pageBytes) * 8);
      const words = new Uint32Array(this.buf.buffer, this.buf.byteOffset, n >> 2);
      const got = n >> 3;
      for (let i = 0; i < got; i++) out[i] = words[2 * i + 1] >>> 31;
      out.fill(0, got, pages);
      return n;
    } catch (e) {
      const failure = procFailure(e);
      if (!failure.ok && failure.reason === 'gone') this.close();
      return failure.ok ? 0 : failure.reason;
    }
  }

  close(): void {
    this.closed = true;
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = null;
    }
  }
}
