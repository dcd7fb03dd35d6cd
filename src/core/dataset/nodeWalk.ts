import { lstat, opendir } from 'node:fs/promises';
import { dirSampleKey, fileSampleKey } from './fileSample';
import { exactUtf8, type TreeWalk, type WalkEnd, type WalkOptions, type WalkSink } from './treeWalk';

/** lstat calls in flight per directory (libuv runs them on its thread pool) */
const STAT_CONCURRENCY = 64;
const SLASH = Buffer.from('/');

/**
 * Walks a tree with Node's fs only (fs.opendir + batched lstat): the fallback where GNU find is
 * missing. Paths are kept as bytes so names that are not UTF-8 are still counted. Slower than find
 * on large trees (bench/index.md), same results.
 */
export const nodeWalk: TreeWalk = async (
  root: string,
  sink: WalkSink,
  opts: WalkOptions,
): Promise<WalkEnd> => {
  const pending = [Buffer.from(root)];
  const errors: string[] = [];
  while (pending.length > 0) {
    if (opts.signal?.aborted) return { stopped: true, errors };
    const dir = pending.pop() as Buffer;
    const dirText = dir.toString('utf8');
    sink.dir();
    const listed = await listDir(dir, sink, errors);
    if (!listed) continue;
    const { files, subdirs } = listed;
    let kept = 0;
    const dirKey = opts.wantPaths ? dirSampleKey(dirText) : 0;
    for (let i = 0; i < files.length; i += STAT_CONCURRENCY) {
      const names = files.slice(i, i + STAT_CONCURRENCY);
      const batch = names.map((name) => Buffer.concat([dir, SLASH, name]));
      const sizes = await Promise.all(batch.map(fileSize));
      for (let j = 0; j < batch.length; j++) {
        const size = sizes[j];
        if (size === null) continue;
        kept++;
        const path = batch[j];
        const key = opts.wantPaths ? fileSampleKey(dirKey, names[j]) : 0;
        if (!sink.file(size, key, () => (opts.wantPaths ? exactUtf8(path) : null))) {
          sink.dirDone(dirText, kept);
          return { stopped: true, errors };
        }
      }
    }
    sink.dirDone(dirText, kept);
    for (let i = subdirs.length - 1; i >= 0; i--) pending.push(Buffer.concat([dir, SLASH, subdirs[i]]));
  }
  return { stopped: false, errors };
};

async function listDir(
  dir: Buffer,
  sink: WalkSink,
  errors: string[],
): Promise<{ files: Buffer[]; subdirs: Buffer[] } | null> {
  const files: Buffer[] = [];
  const subdirs: Buffer[] = [];
  try {
    const handle = await opendir(dir, { bufferSize: 256, encoding: 'buffer' as BufferEncoding });
    for await (const entry of handle) {
      const name = entry.name as unknown as Buffer;
      if (entry.isFile()) files.push(name);
      else if (entry.isDirectory()) subdirs.push(name);
      else if (entry.isSymbolicLink()) sink.symlink();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') sink.unreadable(dir.toString('utf8'), 'permission denied');
    else if (code !== 'ENOENT' && errors.length < 5) errors.push(`${dir.toString('utf8')}: ${String(e)}`);
    return null;
  }
  return { files, subdirs };
}

/** apparent size, or null when the file vanished or turned into something else meanwhile */
async function fileSize(path: Buffer): Promise<number | null> {
  try {
    const st = await lstat(path);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}
