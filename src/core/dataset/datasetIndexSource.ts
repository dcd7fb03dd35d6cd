import type { DatasetIndex, DatasetRecord } from '../../shared/model';
import { isTrainioError } from '../errors';
import { formatBytes } from '../report/units';
import type { Source, SourceContext } from '../source';
import { indexDataset, type DatasetIndexResult, type IndexProgress } from './datasetIndexer';

/** at most one progress note per dataset this often */
export const PROGRESS_NOTE_EVERY_MS = 5000;

/**
 * Indexes each dataset directory in the background when the session starts and emits one
 * `dataset` record per directory (partial when stopped early), with progress notes on big trees
 * and a note for each problem (missing directory, unreadable subdirectories).
 */
export class DatasetIndexSource implements Source {
  readonly name = 'datasetIndex';
  private readonly abort = new AbortController();
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly dirs: string[]) {}

  start(ctx: SourceContext): void {
    this.running = Promise.all(this.dirs.map((dir) => this.indexOne(dir, ctx))).then(() => undefined);
  }

  /** Resolves when every directory has been indexed (or failed). */
  done(): Promise<void> {
    return this.running;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async indexOne(dir: string, ctx: SourceContext): Promise<void> {
    let lastNoteMs = Date.now();
    const onProgress = (p: IndexProgress): void => {
      const now = Date.now();
      if (now - lastNoteMs < PROGRESS_NOTE_EVERY_MS) return;
      lastNoteMs = now;
      ctx.note(
        'info',
        `indexing ${dir}: ${p.files.toLocaleString('en-US')} files, ${formatBytes(p.bytes)} so far`,
      );
    };
    let result: DatasetIndexResult;
    try {
      result = await indexDataset(dir, {
        maxFiles: ctx.settings.maxIndexFiles,
        onProgress,
        signal: this.abort.signal,
      });
    } catch (e) {
      ctx.note('warning', isTrainioError(e) ? e.message : `indexing ${dir} failed: ${String(e)}`);
      return;
    }
    const record: DatasetRecord = { type: 'dataset', s: ctx.now(), ...datasetIndexOf(result) };
    ctx.sink.emit(record);
    noteProblems(result, ctx);
  }
}

/** The session-record part of an index result (drops the sample and diagnostics). */
export function datasetIndexOf(r: DatasetIndexResult): DatasetIndex {
  const { sample: _sample, unreadablePaths: _paths, errors: _errors, ...index } = r;
  return index;
}

function noteProblems(r: DatasetIndexResult, ctx: SourceContext): void {
  const files = r.files.toLocaleString('en-US');
  if (r.partial && r.files >= ctx.settings.maxIndexFiles) {
    ctx.note('info', `dataset ${r.path}: indexing stopped at ${files} files (maxIndexFiles)`);
  } else if (r.partial) {
    ctx.note('info', `dataset ${r.path}: indexing stopped by the end of the session at ${files} files`);
  }
  if ((r.unreadableDirs ?? 0) > 0) {
    const more = (r.unreadableDirs ?? 0) > r.unreadablePaths.length ? ', …' : '';
    ctx.note(
      'warning',
      `dataset ${r.path}: ${r.unreadableDirs} director${r.unreadableDirs === 1 ? 'y' : 'ies'} could not be read ` +
        `(${r.unreadablePaths.join(', ')}${more}); their files are not counted`,
    );
  }
  for (const line of r.errors) ctx.note('warning', `dataset ${r.path}: ${line}`);
}
