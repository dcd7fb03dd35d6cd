/**
 * What the CLI, the panel and the status bar say when the session file could not be written: the
 * moment it stopped and why, that recording goes on in memory, and in the end what the file holds.
 */
import type { SessionFileState } from '../../shared/model';
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

/** the note of a move: "session moved from A to B at 0:31: the old file stopped at 0:26" */
export function movedText(
  from: string,
  to: string,
  atS: number | undefined,
  stoppedAtS: number | undefined,
): string {
  const old = stoppedAtS !== undefined ? `: the old file stopped at ${formatClock(stoppedAtS)}` : '';
  return `session moved from ${from} to ${to}${at(atS)}${old}; it holds everything recorded so far`;
}

/** the note when the new place fails too: the session stays where it was */
export function moveFailedText(from: string, to: string, why: string, stillStopped: boolean): string {
  const stays = stillStopped ? '; recording goes on in memory' : '';
  return `could not move the session to ${to} — ${why}; it stays in ${from}${stays}`;
}

/** one sentence on what the file holds after a write failure */
export function fileStateSentence(state: SessionFileState): string {
  const resumed = state.resumedAtS !== undefined ? `, resumed${at(state.resumedAtS)}` : ', never resumed';
  if (state.path !== undefined && state.movedFrom !== undefined) return movedSentence(state);
  const text = `The session file holds ${state.writtenRecords} records: writing stopped${at(state.stoppedAtS)} — ${writeErrorText(state.error)}${resumed}`;
  return text + lostClause(state) + '.';
}

function movedSentence(state: SessionFileState): string {
  const stopped =
    state.stoppedAtS !== undefined
      ? ` (${writeErrorText(state.error)} at ${formatClock(state.stoppedAtS)})`
      : '';
  return `The session was moved${at(state.movedAtS)} from ${state.movedFrom}${stopped} to ${state.path}, which holds ${state.writtenRecords} records${state.lostRecords === 0 ? ': the whole session' : lostClause(state)}.`;
}

function lostClause(state: SessionFileState): string {
  if (state.lostRecords === 0) return '';
  const span =
    state.lostFromS !== undefined && state.lostToS !== undefined
      ? ` from ${formatClock(state.lostFromS)} to ${formatClock(state.lostToS)}`
      : '';
  return `; ${state.lostRecords} records${span} are missing from it`;
}
