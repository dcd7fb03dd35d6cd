/**
 * Session files of a multi-node job, made from a real recording (test/fixtures/sessions): copy i is
 * rank i on host node-⌊i / ranksPerNode⌋, its rank records added and its records tagged with the
 * rank. So that the ranks differ as they do in a real job, each rank's data waits are scaled by a
 * fixed factor (one rank, the straggler, waits the most); `repeat` replays the recording that many
 * times back to back (counters carried on, times shifted) for long sessions. The files' own reports
 * are the truth a merged report is checked against.
 *
 *   node --import tsx bench/jobSessions.ts OUT_DIR [count=64] [repeat=1] [ranksPerNode=8]
 */
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import type { IoCounters, SessionRecord } from '../src/shared/model';

export const FIXTURE = resolve(__dirname, '..', 'test', 'fixtures', 'sessions', 'launch-torch.trainio.jsonl');

export interface JobSessionOptions {
  count: number;
  repeat?: number;
  ranksPerNode?: number;
  /** the rank that waits the most */
  straggler?: number;
  fixture?: string;
}

export interface JobSessionFile {
  file: string;
  host: string;
  rank: number;
  /** the factor its data waits were scaled by */
  waitScale: number;
}

/** ranks wait between 0.6× and 1.2× the recording's waits; the straggler 1.6× */
export function waitScale(rank: number, straggler: number): number {
  return rank === straggler ? 1.6 : 0.6 + (0.6 * ((rank * 37) % 64)) / 64;
}

export async function writeJobSessions(outDir: string, o: JobSessionOptions): Promise<JobSessionFile[]> {
  const records = readFileSync(o.fixture ?? FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SessionRecord);
  const perNode = o.ranksPerNode ?? 8;
  const straggler = o.straggler ?? Math.min(o.count - 1, 5);
  const out: JobSessionFile[] = [];
  for (let rank = 0; rank < o.count; rank++) {
    const host = `node-${String(Math.floor(rank / perNode)).padStart(2, '0')}`;
    const dir = join(outDir, host);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `rank-${String(rank).padStart(3, '0')}.trainio.jsonl`);
    const scale = waitScale(rank, straggler);
    await writeLines(
      file,
      shifted(records, { host, rank, scale, repeat: o.repeat ?? 1, worldSize: o.count, perNode }),
    );
    out.push({ file, host, rank, waitScale: scale });
  }
  return out;
}

interface Shift {
  host: string;
  rank: number;
  scale: number;
  repeat: number;
  worldSize: number;
  perNode: number;
}

function* shifted(records: SessionRecord[], o: Shift): Generator<SessionRecord> {
  const end = records.find((r) => r.type === 'end');
  const cycleS = end && end.type === 'end' ? end.s : 0;
  const lastTree = [...records].reverse().find((r) => r.type === 'tree');
  const cycleIo = lastTree?.type === 'tree' ? lastTree.io : undefined;
  const cycleCpu = lastTree?.type === 'tree' ? lastTree.cpuS : 0;
  for (let c = 0; c < o.repeat; c++) {
    const dt = c * cycleS;
    for (const r of records) {
      if (r.type === 'header') {
        if (c > 0) continue;
        yield { ...r, env: { ...r.env, host: o.host }, target: { ...r.target, pid: r.target.pid + o.rank } };
        yield {
          type: 'rank',
          s: 0.001,
          rank: o.rank,
          pid: r.target.pid + o.rank,
          localRank: o.rank % o.perNode,
          worldSize: o.worldSize,
          source: 'env',
          launcher: 'torchrun',
        };
        continue;
      }
      if (r.type === 'end' && c < o.repeat - 1) continue;
      if (r.type === 'dataset' && c > 0) continue;
      yield retimed(r, dt, c, o, cycleIo, cycleCpu);
    }
  }
}

function retimed(
  r: SessionRecord,
  dt: number,
  cycle: number,
  o: Shift,
  cycleIo: IoCounters | undefined,
  cycleCpu: number,
): SessionRecord {
  const s = (x: number): number => Math.round((x + dt) * 1000) / 1000;
  switch (r.type) {
    case 'save':
      return { ...r, startS: s(r.startS), endS: s(r.endS), rank: o.rank };
    case 'stall':
      return { ...r, s: s(r.s), rank: o.rank, waitS: Math.min(r.loopS, r.waitS * o.scale) };
    case 'loader':
    case 'epochMark':
      return { ...r, s: s(r.s), rank: o.rank };
    case 'tree': {
      if (!cycleIo || cycle === 0) return { ...r, s: s(r.s) };
      const io = { ...r.io };
      for (const k of Object.keys(io) as (keyof IoCounters)[]) io[k] += cycle * cycleIo[k];
      return { ...r, s: s(r.s), io, cpuS: Math.round((r.cpuS + cycle * cycleCpu) * 100) / 100 };
    }
    default:
      return 's' in r ? ({ ...r, s: s(r.s) } as SessionRecord) : r;
  }
}

async function writeLines(file: string, records: Iterable<SessionRecord>): Promise<void> {
  const stream = createWriteStream(file);
  for (const r of records) {
    if (!stream.write(JSON.stringify(r) + '\n')) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}

if (require.main === module) {
  const [outDir, count, repeat, perNode] = process.argv.slice(2);
  if (!outDir) {
    process.stderr.write(
      'usage: node --import tsx bench/jobSessions.ts OUT_DIR [count] [repeat] [ranksPerNode]\n',
    );
    process.exit(2);
  }
  void writeJobSessions(resolve(outDir), {
    count: Number(count ?? 64),
    repeat: Number(repeat ?? 1),
    ranksPerNode: Number(perNode ?? 8),
  }).then((files) => process.stdout.write(`wrote ${files.length} session files under ${outDir}\n`));
}
