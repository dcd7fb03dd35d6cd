/**
 * What a session file says about itself without reading it all: its header (start time, command)
 * and, when it ended, its end record (duration, exit). A list of many files (hours-long sessions
 * among them) stays instant; the full report is read only when one is opened.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EndRecord, HeaderRecord } from '../../shared/model';

export interface SessionPeek {
  file: string;
  startedAtMs: number;
  command: string[];
  pid: number;
  /** the end record's time; undefined while recording (or when the file has no end) */
  durationS?: number;
  /** the time of the file's last record: how far it reaches while recording, or when it was cut off */
  recordedS?: number;
  ended?: EndRecord;
  bytes: number;
}

const HEAD_BYTES = 64 * 1024;
const TAIL_BYTES = 16 * 1024;

function readAt(fd: number, position: number, length: number): string {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n).toString('utf8');
}

function parse(line: string | undefined): unknown {
  if (!line) return undefined;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/** undefined when the file is not a session file */
export function peekSession(file: string): SessionPeek | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = statSync(file).size;
    const header = parse(readAt(fd, 0, Math.min(size, HEAD_BYTES)).split('\n')[0]) as
      HeaderRecord | undefined;
    if (header?.type !== 'header' || typeof header.startedAtMs !== 'number') return undefined;
    const start = Math.max(0, size - TAIL_BYTES);
    const last = parse(
      readAt(fd, start, size - start)
        .split('\n')
        .filter((l) => l.trim())
        .at(-1),
    ) as (Partial<EndRecord> & { type?: string }) | undefined;
    const ended = last?.type === 'end' ? (last as EndRecord) : undefined;
    const lastS = typeof last?.s === 'number' && Number.isFinite(last.s) ? last.s : undefined;
    return {
      file,
      startedAtMs: header.startedAtMs,
      command: Array.isArray(header.target?.command) ? header.target.command : [],
      pid: header.target?.pid ?? 0,
      durationS: ended?.s,
      recordedS: lastS,
      ended,
      bytes: size,
    };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The session files (`*.jsonl`) directly in `dir`, peeked; an absent folder has none. */
export function peekSessionsIn(dir: string): SessionPeek[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.jsonl'))
    .map((n) => peekSession(join(dir, n)))
    .filter((p): p is SessionPeek => p !== undefined);
}
