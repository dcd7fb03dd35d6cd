/**
 * Attach mode's way to learn that the job ended, independent of the samplers: the root PID is gone,
 * or it is a zombie (ended, not yet reaped by its parent — it will never run again).
 */
import { readFileSync } from 'node:fs';

export interface RootWatch {
  readonly exited: Promise<void>;
  stop(): void;
}

export function isRootAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function watchRoot(pid: number, intervalMs = 500): RootWatch {
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<void>((resolve) => {
    timer = setInterval(() => {
      if (isRootAlive(pid)) return;
      clearInterval(timer);
      resolve();
    }, intervalMs);
    timer.unref();
  });
  return { exited, stop: () => clearInterval(timer) };
}
