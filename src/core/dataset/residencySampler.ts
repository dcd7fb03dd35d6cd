import { resolve } from 'node:path';
import type { ResidencyRecord } from '../../shared/model';
import type { Source, SourceContext } from '../source';
import { indexDataset } from './datasetIndexer';
import { FincoreMissing, measureResidency } from './pageCacheResidency';

export interface ResidencySamplerOptions {
  /** files sampled per dataset (default 256) */
  sampleSize?: number;
  /** the fincore executable (default `fincore`) */
  command?: string;
}

export const DEFAULT_SAMPLE_FILES = 256;

/**
 * How much of each dataset sits in the page cache: a stable random sample of its files (drawn
 * once, by reservoir sampling during a low-priority walk of the tree) measured with fincore once
 * the sample is drawn, then every `slowIntervalMs`, as `residency` records.
 */
export class ResidencySampler implements Source {
  readonly name = 'residency';
  private readonly abort = new AbortController();
  private readonly samples = new Map<string, string[]>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private measuring: Promise<void> | null = null;
  private disabled = false;
  private ctx: SourceContext | null = null;

  constructor(
    private readonly datasets: string[],
    private readonly opts: ResidencySamplerOptions = {},
  ) {}

  start(ctx: SourceContext): void {
    this.ctx = ctx;
    const size = this.opts.sampleSize ?? DEFAULT_SAMPLE_FILES;
    this.running = Promise.all(this.datasets.map((d) => this.drawSample(resolve(d), size, ctx))).then(() => {
      if (this.abort.signal.aborted) return;
      void this.sampleNow();
      this.timer = setInterval(() => void this.sampleNow(), ctx.settings.slowIntervalMs);
      this.timer.unref();
    });
  }

  /** Resolves once every dataset's sample is drawn and the first measurement is done. */
  async ready(): Promise<void> {
    await this.running;
    await this.measuring;
  }

  /** Measures every dataset now (skipped while a measurement is still running). */
  sampleNow(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx || this.disabled) return Promise.resolve();
    if (!this.measuring) {
      this.measuring = this.measureAll(ctx).finally(() => (this.measuring = null));
    }
    return this.measuring;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.measuring;
    this.ctx = null;
  }

  private async drawSample(dir: string, size: number, ctx: SourceContext): Promise<void> {
    try {
      const index = await indexDataset(dir, {
        maxFiles: ctx.settings.maxIndexFiles,
        sampleSize: size,
        signal: this.abort.signal,
      });
      this.samples.set(dir, index.sample);
    } catch (e) {
      ctx.note(
        'warning',
        `page-cache residency of ${dir} is not measured: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  private async measureAll(ctx: SourceContext): Promise<void> {
    for (const [dir, sample] of this.samples) {
      if (sample.length === 0 || this.disabled) continue;
      try {
        const r = await measureResidency(sample, this.opts.command);
        const rec: ResidencyRecord = {
          type: 'residency',
          s: ctx.now(),
          path: dir,
          sampledFiles: r.files,
          sampledBytes: r.bytes,
          residentBytes: r.resident,
        };
        ctx.sink.emit(rec);
      } catch (e) {
        this.disabled = true;
        ctx.note(
          'warning',
          e instanceof FincoreMissing
            ? `${e.message}: apt-get install util-linux`
            : `fincore failed: ${String(e)}`,
        );
      }
    }
  }
}
