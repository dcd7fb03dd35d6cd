/**
 * Groups the files a job was seen reading into dataset roots: the common directory of the files
 * (e.g. /data/imagenet/train, not one of its class folders), split where that directory is too
 * general to be a dataset (/, a home folder, /tmp, the job's own folder), and a single big file's
 * folder (LMDB, .npy, HDF5). Reads directories only to tell class folders from a lone leaf folder.
 */
import { opendirSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

export interface ReadFile {
  path: string;
  /** processes seen with it open or mapped */
  pids: readonly number[];
  /** of them, DataLoader workers */
  workerPids: readonly number[];
  /** seen through a memory mapping */
  mapped: boolean;
  bytes?: number;
}

export interface DatasetRoot {
  path: string;
  files: ReadFile[];
  /** processes / workers that had one of its files open or mapped */
  pids: number[];
  workerPids: number[];
  /** the root is a folder of class folders, found by looking at the siblings of the one seen */
  climbed: boolean;
  /** a folder too general to be a dataset (/tmp, a home folder) that holds the files directly */
  general: boolean;
}

/** Folders that hold many unrelated things: a common directory equal to one of them is split. */
function tooGeneral(dir: string, jobDirs: readonly string[]): boolean {
  if (dir === '/' || dir === '' || jobDirs.includes(dir)) return true;
  return /^\/(?:home|Users|tmp|mnt|media|srv|opt|var|scratch|workspace|root)?$|^\/home\/[^/]+$|^\/Users\/[^/]+$/.test(
    dir,
  );
}

function commonDirectory(paths: readonly string[]): string {
  const parts = paths.map((p) => dirname(p).split(sep));
  const first = parts[0];
  let n = first.length;
  for (const p of parts) {
    let i = 0;
    while (i < n && i < p.length && p[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(sep) || sep;
}

/** The next path component of `file` below `dir`. */
function childOf(dir: string, file: string): string {
  const rest = file.slice(dir === sep ? 1 : dir.length + 1);
  const slash = rest.indexOf(sep);
  return slash < 0 ? file : join(dir, rest.slice(0, slash));
}

/** Up to `max` entries of a directory: its subfolders and files, by name. */
function peek(dir: string, max: number): { dirs: string[]; files: string[] } | undefined {
  const out = { dirs: [] as string[], files: [] as string[] };
  try {
    const d = opendirSync(dir);
    try {
      for (let e = d.readSync(), n = 0; e !== null && n < max; e = d.readSync(), n++) {
        if (e.name.startsWith('.')) continue;
        if (e.isDirectory()) out.dirs.push(e.name);
        else if (e.isFile()) out.files.push(e.name);
      }
    } finally {
      d.closeSync();
    }
  } catch {
    return undefined;
  }
  return out;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

const SIBLINGS_LOOKED_AT = 8;
const ENTRIES_LOOKED_AT = 64;

/**
 * true when `leaf` (holding the files seen, no subfolders) is one class folder among others: its
 * parent holds at least two folders, the ones looked at hold files with the same endings and no
 * folders, and the parent holds no files of that kind itself.
 */
export function isClassFolder(leaf: string, seenFiles: readonly string[]): boolean {
  const own = peek(leaf, ENTRIES_LOOKED_AT);
  if (!own || own.dirs.length > 0) return false;
  const parent = dirname(leaf);
  if (parent === leaf) return false;
  const siblings = peek(parent, 10_000);
  if (!siblings || siblings.dirs.length < 2) return false;
  const kinds = new Set(seenFiles.map(extensionOf));
  if (siblings.files.some((f) => kinds.has(extensionOf(f)))) return false;
  const others = siblings.dirs.filter((d) => join(parent, d) !== leaf).slice(0, SIBLINGS_LOOKED_AT);
  return others.every((d) => {
    const e = peek(join(parent, d), ENTRIES_LOOKED_AT);
    return e !== undefined && e.dirs.length === 0 && e.files.some((f) => kinds.has(extensionOf(f)));
  });
}

function rootOf(path: string, files: readonly ReadFile[], climbed: boolean, general: boolean): DatasetRoot {
  const pids = new Set(files.flatMap((f) => f.pids));
  const workers = new Set(files.flatMap((f) => f.workerPids));
  return { path, files: [...files], pids: [...pids], workerPids: [...workers], climbed, general };
}

/**
 * The dataset roots of the files read. `jobDirs` are the job's own folders (its working directory,
 * its script's folder): a root is never one of them, nor a parent of one. A root that is still a
 * general folder (files lying directly in /tmp) comes back with `general`.
 */
export function groupIntoRoots(files: readonly ReadFile[], jobDirs: readonly string[] = []): DatasetRoot[] {
  if (files.length === 0) return [];
  const common = commonDirectory(files.map((f) => f.path));
  const allHere = files.every((f) => dirname(f.path) === common);
  const aboveJob = jobDirs.some((d) => d === common || d.startsWith(common + sep));
  if (!allHere && (tooGeneral(common, jobDirs) || aboveJob)) {
    // one root per subfolder of the general folder (files lying in it directly: that folder)
    const parts = new Map<string, ReadFile[]>();
    for (const f of files) {
      const child = dirname(f.path) === common ? common : childOf(common, f.path);
      parts.set(child, [...(parts.get(child) ?? []), f]);
    }
    return [...parts.values()].flatMap((group) => groupIntoRoots(group, jobDirs));
  }
  const general = tooGeneral(common, jobDirs);
  const mappedOnly = files.every((f) => f.mapped);
  if (
    allHere &&
    !general &&
    !mappedOnly &&
    !tooGeneral(dirname(common), jobDirs) &&
    isClassFolder(
      common,
      files.map((f) => f.path),
    )
  ) {
    return [rootOf(dirname(common), files, true, false)];
  }
  return [rootOf(common, files, false, general)];
}
