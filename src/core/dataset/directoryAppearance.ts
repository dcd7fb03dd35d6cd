/**
 * Directories a job creates after it starts (`os.makedirs(ckpt_dir, exist_ok=True)`): where a
 * requested directory stands now, and a wait for it to appear that costs one non-recursive watch
 * on its nearest existing parent, moved down level by level as the missing levels are created.
 */
import { accessSync, constants, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { TrainioError } from '../errors';

export type DirectoryState =
  | { kind: 'present'; path: string }
  /** `parent` exists and may be watched; `missing` are the levels below it, outermost first */
  | { kind: 'missing'; path: string; parent: string; missing: string[] };

/** what stat says about one path: a directory, something else, or nothing (or nothing we may see) */
type Entry = 'dir' | 'other' | 'none';

function entryAt(path: string): Entry {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch {
    return 'none';
  }
}

/**
 * Where `dir` stands: present, or missing below its nearest existing parent. Throws a one-line
 * DIR_NOT_FOUND TrainioError when the directory can never appear there (the path, or its nearest
 * existing parent, is not a directory) or cannot be watched for (that parent is not readable).
 */
export function directoryState(dir: string): DirectoryState {
  const path = resolve(dir);
  const here = entryAt(path);
  if (here === 'dir') return { kind: 'present', path };
  if (here === 'other') throw new TrainioError('DIR_NOT_FOUND', `${path} is not a directory`);
  const missing = [basename(path)];
  let parent = dirname(path);
  for (;;) {
    const e = entryAt(parent);
    if (e === 'dir') break;
    if (e === 'other')
      throw new TrainioError(
        'DIR_NOT_FOUND',
        `no directory at ${path}, and none can be created there: ${parent} is not a directory`,
      );
    if (dirname(parent) === parent)
      throw new TrainioError('DIR_NOT_FOUND', `no directory at ${path}, and no parent of it exists`);
    missing.unshift(basename(parent));
    parent = dirname(parent);
  }
  try {
    accessSync(parent, constants.R_OK | constants.X_OK);
  } catch {
    throw new TrainioError(
      'DIR_NOT_FOUND',
      `no directory at ${path}, and trainio cannot watch for it: ${parent} is not readable`,
    );
  }
  return { kind: 'missing', path, parent, missing };
}

export type Appearance = 'appeared' | 'stopped';

/**
 * Resolves 'appeared' once `dir` exists as a directory, 'stopped' when `signal` aborts first.
 * Watches only the nearest existing parent (non-recursive, no timer); each event there for the
 * next missing level moves the watch down, or up when a watched parent is removed. Rejects with
 * a TrainioError when something other than a directory is created in the path. The watch keeps
 * the process alive until then: abort `signal` to give up.
 */
export function whenDirectoryAppears(dir: string, signal: AbortSignal): Promise<Appearance> {
  return new Promise((done, fail) => {
    let watcher: FSWatcher | null = null;
    let finished = false;
    const finish = (result: Appearance | Error): void => {
      if (finished) return;
      finished = true;
      watcher?.close();
      watcher = null;
      signal.removeEventListener('abort', onAbort);
      if (result instanceof Error) fail(result);
      else done(result);
    };
    const onAbort = (): void => finish('stopped');
    // looks again: descends through every level already there, then watches the deepest parent
    const look = (): void => {
      if (finished) return;
      let state: DirectoryState;
      try {
        state = directoryState(dir);
      } catch (e) {
        finish(e as Error);
        return;
      }
      if (state.kind === 'present') {
        finish('appeared');
        return;
      }
      watcher?.close();
      watcher = null;
      const next = state.missing[0] as string;
      try {
        watcher = watch(state.parent, (_event, name) => {
          // a busy parent (/tmp) reports other names: look again only for the next level, or
          // when the parent itself went away
          if (name === null || String(name) === next || entryAt(state.parent) !== 'dir') look();
        });
        // the watched parent itself removed or renamed: look again from the top
        watcher.on('error', () => look());
      } catch {
        // the parent vanished between stat and watch: start over from its own parent
        setImmediate(look);
        return;
      }
      // a level created between the stat and the watch sends no event: check once more
      if (entryAt(join(state.parent, next)) !== 'none') look();
    };
    if (signal.aborted) return finish('stopped');
    signal.addEventListener('abort', onAbort);
    look();
  });
}
