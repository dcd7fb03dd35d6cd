/**
 * The records of a session file about the dataset and the watched folders: files appearing,
 * growing and going (checkpoints), dataset files opened and mapped, the dataset's index and its
 * page-cache residency. Times (`s`) are seconds since the session start; byte counts are integers.
 */

/** A file appeared, grew or disappeared under a watched directory. */
export interface FsRecord {
  type: 'fs';
  s: number;
  event: 'add' | 'change' | 'unlink';
  root: 'dataset' | 'checkpoint';
  path: string;
  bytes: number;
  /** the file's last modification (seconds since session start), when the watcher has it */
  mtimeS?: number;
}

/** Files of the datasets opened during one window (inotify open events). */
export interface OpensRecord {
  type: 'opens';
  s: number;
  /** opens during the window */
  count: number;
  /** distinct dataset files opened at least once since the session start */
  distinctFiles: number;
  /** epochs counted from re-opens so far (0 during the first epoch seen) */
  epoch?: number;
  /** distinct dataset files opened in the current epoch so far */
  epochFiles?: number;
  /** Σ sizes of the files opened during the window (files mapped by the tree left out) */
  bytes?: number;
  /** first and last open of the window (its opened bytes are spread between them) */
  firstS?: number;
  lastS?: number;
}

/**
 * Dataset files mapped into the tree's processes (LMDB, numpy memmap, Arrow): reads through a
 * mapping never pass read(). A page counts as read when it enters the tree's mappings (present in
 * some process while no live process held it); emitted when the totals move.
 */
export interface MappedRecord {
  type: 'mapped';
  s: number;
  /** dataset files mapped by live processes now */
  files: number;
  /** their sizes, each file once */
  mappedBytes: number;
  /** bytes of them held in live processes' mappings now (union over the tree) */
  heldBytes: number;
  /** cumulative bytes that entered the tree's mappings since the session start, never decreasing */
  residentBytes: number;
  /** live processes holding a dataset mapping */
  processes: number;
  /** faults of the processes mapping dataset files since they were first seen (exited included; all their faults, not only the dataset's) */
  majorFaults: number;
  minorFaults: number;
  /** the mapped files (up to 32), when the set changed */
  paths?: string[];
}

/** How the bytes read were counted: read() counters, capped by the files opened, and mappings. */
export type RereadMethod = 'read' | 'opens' | 'mmap' | 'read+mmap' | 'opens+mmap';

export interface SizeBucket {
  /** upper bound in bytes (inclusive); the last bucket is Infinity, written as null in JSON */
  le: number | null;
  count: number;
  bytes: number;
}

export interface DatasetIndex {
  path: string;
  /** regular files (symlinks not followed) */
  files: number;
  /** their apparent sizes */
  bytes: number;
  /** directories below `path` (the root itself not counted) */
  dirs: number;
  histogram: SizeBucket[];
  /** the directories holding the most files */
  largestDirs: { path: string; files: number }[];
  indexS: number;
  /** true when indexing stopped early (limit reached or cancelled) */
  partial: boolean;
  /** directories that could not be listed (their content is missing from the counts) */
  unreadableDirs?: number;
  /** symbolic links met (never followed, not counted as files) */
  symlinks?: number;
}

export interface DatasetRecord extends DatasetIndex {
  type: 'dataset';
  s: number;
}

/** How much of a dataset is resident in the page cache now (sampled files). */
export interface ResidencyRecord {
  type: 'residency';
  s: number;
  path: string;
  sampledFiles: number;
  sampledBytes: number;
  residentBytes: number;
}
