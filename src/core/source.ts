import type { NoteRecord, SessionRecord } from '../shared/model';
import type { Settings } from '../shared/settings';

/** Where every source delivers its records: the recorder appends them to disk and feeds the analyses. */
export interface RecordSink {
  emit(record: SessionRecord): void;
}

export interface SourceContext {
  /** wall-clock ms (Date.now()) of the session start; record times are seconds since then */
  readonly startedAtMs: number;
  readonly settings: Settings;
  readonly sink: RecordSink;
  /** seconds since the session start */
  now(): number;
  note(level: NoteRecord['level'], message: string): void;
}

/** A producer of session records (a sampler, a watcher, the hook reader). */
export interface Source {
  readonly name: string;
  start(ctx: SourceContext): Promise<void> | void;
  /** stop sampling and flush what is pending; must not throw */
  stop(): Promise<void>;
}

export function secondsSince(startedAtMs: number, atMs: number = Date.now()): number {
  return Math.round((atMs - startedAtMs) * 1000) / 1e6;
}
