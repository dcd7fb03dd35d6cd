/**
 * Settings: the one source of truth for defaults. The extension maps `trainio.*` configuration onto
 * this shape, the CLI maps its flags; core receives a `Settings` object and never reads either.
 * A unit test checks that package.json's `contributes.configuration` defaults equal `DEFAULTS`.
 */
export interface Settings {
  /** main-thread sampling interval for the stall estimator, ms (50 Hz by default) */
  threadIntervalMs: number;
  /** process-tree and /proc/PID/io sampling interval, ms */
  treeIntervalMs: number;
  /** expensive reads (fd scans, smaps_rollup, page-cache residency), ms */
  slowIntervalMs: number;
  /** length of one stall window, ms */
  stallWindowMs: number;
  /** inject the stdlib Python hook in launch mode */
  hook: boolean;
  /** watch dataset files opened through inotifywait where it is installed */
  inotify: boolean;
  /** stop indexing a dataset after this many files (the index is then marked partial) */
  maxIndexFiles: number;
  /** status bar turns to warning at this stall % */
  stallWarningPct: number;
  /** status bar turns to error at this stall % */
  stallErrorPct: number;
  /** glob patterns (relative to the workspace) tried when no dataset directory is given */
  datasetGlobs: string[];
  /** glob patterns tried when no checkpoint directory is given */
  checkpointGlobs: string[];
  /** a write burst smaller than this is not a checkpoint, bytes */
  minCheckpointBytes: number;
}

export const DEFAULTS: Readonly<Settings> = Object.freeze({
  threadIntervalMs: 20,
  treeIntervalMs: 250,
  slowIntervalMs: 30000,
  stallWindowMs: 2000,
  hook: true,
  inotify: true,
  maxIndexFiles: 5_000_000,
  stallWarningPct: 5,
  stallErrorPct: 20,
  datasetGlobs: ['data', 'dataset', 'datasets'],
  checkpointGlobs: ['checkpoints', 'ckpt', 'runs'],
  minCheckpointBytes: 1_000_000,
});

export function withDefaults(partial: Partial<Settings> = {}): Settings {
  const merged: Settings = { ...DEFAULTS, ...partial };
  merged.datasetGlobs = [...merged.datasetGlobs];
  merged.checkpointGlobs = [...merged.checkpointGlobs];
  return merged;
}
