import { FileEpochTable, PathHash } from './fileEpochTable';

/** An epoch boundary found from re-opens: `s` is the time of the first re-open of the run. */
export interface ReopenBoundary {
  s: number;
  /** the epoch that starts here (1 for the second epoch seen) */
  epoch: number;
  /** distinct files the epoch that ends here opened */
  previousEpochFiles: number;
}

/**
 * A re-open among the latest opens is a second open of the same sample (header, then data), not
 * a new epoch. The window is half an epoch, at least MIN and at most MAX opens.
 */
const RECENT_MIN = 16;
const RECENT_MAX = 64;
/** re-opened files needed to confirm a boundary: 1% of the epoch's files, within these bounds */
const CONFIRM_MIN = 3;
const CONFIRM_MAX = 32;
const CONFIRM_SHARE = 0.01;
/** an epoch needs at least this many files before a re-open can end it */
const MIN_EPOCH_FILES = 2;
const MAX_STRAY_FILES = 4096;

type Hash = [number, number];

interface Candidate {
  s: number;
  /** files of the current epoch opened again since `s`: the evidence */
  reopened: Map<number, Hash>;
  /** recent re-opens since `s`: not evidence, but they belong to the new epoch if it is one */
  late: Map<number, Hash>;
  /** the recent re-opens that came before the first evidence (the ones that date `s`) */
  leading: number[];
  /**
   * Opens still to see before a candidate made only of recent re-opens may be confirmed (a tiny
   * dataset, or the first samples of a loader opening each file twice?): the same files opened
   * once more confirm it.
   */
  probation: number;
}

/**
 * Finds epoch boundaries in a stream of dataset file opens: training reads every file once per
 * epoch, so the first file opened a second time starts a new epoch. Made robust against:
 * - a sample opening its file twice (header, then data): a re-open among the latest opens is not
 *   evidence of a new epoch — unless every file of the epoch comes back that way (a dataset
 *   smaller than the window);
 * - stray re-opens (a label or index file opened for every sample): a boundary is confirmed only
 *   once several distinct files were re-opened (1% of the epoch, 3 to 32) with no file new to the
 *   epoch in between; a new file drops the candidate, and its files never count as re-opens again.
 * Any file new to the epoch opened after a re-open therefore drops that re-open as evidence.
 * The boundary is dated at the first re-open of the run that confirmed it. Assumes each epoch
 * reads each file about once (sampling with replacement defeats it).
 */
export class ReopenEpochDetector {
  private readonly table = new FileEpochTable();
  private readonly hash = new PathHash();
  private readonly recent1 = new Uint32Array(RECENT_MAX);
  private readonly recent2 = new Uint32Array(RECENT_MAX);
  private recentAt = 0;
  private readonly stray = new Set<number>();
  /** recent re-opens since the last new file, with no candidate open: the start of a run, maybe */
  private lateRun = new Map<number, { s: number; hash: Hash }>();
  private candidate: Candidate | null = null;
  /**
   * Files that joined the current epoch only as leading recent re-opens: maybe the last samples'
   * second opens rather than the epoch's first files. Opened again, they are no evidence.
   */
  private provisional = new Set<number>();
  private epochIndex = 0;
  private filesThisEpoch = 0;
  private filesLastEpoch = 0;

  /** distinct files opened since the start */
  get distinctFiles(): number {
    return this.table.size;
  }

  /** epochs ended so far (0 during the first epoch seen) */
  get epoch(): number {
    return this.epochIndex;
  }

  /** distinct files opened in the current epoch so far */
  get epochFiles(): number {
    return this.filesThisEpoch;
  }

  /** Feeds one open of `path` (its bytes) at time `s`; returns a boundary when one is confirmed. */
  open(path: Uint8Array | string, s: number): ReopenBoundary | null {
    const { h1, h2 } = this.hash.of(typeof path === 'string' ? Buffer.from(path) : path);
    return this.openHashed(h1, h2, s);
  }

  openHashed(h1: number, h2: number, s: number): ReopenBoundary | null {
    const key = keyOf(h1, h2);
    const c = this.candidate;
    if (c && c.probation > 0 && c.reopened.has(key)) {
      const boundary = this.confirm(c);
      this.openHashed(h1, h2, s);
      return boundary;
    }
    if (this.table.get(h1, h2) !== this.epochIndex) {
      if (c) this.drop(c);
      this.join(h1, h2);
      this.lateRun.clear();
    } else if (this.stray.has(key)) {
      // a file re-opened all along: never evidence
    } else if (this.provisional.delete(key) || this.isRecent(h1, h2)) {
      this.recentReopen(key, [h1, h2], s);
    } else {
      this.reopen(key, [h1, h2], s);
    }
    this.remember(h1, h2);
    return this.decide();
  }

  private recentReopen(key: number, hash: Hash, s: number): void {
    const c = this.candidate;
    if (c) {
      c.late.set(key, hash);
      return;
    }
    if (!this.lateRun.has(key)) this.lateRun.set(key, { s, hash });
    // the whole epoch came back without a new file in between: a dataset smaller than the window?
    if (this.filesThisEpoch >= MIN_EPOCH_FILES && this.lateRun.size >= this.filesThisEpoch) {
      const run = [...this.lateRun.entries()];
      this.candidate = {
        s: run[0][1].s,
        reopened: new Map(),
        late: new Map(),
        leading: [],
        probation: this.filesThisEpoch,
      };
      for (const [k, r] of run) this.candidate.reopened.set(k, r.hash);
      this.lateRun.clear();
    }
  }

  private reopen(key: number, hash: Hash, s: number): void {
    if (this.filesThisEpoch < MIN_EPOCH_FILES) return;
    if (!this.candidate) {
      // recent re-opens just before may be the new epoch's first files: they date the boundary
      // and join it, but they are no evidence (they may be the last samples' second opens)
      const run = [...this.lateRun.values()];
      this.candidate = {
        s: run.length > 0 ? run[0].s : s,
        reopened: new Map(),
        late: new Map(),
        leading: [],
        probation: 0,
      };
      for (const [k, r] of this.lateRun) this.candidate.late.set(k, r.hash);
      this.candidate.leading = [...this.lateRun.keys()];
      this.lateRun.clear();
    }
    this.candidate.reopened.set(key, hash);
  }

  private decide(): ReopenBoundary | null {
    const c = this.candidate;
    if (!c) return null;
    if (c.probation > 0) {
      c.probation--;
      return null;
    }
    const n = this.filesThisEpoch;
    // evidence plus the whole epoch back without a new file: a dataset smaller than the window
    if (c.reopened.size > 0 && c.reopened.size + c.late.size >= n) return this.confirm(c);
    const needed = Math.min(n, Math.max(CONFIRM_MIN, Math.min(CONFIRM_MAX, Math.ceil(n * CONFIRM_SHARE))));
    return c.reopened.size >= needed ? this.confirm(c) : null;
  }

  /** A file new to the epoch came after the candidate's re-opens: they were strays. */
  private drop(c: Candidate): void {
    this.candidate = null;
    if (c.probation > 0) return; // recent re-opens only: second opens, not strays
    for (const key of c.reopened.keys()) if (this.stray.size < MAX_STRAY_FILES) this.stray.add(key);
  }

  /**
   * At the end of the stream: confirms a boundary still on probation that nothing contradicted
   * (a tiny dataset's last epoch), so that it is not lost.
   */
  finish(): ReopenBoundary | null {
    const c = this.candidate;
    if (!c || c.probation <= 0) return null;
    return this.confirm(c);
  }

  private confirm(c: Candidate): ReopenBoundary {
    const previousEpochFiles = this.filesThisEpoch;
    this.candidate = null;
    this.filesLastEpoch = previousEpochFiles;
    this.epochIndex++;
    this.filesThisEpoch = 0;
    for (const [h1, h2] of [...c.reopened.values(), ...c.late.values()]) this.join(h1, h2);
    this.provisional = new Set(c.leading.filter((k) => !c.reopened.has(k)));
    return { s: c.s, epoch: this.epochIndex, previousEpochFiles };
  }

  /** counts the file in the current epoch (once) */
  private join(h1: number, h2: number): void {
    if (this.table.get(h1, h2) === this.epochIndex) return;
    this.table.set(h1, h2, this.epochIndex);
    this.filesThisEpoch++;
  }

  private isRecent(h1: number, h2: number): boolean {
    const half = Math.floor(Math.max(this.filesThisEpoch, this.filesLastEpoch) / 2);
    const n = Math.min(RECENT_MAX, Math.max(RECENT_MIN, half));
    for (let i = 1; i <= n; i++) {
      const j = (this.recentAt - i + RECENT_MAX) % RECENT_MAX;
      if (this.recent1[j] === h1 && this.recent2[j] === h2) return true;
    }
    return false;
  }

  private remember(h1: number, h2: number): void {
    this.recent1[this.recentAt] = h1;
    this.recent2[this.recentAt] = h2;
    this.recentAt = (this.recentAt + 1) % RECENT_MAX;
  }
}

/** 53 bits of the 64-bit hash, as a number usable as a Set/Map key */
function keyOf(h1: number, h2: number): number {
  return h1 * 0x200000 + (h2 & 0x1fffff);
}
