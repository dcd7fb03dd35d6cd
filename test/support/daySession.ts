/**
 * A 24-hour session file made from a real recording (test/fixtures/sessions): the recording is
 * slowed down `stretch` times (every time and duration scaled, so rates fall by that factor while
 * stall shares, bytes per epoch and checkpoint sizes stay the job's own) and its training part
 * (first epoch start → end) replayed back to back until the day is full, as if the job's loop ran
 * on; cumulative counters carried on. The result is what a day of the same job
 * on slower storage would record: thousands of epochs and checkpoints, one stall window every
 * `2 × stretch` seconds.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import type { IoCounters, SessionRecord, SystemRecord } from '../../src/shared/model';

export const DAY_S = 24 * 3600;

export interface DaySessionOptions {
  fixture: string;
  out: string;
  durationS?: number;
  stretch?: number;
}

export interface DaySession {
  file: string;
  durationS: number;
  cycles: number;
  records: number;
  /** epochs and checkpoints of one cycle (the recording's own) */
  epochsPerCycle: number;
  savesPerCycle: number;
}

/** records that describe the job once, not each replay */
const ONCE = new Set<SessionRecord['type']>(['header', 'dataset', 'loader', 'runtime', 'note', 'residency']);

export async function writeDaySession(o: DaySessionOptions): Promise<DaySession> {
  const records = readFileSync(o.fixture, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SessionRecord);
  const stretch = o.stretch ?? 20;
  const durationS = o.durationS ?? DAY_S;
  const end = records.find((r) => r.type === 'end');
  if (!end || end.type !== 'end') throw new Error(`${o.fixture} has no end record`);
  const marks = records.flatMap((r) => (r.type === 'epochMark' ? [r.s] : []));
  const loopStart = marks.length ? Math.min(...marks) : 0;
  const periodS = end.s - loopStart;
  const cycles = Math.max(1, Math.ceil((durationS / stretch - loopStart) / periodS));
  const at = <T extends SessionRecord['type']>(type: T, before: number) =>
    [...records].reverse().find((r) => r.type === type && 's' in r && r.s <= before) as
      Extract<SessionRecord, { type: T }> | undefined;
  const growth: Growth = {
    tree: delta(at('tree', Infinity), at('tree', loopStart)),
    system: delta(at('system', Infinity), at('system', loopStart)),
  };
  const stream = createWriteStream(o.out);
  let written = 0;
  const write = async (r: SessionRecord): Promise<void> => {
    written++;
    if (!stream.write(JSON.stringify(r) + '\n')) await once(stream, 'drain');
  };
  for (let c = 0; c < cycles; c++) {
    const s = (x: number): number => Math.round((x + c * periodS) * stretch * 1000) / 1000;
    for (const r of records) {
      // records after the end (a last watcher flush) would land inside the next replay
      if (r.type === 'end' || timeOf(r) > end.s) continue;
      if (c > 0 && (ONCE.has(r.type) || timeOf(r) < loopStart)) continue;
      await write(retimed(r, s, stretch, c, growth));
    }
  }
  const endS = Math.round((end.s + (cycles - 1) * periodS) * stretch * 1000) / 1000;
  await write({ ...end, s: endS });
  stream.end();
  await once(stream, 'finish');
  return {
    file: o.out,
    durationS: endS,
    cycles,
    records: written,
    epochsPerCycle: records.filter((r) => r.type === 'epochMark' && r.source === 'hook').length,
    savesPerCycle: records.filter((r) => r.type === 'save').length,
  };
}

/** what the cumulative counters grow by over one replayed period */
interface Growth {
  tree: { io: IoCounters; cpuS: number };
  system: { diskReadBytes: number; diskWriteBytes: number };
}

function delta(
  last: SessionRecord | undefined,
  first: SessionRecord | undefined,
): Growth['tree'] & Growth['system'] {
  const io: IoCounters = { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0, majorFaults: 0 };
  const out = { io, cpuS: 0, diskReadBytes: 0, diskWriteBytes: 0 };
  if (last?.type === 'tree') {
    const from = first?.type === 'tree' ? first : undefined;
    for (const key of Object.keys(io) as (keyof IoCounters)[]) io[key] = last.io[key] - (from?.io[key] ?? 0);
    out.cpuS = last.cpuS - (from?.cpuS ?? 0);
  }
  if (last?.type === 'system') {
    const from = first?.type === 'system' ? first : undefined;
    out.diskReadBytes = last.diskReadBytes - (from?.diskReadBytes ?? 0);
    out.diskWriteBytes = last.diskWriteBytes - (from?.diskWriteBytes ?? 0);
  }
  return out;
}

function timeOf(r: SessionRecord): number {
  return 's' in r ? r.s : 'startS' in r ? r.startS : 0;
}

function retimed(
  r: SessionRecord,
  s: (x: number) => number,
  k: number,
  cycle: number,
  growth: Growth,
): SessionRecord {
  const scaled = (x: number | null): number | null => (x === null ? null : Math.round(x * k * 1e6) / 1e6);
  switch (r.type) {
    case 'header':
      return r;
    case 'save':
      return { ...r, startS: s(r.startS), endS: s(r.endS) };
    case 'stall':
      return {
        ...r,
        s: s(r.s),
        windowS: scaled(r.windowS) as number,
        waitS: scaled(r.waitS) as number,
        loopS: scaled(r.loopS) as number,
        ...(r.handoffS !== undefined ? { handoffS: scaled(r.handoffS) as number } : {}),
        ...(r.fetchS !== undefined ? { fetchS: scaled(r.fetchS) as number } : {}),
        ...(r.prepS !== undefined ? { prepS: scaled(r.prepS) as number } : {}),
      };
    case 'epochWaits':
      return {
        ...r,
        s: s(r.s),
        endS: s(r.endS),
        iterS: scaled(r.iterS) as number,
        firstNextS: scaled(r.firstNextS),
        typicalNextS: scaled(r.typicalNextS),
        stopS: scaled(r.stopS),
      };
    case 'opens':
      return {
        ...r,
        s: s(r.s),
        ...(r.firstS !== undefined ? { firstS: s(r.firstS) } : {}),
        ...(r.lastS !== undefined ? { lastS: s(r.lastS) } : {}),
      };
    case 'fs':
      return { ...r, s: s(r.s), ...(r.mtimeS !== undefined ? { mtimeS: s(r.mtimeS) } : {}) };
    case 'tree': {
      const io = { ...r.io };
      for (const key of Object.keys(io) as (keyof IoCounters)[]) io[key] += cycle * growth.tree.io[key];
      const cpuS = Math.round((r.cpuS + cycle * growth.tree.cpuS) * k * 100) / 100;
      return { ...r, s: s(r.s), io, cpuS };
    }
    case 'system': {
      const carried = (key: 'diskReadBytes' | 'diskWriteBytes'): number =>
        r[key] + cycle * growth.system[key];
      const out: SystemRecord = {
        ...r,
        s: s(r.s),
        diskReadBytes: carried('diskReadBytes'),
        diskWriteBytes: carried('diskWriteBytes'),
      };
      return out;
    }
    default:
      return 's' in r ? ({ ...r, s: s(r.s) } as SessionRecord) : r;
  }
}
