/**
 * `/proc/PID/maps` → the mappings of dataset files. Pure: a line is
 * `start-end perms offset dev inode path`; only file mappings whose path lies under one of the
 * given directory prefixes (each ending in '/') are kept, deleted files ("(deleted)") are not.
 */

export interface FileMapping {
  /** first and one-past-last virtual address */
  start: number;
  end: number;
  /** offset of `start` in the file, bytes */
  offset: number;
  /** `major:minor` of the file's device and its inode: the file's identity */
  fileKey: string;
  path: string;
}

export function parseDatasetMappings(text: string, prefixes: readonly string[]): FileMapping[] {
  const out: FileMapping[] = [];
  // most processes map no dataset file: skip the line parsing entirely then
  if (!prefixes.some((p) => text.includes(p))) return out;
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    const line = text.slice(from, to);
    from = to + 1;
    const m = parseLine(line);
    if (m && prefixes.some((p) => m.path.startsWith(p))) out.push(m);
  }
  return out;
}

function parseLine(line: string): FileMapping | null {
  const slash = line.indexOf('/');
  if (slash < 0) return null;
  const f = line.slice(0, slash).trim().split(/\s+/);
  if (f.length !== 5) return null;
  const path = line.slice(slash);
  if (path.endsWith(' (deleted)')) return null;
  const dash = f[0].indexOf('-');
  const inode = f[4];
  if (dash < 0 || inode === '0') return null;
  const start = parseInt(f[0].slice(0, dash), 16);
  const end = parseInt(f[0].slice(dash + 1), 16);
  const offset = parseInt(f[2], 16);
  if (!Number.isFinite(start) || !(end > start) || !Number.isFinite(offset)) return null;
  return { start, end, offset, fileKey: `${f[3]}:${inode}`, path };
}
