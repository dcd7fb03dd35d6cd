/**
 * A tiny real SourceContext for tests: records go into an array, notes become NoteRecords.
 */
import type { RecordSink, SourceContext } from '../../src/core/source';
import { secondsSince } from '../../src/core/source';
import type { SessionRecord, SessionRecordType } from '../../src/shared/model';
import { withDefaults, type Settings } from '../../src/shared/settings';

export interface Harness {
  ctx: SourceContext;
  records: SessionRecord[];
  of<T extends SessionRecordType>(type: T): Extract<SessionRecord, { type: T }>[];
}

export function sourceHarness(settings: Partial<Settings> = {}, startedAtMs = Date.now()): Harness {
  const records: SessionRecord[] = [];
  const sink: RecordSink = { emit: (r) => records.push(r) };
  const ctx: SourceContext = {
    startedAtMs,
    settings: withDefaults(settings),
    sink,
    now: () => secondsSince(startedAtMs),
    note: (level, message) => records.push({ type: 'note', s: secondsSince(startedAtMs), level, message }),
  };
  return {
    ctx,
    records,
    of: <T extends SessionRecordType>(type: T) =>
      records.filter((r): r is Extract<SessionRecord, { type: T }> => r.type === type),
  };
}
