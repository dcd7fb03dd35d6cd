import type { Source, SourceContext } from '../source';
import { CheckpointWatch } from './checkpointWatch';
import { DatasetTreeWatch, MAX_DATASET_DIRS } from './datasetTreeWatch';

export interface DirectoryWatcherOptions {
  datasets: string[];
  checkpoints: string[];
  /** most dataset directories watched (one inotify watch each); default MAX_DATASET_DIRS */
  maxDatasetDirs?: number;
}

/**
 * Files appearing, growing and disappearing under the watched directories, as `fs` records:
 * checkpoint directories → add / change (with the current size) / unlink, through chokidar;
 * dataset directories → add / unlink, one watch per directory (see DatasetTreeWatch).
 * Starting never blocks on a big tree: the dataset directory listing runs in the background.
 */
export class DirectoryWatcher implements Source {
  readonly name = 'directoryWatcher';
  private checkpoints: CheckpointWatch | null = null;
  private datasets: DatasetTreeWatch | null = null;
  private starting: Promise<void> = Promise.resolve();

  constructor(private readonly opts: DirectoryWatcherOptions) {}

  start(ctx: SourceContext): void {
    const { datasets, checkpoints, maxDatasetDirs = MAX_DATASET_DIRS } = this.opts;
    const parts: Promise<void>[] = [];
    if (checkpoints.length > 0) {
      this.checkpoints = new CheckpointWatch(checkpoints, ctx);
      parts.push(this.checkpoints.start());
    }
    if (datasets.length > 0) {
      this.datasets = new DatasetTreeWatch(datasets, ctx, maxDatasetDirs);
      parts.push(this.datasets.start());
    }
    this.starting = Promise.all(parts).then(
      () => undefined,
      (e: unknown) => ctx.note('warning', `directory watching failed to start: ${String(e)}`),
    );
  }

  /** Resolves once every watch is in place (tests and benchmarks wait on it). */
  ready(): Promise<void> {
    return this.starting;
  }

  /** dataset directories watched now (one inotify watch each) */
  get watchedDatasetDirs(): number {
    return this.datasets?.watchedDirs ?? 0;
  }

  async stop(): Promise<void> {
    await Promise.all([this.checkpoints?.stop(), this.datasets?.stop()]);
    await this.starting;
  }
}
