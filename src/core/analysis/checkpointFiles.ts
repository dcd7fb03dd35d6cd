/**
 * Writes of files under the checkpoint directories, from the watcher's events: one entry per write
 * (events of a file close together, the file growing), with its final size and mtime, and the mtime
 * when it was first seen mid-write (the start). An atomic save — a temporary file renamed into
 * place — is one write under the final name.
 */
import type { FsRecord } from '../../shared/model';

export interface FileWrite {
  path: string;
  firstS: number;
  lastS: number;
  bytes: number;
  mtimeS?: number;
  /** mtime at the first event, when the file was caught while being written (smaller than final) */
  startMtimeS?: number;
  events: number;
  unlinkedS?: number;
}

/** events of one file further apart than this are separate writes */
const EPISODE_GAP_S = 1.5;
/** a file that appears complete this soon after another of the same size vanished was renamed */
const RENAME_S = 2.0;
const MAX_FILES = 20_000;

export class CheckpointFiles {
  private readonly list: FileWrite[] = [];
  private readonly openFiles = new Map<string, FileWrite>();

  get files(): readonly FileWrite[] {
    return this.list;
  }

  add(r: FsRecord): void {
    if (r.root !== 'checkpoint') return;
    if (r.event === 'unlink') {
      const gone = this.openFiles.get(r.path);
      this.openFiles.delete(r.path);
      if (gone) this.onUnlink(gone, r.s);
      return;
    }
    const open = this.openFiles.get(r.path);
    const rewritten = open !== undefined && r.bytes < open.bytes;
    if (open && !rewritten && r.s - open.lastS <= EPISODE_GAP_S) {
      if (open.startMtimeS === undefined && r.bytes > open.bytes) open.startMtimeS = open.mtimeS;
      open.lastS = r.s;
      open.bytes = r.bytes;
      open.events++;
      if (r.mtimeS !== undefined) open.mtimeS = r.mtimeS;
      return;
    }
    const renamed = this.renamedFrom(r);
    if (renamed) {
      this.openFiles.set(r.path, renamed);
      return;
    }
    const w: FileWrite = {
      path: r.path,
      firstS: r.s,
      lastS: r.s,
      bytes: r.bytes,
      mtimeS: r.mtimeS,
      events: 1,
    };
    this.openFiles.set(r.path, w);
    if (this.list.length >= MAX_FILES) this.list.shift();
    this.list.push(w);
  }

  /** an atomic save (write a temporary file, rename it): the new name takes over the write */
  private renamedFrom(r: FsRecord): FileWrite | undefined {
    for (let i = this.list.length - 1; i >= 0 && i >= this.list.length - 16; i--) {
      const f = this.list[i];
      if (f.unlinkedS !== undefined && f.bytes === r.bytes && r.s - f.unlinkedS <= RENAME_S) {
        f.path = r.path;
        f.unlinkedS = undefined;
        return f;
      }
    }
    return undefined;
  }

  /** the other order of a rename: the new name was seen first, complete, then the old one vanished */
  private onUnlink(gone: FileWrite, s: number): void {
    gone.unlinkedS = s;
    for (let i = this.list.length - 1; i >= 0 && i >= this.list.length - 16; i--) {
      const f = this.list[i];
      if (f === gone || f.events !== 1 || f.bytes !== gone.bytes || Math.abs(f.firstS - s) > RENAME_S)
        continue;
      gone.path = f.path;
      gone.unlinkedS = undefined;
      this.list.splice(i, 1);
      this.openFiles.set(f.path, gone);
      return;
    }
  }
}
