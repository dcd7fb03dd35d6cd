/**
 * The dataset and checkpoint folders of a recording that do not exist yet: checked when the
 * session starts (a path that can never become a directory is a one-line error), waited for
 * while it runs, and started like the others when they appear. Each step is said in a note.
 */
import { directoryState, whenDirectoryAppears } from '../dataset/directoryAppearance';
import { isTrainioError } from '../errors';
import type { SourceContext } from '../source';

export type DirectoryRole = 'dataset' | 'checkpoint';

export interface AwaitedDirectory {
  /** absolute path */
  path: string;
  role: DirectoryRole;
  /** its nearest existing parent when the session started */
  parent: string;
}

/**
 * The requested folders that do not exist yet. Throws the TrainioError of the first one that
 * cannot appear (a path under a regular file, or under no directory trainio may read).
 */
export function awaitedDirectories(datasets: string[], checkpoints: string[]): AwaitedDirectory[] {
  const out: AwaitedDirectory[] = [];
  const requested: [string, DirectoryRole][] = [
    ...datasets.map((d): [string, DirectoryRole] => [d, 'dataset']),
    ...checkpoints.map((d): [string, DirectoryRole] => [d, 'checkpoint']),
  ];
  for (const [dir, role] of requested) {
    const state = directoryState(dir);
    if (state.kind === 'missing') out.push({ path: state.path, role, parent: state.parent });
  }
  return out;
}

/** Waits for each awaited folder; `onAppear` starts its sources. */
export class DirectoryArrivals {
  private readonly abort = new AbortController();
  private readonly pending = new Set<AwaitedDirectory>();

  constructor(
    private readonly ctx: SourceContext,
    private readonly onAppear: (dir: AwaitedDirectory) => void,
  ) {}

  wait(dir: AwaitedDirectory): void {
    this.pending.add(dir);
    this.ctx.note(
      'info',
      `waiting for ${dir.path} to appear (the ${dir.role} folder does not exist yet; watching ${dir.parent})`,
    );
    void whenDirectoryAppears(dir.path, this.abort.signal).then(
      (how) => {
        if (how !== 'appeared' || !this.pending.delete(dir)) return;
        this.ctx.note('info', `${dir.path} appeared after ${this.ctx.now().toFixed(1)} s`);
        this.onAppear(dir);
      },
      (e: unknown) => {
        if (!this.pending.delete(dir)) return;
        const why = isTrainioError(e) ? e.message : String(e);
        this.ctx.note('warning', `stopped waiting for ${dir.path}: ${why}`);
      },
    );
  }

  /** Stops waiting; a folder that never appeared gets a note saying what the report lacks. */
  stop(): void {
    this.abort.abort();
    for (const dir of this.pending) {
      if (dir.role === 'dataset')
        this.ctx.note(
          'warning',
          `dataset folder ${dir.path} never appeared: no file count, page-cache or re-read figures for it`,
        );
      else this.ctx.note('info', `checkpoint folder ${dir.path} never appeared: nothing was saved there`);
    }
    this.pending.clear();
  }
}
