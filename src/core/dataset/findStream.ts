import { spawn, spawnSync } from 'node:child_process';
import { setPriority } from 'node:os';
import { dirSampleKey, fileSampleKey } from './fileSample';
import { exactUtf8, type WalkSink } from './treeWalk';

/**
 * One GNU find process over one or more start points, its output parsed as it streams. Records
 * are NUL-terminated so any file name (newlines included) is safe:
 *   `f<size> <depth>[ <name>]`  regular file (name only when paths are wanted)
 *   `d<depth> <path>`           directory
 *   `l`                         symbolic link (never followed; only start points are, by -H)
 * find visits a tree depth first, so the files of a directory always belong to the directory on
 * top of a stack indexed by depth: per-directory counts cost O(depth) memory, not O(files).
 */

const REC_FILE = 0x66; // f
const REC_DIR = 0x64; // d
const REC_LINK = 0x6c; // l
const SPACE = 0x20;
const LOW_PRIORITY_NICE = 10;

let gnuFind: boolean | undefined;

/** True when `find` is GNU findutils (which has -printf). */
export function hasGnuFind(): boolean {
  if (gnuFind === undefined) {
    const r = spawnSync('find', ['--version'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    gnuFind = r.status === 0 && /GNU findutils/.test(r.stdout);
  }
  return gnuFind;
}

/** find's arguments for these start points; `maxDepth` 1 lists one directory level only. */
export function findArgs(startPoints: string[], wantPaths: boolean, maxDepth?: number): string[] {
  const fileFormat = wantPaths ? 'f%s %d %f\\0' : 'f%s %d\\0';
  const depth = maxDepth === undefined ? [] : ['-maxdepth', String(maxDepth)];
  return [
    '-H',
    ...startPoints,
    ...depth,
    ...['(', '-type', 'f', '-printf', fileFormat, ')'],
    ...['-o', '(', '-type', 'd', '-printf', 'd%d %p\\0', ')'],
    ...['-o', '(', '-type', 'l', '-printf', 'l\\0', ')'],
  ];
}

/**
 * Turns find's record stream into WalkSink calls; `push` returns false once the sink said stop.
 * With `onSubdir` (a one-level listing, -maxdepth 1), the subdirectories are handed to it instead
 * of being counted: they are walked by another find.
 */
export class FindStreamParser {
  private readonly dirPaths: string[] = [];
  private readonly dirKeys: number[] = [];
  private readonly dirFiles: number[] = [];
  private rest: Buffer | null = null;
  private stopped = false;
  /** the file record being handled, for `pathOfFile` (valid during sink.file only) */
  private cur: Buffer = Buffer.alloc(0);
  private curParent = -1;
  private curNameAt = 0;
  private curEnd = 0;
  private readonly pathOfFile = (): string | null => {
    if (!this.wantPaths || this.curParent < 0) return null;
    const name = exactUtf8(this.cur.subarray(this.curNameAt, this.curEnd));
    return name === null ? null : `${this.dirPaths[this.curParent]}/${name}`;
  };

  constructor(
    private readonly sink: WalkSink,
    private readonly wantPaths: boolean,
    private readonly onSubdir?: (path: string) => void,
  ) {}

  push(chunk: Buffer): boolean {
    if (this.stopped) return false;
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    let start = 0;
    for (let end = buf.indexOf(0, start); end >= 0; end = buf.indexOf(0, start)) {
      if (!this.record(buf, start, end)) {
        this.stopped = true;
        this.rest = null;
        return false;
      }
      start = end + 1;
    }
    this.rest = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
    return true;
  }

  /** Closes every directory still open (all of them after a complete walk). */
  finish(): void {
    this.popTo(0);
  }

  private record(buf: Buffer, start: number, end: number): boolean {
    const kind = buf[start];
    if (kind === REC_FILE) return this.fileRecord(buf, start + 1, end);
    if (kind === REC_DIR) {
      let depth = 0;
      let i = start + 1;
      for (let c = buf[i]; c !== SPACE && i < end; c = buf[++i]) depth = depth * 10 + c - 48;
      const path = buf.toString('utf8', i + 1, end);
      if (this.onSubdir && depth > 0) {
        this.onSubdir(path);
        return true;
      }
      this.popTo(depth);
      this.dirPaths.push(path);
      this.dirKeys.push(this.wantPaths ? dirSampleKey(path) : 0);
      this.dirFiles.push(0);
      this.sink.dir();
    } else if (kind === REC_LINK) {
      this.sink.symlink();
    }
    return true;
  }

  private fileRecord(buf: Buffer, from: number, end: number): boolean {
    let size = 0;
    let i = from;
    for (let c = buf[i]; c !== SPACE && i < end; c = buf[++i]) size = size * 10 + c - 48;
    let depth = 0;
    for (let c = buf[++i]; c !== SPACE && i < end; c = buf[++i]) depth = depth * 10 + c - 48;
    if (this.dirPaths.length > depth) this.popTo(depth);
    const parent = depth - 1;
    if (parent >= 0) this.dirFiles[parent] += 1;
    this.cur = buf;
    this.curParent = parent;
    this.curNameAt = i + 1;
    this.curEnd = end;
    const key = this.wantPaths && parent >= 0 ? fileSampleKey(this.dirKeys[parent], buf, i + 1, end) : 0;
    return this.sink.file(size, key, this.pathOfFile);
  }

  private popTo(depth: number): void {
    while (this.dirPaths.length > depth) {
      const path = this.dirPaths.pop() as string;
      this.dirKeys.pop();
      this.sink.dirDone(path, this.dirFiles.pop() as number);
    }
  }
}

export interface FindRun {
  /** true when the sink or the signal stopped it */
  stopped: boolean;
  /** unexpected error output, first few lines */
  errors: string[];
}

const DENIED = /^find: '(.*)': Permission denied$/;
/** an entry removed while the walk ran: normal churn, not an error */
const VANISHED = /^find: '.*': No such file or directory$/;

/**
 * Runs one find over `startPoints` into `parser`. Aborting `stop` kills it; so does the parser
 * saying stop, which also aborts `stop` (so that sibling finds stop too).
 */
export function runFind(
  startPoints: string[],
  parser: FindStreamParser,
  sink: WalkSink,
  opts: { wantPaths: boolean; lowPriority: boolean; maxDepth?: number; stop: AbortController },
): Promise<FindRun> {
  return new Promise((resolve, reject) => {
    if (opts.stop.signal.aborted) {
      resolve({ stopped: true, errors: [] });
      return;
    }
    const child = spawn('find', findArgs(startPoints, opts.wantPaths, opts.maxDepth), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    if (opts.lowPriority && child.pid !== undefined) {
      try {
        setPriority(child.pid, LOW_PRIORITY_NICE);
      } catch {
        // not fatal: the walk just runs at normal priority
      }
    }
    let stopped = false;
    let stderr = '';
    const onAbort = (): void => {
      stopped = true;
      child.kill('SIGTERM');
    };
    opts.stop.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (!stopped && !parser.push(chunk)) opts.stop.abort();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 1 << 20) stderr += chunk.toString('utf8');
    });
    child.on('error', (err) => {
      opts.stop.signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', () => {
      opts.stop.signal.removeEventListener('abort', onAbort);
      parser.finish();
      const errors: string[] = [];
      for (const line of stderr.split('\n')) {
        if (line === '') continue;
        const m = DENIED.exec(line);
        if (m) sink.unreadable(m[1], 'permission denied');
        else if (!VANISHED.test(line) && errors.length < 5) errors.push(line);
      }
      resolve({ stopped, errors });
    });
  });
}
