/**
 * Epoch boundaries from DataLoader worker respawns: with non-persistent workers PyTorch shuts the
 * workers down at the end of every epoch and forks a new set when the next epoch's iterator is
 * created. A worker that appears while no worker of the current generation is alive starts a new
 * generation; its start time (from /proc, 10 ms resolution) marks the epoch. Workers that appear
 * while others are alive join the generation (more workers, or a second loader).
 */

export interface WorkerSeen {
  pid: number;
  /** wall-clock ms the worker started */
  startMs: number;
}

export class WorkerGenerations {
  private current = new Set<number>();
  private seen = new Set<number>();
  private first = true;
  generations = 0;

  constructor(private readonly sessionStartMs: number) {}

  /** Feeds the live workers of one tree sample; returns the wall-clock ms of a new generation, or null. */
  update(workers: readonly WorkerSeen[]): number | null {
    const live = new Set(workers.map((w) => w.pid));
    const newcomers = workers.filter((w) => !this.seen.has(w.pid));
    const currentAlive = [...this.current].some((pid) => live.has(pid));
    for (const w of newcomers) this.seen.add(w.pid);
    const wasFirst = this.first;
    this.first = false;
    if (newcomers.length === 0) return null;
    if (currentAlive) {
      for (const w of newcomers) this.current.add(w.pid);
      return null;
    }
    this.current = new Set(newcomers.map((w) => w.pid));
    const startMs = Math.min(...newcomers.map((w) => w.startMs));
    // Workers already running when trainio attached belong to an epoch that started before it.
    if (wasFirst && startMs < this.sessionStartMs) return null;
    this.generations++;
    return startMs;
  }
}
