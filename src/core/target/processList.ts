/**
 * The processes a user may want to attach to (the extension's process picker): this user's
 * processes with a command line, Python ones first, then the busiest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTimeMs, TICKS_PER_S } from '../proc/procClock';
import { readProcLink, readProcOnce } from '../proc/procFile';
import { parseCmdline, parseStat } from '../proc/procParsers';
import { processUid } from './procOwner';

export interface TrainingCandidate {
  pid: number;
  command: string[];
  cwd?: string;
  /** CPU use over the short measurement window, % of one core */
  cpuPct?: number;
  /** wall-clock start time, Unix seconds */
  startedS: number;
  isPython: boolean;
}

/** How long CPU use is measured for. */
const CPU_WINDOW_MS = 200;

export function isPythonCommand(command: readonly string[], comm: string): boolean {
  const exe = path.basename(command[0] ?? '');
  return (
    /^python(\d+(\.\d+)*)?$/.test(exe) ||
    /^python/.test(comm) ||
    /^(torchrun|accelerate|deepspeed)$/.test(exe)
  );
}

function cpuTicks(pid: number): number | null {
  const r = readProcOnce(`/proc/${pid}/stat`);
  const s = r.ok ? parseStat(r.text) : null;
  return s === null ? null : s.utime + s.stime;
}

export async function listTrainingCandidates(): Promise<TrainingCandidate[]> {
  const me = process.getuid?.() ?? null;
  const out: TrainingCandidate[] = [];
  const ticks0 = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    // same user only; root may attach to anyone and sees every process
    if (me !== null && me !== 0 && processUid(pid) !== me) continue;
    const cmd = readProcOnce(`/proc/${pid}/cmdline`);
    const command = cmd.ok ? parseCmdline(cmd.text) : [];
    if (command.length === 0) continue; // kernel threads and zombies
    const st = readProcOnce(`/proc/${pid}/stat`);
    const stat = st.ok ? parseStat(st.text) : null;
    if (stat === null) continue;
    const cwd = readProcLink(`/proc/${pid}/cwd`);
    const candidate: TrainingCandidate = {
      pid,
      command,
      startedS: Math.round(startTimeMs(stat.startTime)) / 1000,
      isPython: isPythonCommand(command, stat.comm),
    };
    if (cwd.ok) candidate.cwd = cwd.text;
    out.push(candidate);
    ticks0.set(pid, stat.utime + stat.stime);
  }
  const t0 = Date.now();
  await new Promise((resolve) => setTimeout(resolve, CPU_WINDOW_MS));
  const elapsedS = (Date.now() - t0) / 1000;
  for (const c of out) {
    const after = cpuTicks(c.pid);
    const before = ticks0.get(c.pid);
    if (after !== null && before !== undefined) {
      c.cpuPct = Math.round(((after - before) / TICKS_PER_S / elapsedS) * 1000) / 10;
    }
  }
  return out
    .filter((c) => fs.existsSync(`/proc/${c.pid}`))
    .sort(
      (a, b) =>
        Number(b.isPython) - Number(a.isPython) ||
        (b.cpuPct ?? 0) - (a.cpuPct ?? 0) ||
        b.startedS - a.startedS,
    );
}
