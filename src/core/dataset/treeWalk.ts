/** What a directory walk reports, whichever way it reads the tree. */
export interface WalkSink {
  /**
   * A regular file (symlinks are not followed). When paths are wanted, `sampleKey` is a hash of
   * its path (see fileSample.ts) and `pathOf` builds the path on demand (null when the name cannot
   * be represented as a JavaScript string). Returns false when the walk must stop.
   */
  file(size: number, sampleKey: number, pathOf: () => string | null): boolean;
  /** A directory was entered (the root included). */
  dir(): void;
  /** A directory was finished, with the number of regular files directly inside it. */
  dirDone(path: string, files: number): void;
  symlink(): void;
  /** A directory that could not be listed (permission denied, vanished, …). */
  unreadable(path: string, reason: string): void;
}

export interface WalkOptions {
  /** builds paths for sampled files only when set */
  wantPaths: boolean;
  signal?: AbortSignal;
  /** run the walk below the training's CPU priority */
  lowPriority: boolean;
}

/** How a walk ended: `stopped` when the sink or the signal asked it to stop early. */
export interface WalkEnd {
  stopped: boolean;
  /** lines of unexpected error output, first few */
  errors: string[];
}

export type TreeWalk = (root: string, sink: WalkSink, opts: WalkOptions) => Promise<WalkEnd>;

/** The bytes as a string, or null when they are not valid UTF-8 (the path could not be reopened). */
export function exactUtf8(bytes: Buffer): string | null {
  const s = bytes.toString('utf8');
  return Buffer.byteLength(s) === bytes.length && Buffer.from(s).equals(bytes) ? s : null;
}
