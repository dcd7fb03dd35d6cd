/**
 * `--metrics-textfile FILE`: the same exposition text for node_exporter's textfile collector,
 * rewritten every few seconds and once at the end. Each write goes to a temporary file in the same
 * folder (a name node_exporter ignores: it reads only `*.prom`) and is renamed over FILE, so the
 * collector never reads half a file. The file keeps the final counts after the recording ends.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import type { MetricsSource } from './metricsServer';

export const TEXTFILE_INTERVAL_MS = 5000;

export class MetricsTextfile {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastError: string | undefined;
  writes = 0;

  constructor(
    readonly file: string,
    private readonly source: MetricsSource,
    private readonly onError: (message: string) => void,
    intervalMs = TEXTFILE_INTERVAL_MS,
  ) {
    this.timer = setInterval(() => void this.write(), intervalMs);
    this.timer.unref();
  }

  /** writes now (after any write under way) */
  write(): Promise<void> {
    this.writing = this.writing.then(() => this.writeOnce());
    return this.writing;
  }

  /** stops the timer and writes the final counts */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.write();
  }

  private async writeOnce(): Promise<void> {
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      await writeFile(temp, await this.source.text(), 'utf8');
      await rename(temp, this.file);
      this.writes++;
      this.lastError = undefined;
    } catch (e) {
      await rm(temp, { force: true });
      const message = `cannot write the metrics file ${this.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
      // said once, not every few seconds
      if (message !== this.lastError) this.onError(message);
      this.lastError = message;
    }
  }
}
