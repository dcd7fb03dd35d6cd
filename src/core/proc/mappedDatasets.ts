/**
 * Reads through memory-mapped dataset files (LMDB, numpy memmap, Arrow) never pass read(): this
 * source measures them from the mappings. On the process tree's own tick (no timer of its own) it
 * finds the dataset files each process maps (`/proc/PID/maps`, re-read for new processes and then
 * less and less often), reads the present bits of just those address ranges (`/proc/PID/pagemap`),
 * and keeps the union over the tree (see MappedPages). It emits a `mapped` record whenever the
 * totals move (and the unchanged state just before a move, so that interpolating between records
 * is right), with the major/minor faults of the processes that map dataset files.
 */
import * as fs from 'node:fs';
import { resolve, sep } from 'node:path';
import type { MappedRecord } from '../../shared/model';
import { noteMappedFile } from '../dataset/mappedFiles';
import type { SourceContext, Source } from '../source';
import { parseDatasetMappings, type FileMapping } from './mapsParser';
import { MappedPages } from './mappedPages';
import { PagemapFile } from './pagemapFile';
import { pageSize } from './procClock';
import { ProcFile } from './procFile';
import { parseStat } from './procParsers';
import type { TreeSampler } from './treeSampler';

/**
 * maps is re-read every tick while a process is young (workers map their files at their first
 * sample, after the imports), then after 2, 4, … ticks, at most every this many ticks
 */
const MAPS_EVERY_MAX_TICKS = 40;
const YOUNG_S = 5;
/** pagemap bytes read per tick at most (8 MiB ≈ 4 GiB of mappings); the rest waits a tick */
const PAGEMAP_BUDGET_BYTES = 8 << 20;

interface Tracked {
  pid: number;
  ppid?: number;
  /** session seconds the process started (negative: before the session) */
  startS: number;
  maps: ProcFile;
  pagemap: PagemapFile;
  stat: ProcFile;
  mappings: Map<string, FileMapping & { pages: number; firstPage: number; present: Uint8Array }>;
  nextMapsTick: number;
  mapsEvery: number;
  lastPagemapTick: number;
  faults: { minor: number; major: number; baseMinor: number; baseMajor: number } | null;
}

export class MappedDatasets implements Source {
  readonly name = 'mapped';
  private readonly prefixes: string[];
  private readonly pages: MappedPages;
  private readonly pageBytes = pageSize();
  private readonly procs = new Map<number, Tracked>();
  private readonly sizes = new Map<string, number>();
  private unsubscribe: (() => void) | null = null;
  private ctx: SourceContext | null = null;
  private tickNo = 0;
  private readonly exitedFaults = { minor: 0, major: 0 };
  private last: MappedRecord | null = null;
  private lastEmitted = true;
  private deniedNoted = false;
  /** the earliest start (session seconds) of the processes whose pages were counted this tick */
  private earliestEntryS = Infinity;
  /** CPU microseconds spent in ticks (for the benchmark) */
  cpuUs = 0;
  ticks = 0;

  constructor(
    private readonly tree: Pick<TreeSampler, 'onSample'>,
    datasets: readonly string[],
  ) {
    this.prefixes = datasets.map((d) => resolve(d).replace(/\/+$/, '') + sep);
    this.pages = new MappedPages(this.pageBytes);
  }

  start(ctx: SourceContext): void {
    this.ctx = ctx;
    if (this.prefixes.length === 0) return;
    this.unsubscribe = this.tree.onSample((sample, s) => this.tick(sample, s));
  }

  stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.last && !this.lastEmitted) this.ctx?.sink.emit(this.last);
    for (const pid of [...this.procs.keys()]) this.forget(pid);
    return Promise.resolve();
  }

  /** One tree sample: exits first (their pages leave), then every live process. */
  tick(
    sample: {
      live: readonly { pid: number; startMs: number; ppid?: number }[];
      exited: readonly { pid: number }[];
    },
    s: number,
  ): void {
    const t0 = process.cpuUsage();
    this.tickNo++;
    for (const p of sample.exited) this.forget(p.pid);
    const live = new Set<number>();
    for (const p of sample.live) {
      live.add(p.pid);
      this.readMaps(p.pid, p.startMs, p.ppid);
    }
    for (const pid of this.procs.keys()) if (!live.has(pid)) this.forget(pid);
    this.earliestEntryS = Infinity;
    this.readPages(s);
    this.record(s);
    const d = process.cpuUsage(t0);
    this.cpuUs += d.user + d.system;
    this.ticks++;
  }

  private readMaps(pid: number, startMs: number, ppid?: number): void {
    let t = this.procs.get(pid);
    if (t === undefined) {
      t = {
        pid,
        ppid,
        startS: this.ctx ? (startMs - this.ctx.startedAtMs) / 1000 : 0,
        maps: new ProcFile(`/proc/${pid}/maps`, 64 * 1024),
        pagemap: new PagemapFile(pid),
        stat: new ProcFile(`/proc/${pid}/stat`, 512),
        mappings: new Map(),
        nextMapsTick: this.tickNo,
        mapsEvery: 1,
        lastPagemapTick: 0,
        faults: null,
      };
      this.procs.set(pid, t);
    }
    if (this.tickNo < t.nextMapsTick) return;
    const young = this.ctx !== null && this.ctx.now() - t.startS < YOUNG_S;
    t.mapsEvery = young ? 1 : Math.min(MAPS_EVERY_MAX_TICKS, t.mapsEvery * 2);
    t.nextMapsTick = this.tickNo + t.mapsEvery;
    const r = t.maps.read();
    if (!r.ok) {
      if (r.reason === 'denied') this.noteDenied();
      return;
    }
    const found = new Map<string, FileMapping>();
    for (const m of parseDatasetMappings(r.text, this.prefixes)) found.set(`${m.start.toString(16)}`, m);
    for (const id of [...t.mappings.keys()]) {
      const m = found.get(id);
      const old = t.mappings.get(id);
      if (m === undefined || old === undefined || old.fileKey !== m.fileKey || old.end !== m.end) {
        t.mappings.delete(id);
        this.pages.drop(pid, id);
      }
    }
    for (const [id, m] of found) {
      if (t.mappings.has(id)) continue;
      const size = this.fileSize(m);
      if (size === null) continue;
      this.pages.file(m.fileKey, m.path, size);
      noteMappedFile(m.path);
      // pages past the end of the file can never be present (LMDB maps its whole map size)
      const pages = Math.max(
        0,
        Math.min((m.end - m.start) / this.pageBytes, Math.ceil((size - m.offset) / this.pageBytes)),
      );
      if (pages === 0) continue;
      t.mappings.set(id, {
        ...m,
        pages,
        firstPage: m.offset / this.pageBytes,
        present: new Uint8Array(pages),
      });
    }
  }

  /** present bits of every tracked mapping, oldest-read process first, within the budget */
  private readPages(nowS: number): void {
    const order = [...this.procs.entries()]
      .filter(([, t]) => t.mappings.size > 0)
      .sort((a, b) => a[1].lastPagemapTick - b[1].lastPagemapTick);
    let budget = PAGEMAP_BUDGET_BYTES;
    processes: for (const [pid, t] of order) {
      if (budget <= 0) break;
      t.lastPagemapTick = this.tickNo;
      for (const [id, m] of t.mappings) {
        const n = t.pagemap.readPresent(m.start, m.pages, this.pageBytes, m.present);
        if (n === 'gone') {
          this.forget(pid);
          continue processes;
        }
        if (n === 'denied') {
          this.noteDenied();
          break;
        }
        budget -= n;
        if (this.pages.update(t, nowS, id, m.fileKey, m.firstPage, m.present) > 0)
          this.earliestEntryS = Math.min(this.earliestEntryS, t.startS);
      }
      this.readFaults(t);
    }
  }

  private readFaults(t: Tracked): void {
    const r = t.stat.read();
    const st = r.ok ? parseStat(r.text) : null;
    if (st === null) return;
    if (t.faults === null) {
      // counted from the first sight of a mapping: faults before it are not the dataset's
      t.faults = {
        minor: st.minorFaults,
        major: st.majorFaults,
        baseMinor: st.minorFaults,
        baseMajor: st.majorFaults,
      };
    }
    t.faults.minor = st.minorFaults;
    t.faults.major = st.majorFaults;
  }

  private forget(pid: number): void {
    const t = this.procs.get(pid);
    if (t === undefined) return;
    if (t.faults) {
      this.exitedFaults.minor += t.faults.minor - t.faults.baseMinor;
      this.exitedFaults.major += t.faults.major - t.faults.baseMajor;
    }
    t.maps.close();
    t.pagemap.close();
    t.stat.close();
    this.procs.delete(pid);
    this.pages.dropProcess(pid);
  }

  private fileSize(m: FileMapping): number | null {
    try {
      const size = fs.statSync(m.path).size;
      this.sizes.set(m.fileKey, size);
      return size;
    } catch {
      return this.sizes.get(m.fileKey) ?? null;
    }
  }

  private record(s: number): void {
    const ctx = this.ctx;
    if (ctx === null) return;
    const totals = this.pages.totals();
    let minor = this.exitedFaults.minor;
    let major = this.exitedFaults.major;
    let processes = 0;
    for (const t of this.procs.values()) {
      if (t.mappings.size > 0) processes++;
      if (t.faults === null) continue;
      minor += t.faults.minor - t.faults.baseMinor;
      major += t.faults.major - t.faults.baseMajor;
    }
    const rec: MappedRecord = {
      type: 'mapped',
      s,
      ...totals,
      processes,
      majorFaults: major,
      minorFaults: minor,
    };
    const prev = this.last;
    const moved =
      prev === null
        ? totals.files > 0
        : prev.residentBytes !== rec.residentBytes ||
          prev.files !== rec.files ||
          prev.heldBytes !== rec.heldBytes;
    if (moved) {
      // the pages of processes that started after the last sample entered after their start: the
      // state before holds until then (a new worker generation's pages stay in its epoch) — also
      // when that state was written already (the old generation's pages left at the last sample)
      if (prev !== null) {
        const holdsUntil = Number.isFinite(this.earliestEntryS)
          ? Math.min(s, Math.max(prev.s, round6(this.earliestEntryS)))
          : prev.s;
        if (!this.lastEmitted || holdsUntil > prev.s) ctx.sink.emit({ ...prev, s: holdsUntil });
      }
      if (prev === null || prev.files !== rec.files) rec.paths = this.pages.paths().slice(0, 32);
      ctx.sink.emit(rec);
    }
    this.lastEmitted = moved;
    if (prev !== null || totals.files > 0) this.last = rec;
  }

  private noteDenied(): void {
    if (this.deniedNoted) return;
    this.deniedNoted = true;
    this.ctx?.note(
      'warning',
      'the memory maps of some processes of the tree are not readable (another user): reads through their mappings are not counted',
    );
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
