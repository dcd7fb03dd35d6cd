/**
 * What the CLI, the panel and the status bar say when the session file could not be written: the
 * moment it stopped and why, that recording goes on in memory, and in the end what the file holds.
 */
import type { NoteRecord, SessionFileState } from '../../shared/model';
import { formatClock } from '../../shared/format';

const WHY: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EIO: 'I/O error',
  EFBIG: 'file too large',
  EROFS: 'read-only filesystem',
  ESTALE: 'stale network file handle',
};

export function writeErrorText(code: string | undefined): string {
  return code ? `${WHY[code] ?? 'write error'} (${code})` : 'write error';
}

const at = (s: number | undefined): string => (s === undefined ? '' : ` at ${formatClock(s)}`);

export function stoppedText(code: string, atS: number | undefined): string {
  return `session file stopped${at(atS)} — ${writeErrorText(code)}; recording goes on in memory and is written when space returns`;
}

export function resumedText(atS: number | undefined, lostRecords: number): string {
  const lost =
    lostRecords > 0 ? `; ${lostRecords} records did not fit in memory and are missing from it` : '';
  return `session file writing resumed${at(atS)}: the records kept in memory were written${lost}`;
}

/** one sentence on what the file holds after a write failure */
export function fileStateSentence(state: SessionFileState): string {
  const resumed = state.resumedAtS !== undefined ? `, resumed${at(state.resumedAtS)}` : ', never resumed';
  let text = `The session file holds ${state.writtenRecords} records: writing stopped${at(state.stoppedAtS)} — ${writeErrorText(state.error)}${resumed}`;
  if (state.lostRecords > 0) {
    const span =
      state.lostFromS !== undefined && state.lostToS !== undefined
        ? ` from ${formatClock(state.lostFromS)} to ${formatClock(state.lostToS)}`
        : '';
    text += `; ${state.lostRecords} records${span} are missing from it`;
  }
  return text + '.';
}

/** the warning a view should show now: the session file stopped and has not resumed since */
export function fileStoppedWarning(notes: readonly NoteRecord[]): string | undefined {
  const last = notes.filter((n) => n.about === 'session-file' && !n.message.startsWith('only ')).at(-1);
  return last?.message.startsWith('session file stopped') ? last.message : undefined;
}
