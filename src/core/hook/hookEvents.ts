/**
 * The event lines the Python hook writes (python/README.md), parsed and validated. Times are
 * wall-clock epoch seconds as the hook wrote them.
 */

export interface HelloEvent {
  ev: 'hello';
  pid: number;
  t: number;
  python: string | null;
  torch: string | null;
}

export interface LoaderEvent {
  ev: 'loader';
  pid: number;
  t: number;
  id: number;
  file: string | null;
  line: number | null;
  num_workers: number | null;
  batch_size: number | null;
  pin_memory: boolean | null;
  persistent_workers: boolean | null;
  prefetch_factor: number | null;
  dataset_len: number | null;
  dataset_class: string | null;
  /** RANK of the process (environment or torch.distributed), when it has one */
  rank: number | null;
}

export interface IterEvent {
  ev: 'iter';
  pid: number;
  t0: number;
  t1: number;
  loader: number | null;
}

export interface NextEvent {
  ev: 'next';
  pid: number;
  t0: number;
  t1: number;
  loader: number | null;
  stop: boolean;
}

/** The previous batch's release as the loop rebound its variables (python/trainio_hook/handoff.py). */
export interface HandoffEvent {
  ev: 'handoff';
  pid: number;
  t0: number;
  t1: number;
  loader: number | null;
}

export interface SaveEvent {
  ev: 'save';
  pid: number;
  t0: number;
  t1: number;
  path: string | null;
  bytes: number | null;
  file: string | null;
  line: number | null;
}

export interface OpenEvent {
  ev: 'open';
  pid: number;
  t: number;
  path: string;
}

/** An exception out of a DataLoader iterator's next() (a worker that died, an error from a worker). */
export interface ErrorEvent {
  ev: 'error';
  pid: number;
  t: number;
  loader: number | null;
  kind: string;
  message: string;
}

export type HookEvent =
  HelloEvent | LoaderEvent | IterEvent | NextEvent | HandoffEvent | SaveEvent | OpenEvent | ErrorEvent;

type Fields = Record<string, unknown>;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): number | null => (isNum(v) ? v : null);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const boolOrNull = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

function timed(o: Fields): boolean {
  return isNum(o.pid) && isNum(o.t0) && isNum(o.t1) && o.t1 >= o.t0;
}

/** the fields of an interval a loader's process timed (iter, next, handoff); call after timed() */
function loaderInterval(o: Fields): { pid: number; t0: number; t1: number; loader: number | null } {
  return { pid: o.pid as number, t0: o.t0 as number, t1: o.t1 as number, loader: numOrNull(o.loader) };
}

/** One line → an event, or null for a line that is not a well-formed hook event. */
export function parseHookLine(line: string): HookEvent | null {
  let o: Fields;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) return null;
    o = parsed as Fields;
  } catch {
    return null;
  }
  switch (o.ev) {
    case 'hello':
      if (!isNum(o.pid) || !isNum(o.t)) return null;
      return { ev: 'hello', pid: o.pid, t: o.t, python: strOrNull(o.python), torch: strOrNull(o.torch) };
    case 'loader':
      if (!isNum(o.pid) || !isNum(o.t) || !isNum(o.id)) return null;
      return {
        ev: 'loader',
        pid: o.pid,
        t: o.t,
        id: o.id,
        file: strOrNull(o.file),
        line: numOrNull(o.line),
        num_workers: numOrNull(o.num_workers),
        batch_size: numOrNull(o.batch_size),
        pin_memory: boolOrNull(o.pin_memory),
        persistent_workers: boolOrNull(o.persistent_workers),
        prefetch_factor: numOrNull(o.prefetch_factor),
        dataset_len: numOrNull(o.dataset_len),
        dataset_class: strOrNull(o.dataset_class),
        rank: isNum(o.rank) && Number.isInteger(o.rank) && o.rank >= 0 ? o.rank : null,
      };
    case 'iter':
    case 'handoff':
      return timed(o) ? { ev: o.ev, ...loaderInterval(o) } : null;
    case 'next':
      return timed(o) ? { ev: 'next', ...loaderInterval(o), stop: o.stop === true } : null;
    case 'save':
      if (!timed(o)) return null;
      return {
        ev: 'save',
        pid: o.pid as number,
        t0: o.t0 as number,
        t1: o.t1 as number,
        path: strOrNull(o.path),
        bytes: numOrNull(o.bytes),
        file: strOrNull(o.file),
        line: numOrNull(o.line),
      };
    case 'open':
      if (!isNum(o.pid) || !isNum(o.t) || typeof o.path !== 'string') return null;
      return { ev: 'open', pid: o.pid, t: o.t, path: o.path };
    case 'error':
      if (!isNum(o.pid) || !isNum(o.t) || typeof o.kind !== 'string') return null;
      return {
        ev: 'error',
        pid: o.pid,
        t: o.t,
        loader: numOrNull(o.loader),
        kind: o.kind,
        message: strOrNull(o.message) ?? '',
      };
    default:
      return null;
  }
}
