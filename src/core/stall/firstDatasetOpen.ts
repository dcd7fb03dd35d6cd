/**
 * With num_workers = 0 the main thread opens the dataset files itself, each for a few µs between
 * reads: sampling its fds rarely catches one. inotify (inotifywait, when installed) sees the first
 * open of a dataset file for sure; this watch runs only until that first open, or until workers
 * appear and it is not needed. Opens trainio makes itself (page-cache residency, announced through
 * ownOpens) are skipped: events within `OWN_OPENS_GUARD_MS` of such an announcement do not count.
 */
import { lastOwnOpensAnnouncedMs } from '../dataset/ownOpens';
import { watchOpens, type InotifyOpens } from '../dataset/inotifyOpens';

const OWN_OPENS_GUARD_MS = 1500;

export class FirstDatasetOpen {
  /** wall-clock ms of the first open of a dataset file by someone else than trainio */
  seenAtMs: number | null = null;
  private watch: InotifyOpens | null = null;

  constructor(private readonly dirs: readonly string[]) {}

  start(): void {
    if (this.dirs.length === 0 || this.watch !== null) return;
    this.watch = watchOpens([...this.dirs], {
      open: () => {
        const now = Date.now();
        if (this.seenAtMs !== null || now - lastOwnOpensAnnouncedMs() < OWN_OPENS_GUARD_MS) return;
        this.seenAtMs = now;
        void this.stop();
      },
      overflow: () => undefined,
      problem: () => undefined, // without inotifywait the sampler falls back to fd probes
    });
  }

  async stop(): Promise<void> {
    const watch = this.watch;
    this.watch = null;
    await watch?.stop();
  }
}
