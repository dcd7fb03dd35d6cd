/**
 * Which pages of the dataset files the tree's processes hold in their mappings. A file page counts
 * as read when it enters a process's mapping, unless another process brought it into its own
 * mapping after this one started, or a sibling of its own generation did (the same parent, started
 * within SIBLING_S, still alive when this one started — workers are forked one after another, and
 * under load the first may have been read before the next one exists): sibling workers (and the
 * kernel's fault-around, which maps a page's cached neighbours too) then count each page once per
 * generation, while a new generation of workers faulting the pages in again counts them again —
 * also when an older process (the main one) still holds them. Pages a persistent mapping keeps are
 * never counted twice; a page the same process faults in again (after reclaim) is.
 *
 * Memory: 10 bytes per page of each mapped file (a 10 GiB dataset: 26 MB).
 */

export interface MappedTotals {
  /** distinct dataset files held in some live process's mapping */
  files: number;
  /** their sizes, each file once */
  mappedBytes: number;
  /** pages held by live processes now (union), bytes */
  heldBytes: number;
  /** cumulative bytes that entered the tree's mappings since the start, never decreasing */
  residentBytes: number;
}

/** workers of one generation are forked within this many seconds of each other */
export const SIBLING_S = 2;
/** an exited process is remembered this long (a sibling may be seen after its exit) */
const EXITED_KEEP_S = 30;

export interface PageProcess {
  pid: number;
  /** session seconds the process started */
  startS: number;
  ppid?: number;
}

interface ProcState extends PageProcess {
  /** session seconds its exit was seen */
  exitS?: number;
}

interface FileState {
  path: string;
  size: number;
  /** live-process references per file page */
  refs: Uint16Array;
  /** when each page last entered a mapping (session seconds), and in which process */
  enteredS: Float32Array;
  enteredPid: Int32Array;
  held: number;
  mappings: number;
}

interface Held {
  fileKey: string;
  /** first file page of the mapping */
  firstPage: number;
  present: Uint8Array;
}

export class MappedPages {
  private readonly files = new Map<string, FileState>();
  /** pid → mapping id → what it holds */
  private readonly byPid = new Map<number, Map<string, Held>>();
  private enteredPages = 0;
  /** the processes that entered pages, exited ones for a while */
  private readonly procs = new Map<number, ProcState>();
  private latestS = -Infinity;

  constructor(private readonly pageBytes = 4096) {}

  /** Registers (or re-sizes) a mapped file before its pages are reported. */
  file(fileKey: string, path: string, size: number): void {
    const pages = Math.ceil(size / this.pageBytes);
    const f = this.files.get(fileKey);
    if (f === undefined) {
      this.files.set(fileKey, {
        path,
        size,
        refs: new Uint16Array(pages),
        enteredS: new Float32Array(pages).fill(-Infinity),
        enteredPid: new Int32Array(pages),
        held: 0,
        mappings: 0,
      });
    } else if (pages > f.refs.length) {
      const refs = new Uint16Array(pages);
      refs.set(f.refs);
      const enteredS = new Float32Array(pages).fill(-Infinity);
      enteredS.set(f.enteredS);
      const enteredPid = new Int32Array(pages);
      enteredPid.set(f.enteredPid);
      Object.assign(f, { refs, enteredS, enteredPid, size });
    }
  }

  /**
   * The present bits of one mapping of `pid` (started at `startS`, seen at `nowS`; `id` names the
   * mapping within the process), `firstPage` the file page of its first entry. Returns the pages
   * counted as read.
   */
  update(
    proc: PageProcess,
    nowS: number,
    id: string,
    fileKey: string,
    firstPage: number,
    present: Uint8Array,
  ): number {
    const pid = proc.pid;
    const f = this.files.get(fileKey);
    if (f === undefined) return 0;
    this.latestS = Math.max(this.latestS, nowS);
    if (!this.procs.has(pid)) this.procs.set(pid, { pid, startS: proc.startS, ppid: proc.ppid });
    let mine = this.byPid.get(pid);
    if (mine === undefined) this.byPid.set(pid, (mine = new Map()));
    let h = mine.get(id);
    if (h === undefined || h.present.length !== present.length || h.firstPage !== firstPage) {
      if (h !== undefined) this.release(h);
      h = { fileKey, firstPage, present: new Uint8Array(present.length) };
      mine.set(id, h);
      f.mappings++;
    }
    const usable = Math.min(present.length, f.refs.length - firstPage);
    let entered = 0;
    const { refs, enteredS, enteredPid } = f;
    const was = h.present;
    for (let i = 0; i < usable; i++) {
      const now = present[i];
      if (now === was[i]) continue;
      was[i] = now;
      const p = firstPage + i;
      if (now) {
        if (refs[p]++ === 0) f.held++;
        const by = enteredPid[p];
        if (by === pid || (enteredS[p] < proc.startS && !this.sibling(by, proc))) entered++;
        enteredS[p] = nowS;
        enteredPid[p] = pid;
      } else if (--refs[p] === 0) f.held--;
    }
    this.enteredPages += entered;
    return entered;
  }

  /** A mapping that is gone (unmapped, or its process re-read without it). */
  drop(pid: number, id: string): void {
    const mine = this.byPid.get(pid);
    const h = mine?.get(id);
    if (mine === undefined || h === undefined) return;
    this.release(h);
    mine.delete(id);
  }

  /** mapping ids `pid` holds */
  mappingIds(pid: number): string[] {
    return [...(this.byPid.get(pid)?.keys() ?? [])];
  }

  /** The process exited: what it held leaves the tree's mappings. */
  dropProcess(pid: number): void {
    const gone = this.procs.get(pid);
    if (gone !== undefined && gone.exitS === undefined) gone.exitS = this.latestS;
    for (const [id, q] of this.procs)
      if (q.exitS !== undefined && q.exitS < this.latestS - EXITED_KEEP_S) this.procs.delete(id);
    const mine = this.byPid.get(pid);
    if (mine === undefined) return;
    for (const h of mine.values()) this.release(h);
    this.byPid.delete(pid);
  }

  totals(): MappedTotals {
    let files = 0;
    let mappedBytes = 0;
    let held = 0;
    for (const f of this.files.values()) {
      if (f.mappings === 0) continue;
      files++;
      mappedBytes += f.size;
      held += f.held;
    }
    return {
      files,
      mappedBytes,
      heldBytes: held * this.pageBytes,
      residentBytes: this.enteredPages * this.pageBytes,
    };
  }

  /** paths of the files mapped now */
  paths(): string[] {
    return [...this.files.values()].filter((f) => f.mappings > 0).map((f) => f.path);
  }

  /** `pid` is a sibling of `proc`'s own generation: same parent, forked together, alive at its start */
  private sibling(pid: number, proc: PageProcess): boolean {
    const q = this.procs.get(pid);
    if (q === undefined || q.ppid === undefined || q.ppid !== proc.ppid) return false;
    if (Math.abs(q.startS - proc.startS) > SIBLING_S) return false;
    return q.exitS === undefined || q.exitS > proc.startS;
  }

  private release(h: Held): void {
    const f = this.files.get(h.fileKey);
    if (f === undefined) return;
    f.mappings--;
    const usable = Math.min(h.present.length, f.refs.length - h.firstPage);
    for (let i = 0; i < usable; i++) {
      if (h.present[i] && --f.refs[h.firstPage + i] === 0) f.held--;
    }
    h.present.fill(0);
  }
}
