/**
 * How a session is named wherever it is listed (the Sessions view, "Which session?", the panel's
 * tab): the script, when it started, how long it ran and its stall — and how its file is shown
 * (`~/…`, or just the name inside the sessions folder). Also the order and dedupe of such lists:
 * newest first, one row per file. Pure.
 */

export interface SessionFacts {
  file: string;
  /** the script (train.py), else the program, else `PID n` */
  script: string;
  /** ISO time, or undefined when the file does not say */
  startedAt?: string;
  durationS?: number;
  stallPct?: number | null;
  stallMethod?: string;
  live: boolean;
}

export interface SessionName {
  label: string;
  description: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** 14:03 today, "Dec 1 14:03" another day of this year, "2025-12-01 14:03" before */
export function startText(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === now.toDateString()) return time;
  if (d.getFullYear() === now.getFullYear())
    return `${d.toLocaleString('en-US', { month: 'short' })} ${d.getDate()} ${time}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** 42 s, 2 min 10 s, 3 h 05 min, 2 d 4 h */
export function durationText(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min ${pad(t % 60)} s`;
  if (t < 86400) return `${Math.floor(t / 3600)} h ${pad(Math.floor((t % 3600) / 60))} min`;
  return `${Math.floor(t / 86400)} d ${Math.floor((t % 86400) / 3600)} h`;
}

export function sessionName(f: SessionFacts, now: Date = new Date()): SessionName {
  const parts: string[] = [];
  const started = f.startedAt ? startText(f.startedAt, now) : '';
  if (started) parts.push(started);
  if (f.durationS !== undefined)
    parts.push(f.live ? `recording ${durationText(f.durationS)}` : durationText(f.durationS));
  else if (f.live) parts.push('recording');
  if (f.stallPct !== undefined && f.stallPct !== null)
    parts.push(`stall ${Math.round(f.stallPct)}%${f.stallMethod === 'estimated' ? ' (est.)' : ''}`);
  return { label: f.script, description: parts.join(' · ') };
}

/** `/home/u/runs/x.jsonl` → `~/runs/x.jsonl`; a file in the sessions folder → its name */
export function readablePath(file: string, home?: string, sessionsDir?: string): string {
  if (sessionsDir && file.startsWith(`${sessionsDir.replace(/\/$/, '')}/`))
    return file.slice(sessionsDir.replace(/\/$/, '').length + 1);
  if (home && home !== '/' && (file === home || file.startsWith(`${home}/`)))
    return `~${file.slice(home.length)}`;
  return file;
}

/** One row per file (the first seen wins: pass live sessions first), newest first. */
export function newestFirst<T extends Pick<SessionFacts, 'file' | 'startedAt'>>(
  list: readonly T[],
  sameFile: (file: string) => string = (f) => f,
): T[] {
  const seen = new Set<string>();
  const unique = list.filter((s) => {
    const key = sameFile(s.file);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const time = (s: T): number => (s.startedAt ? Date.parse(s.startedAt) || 0 : 0);
  return unique.sort((a, b) => time(b) - time(a));
}
