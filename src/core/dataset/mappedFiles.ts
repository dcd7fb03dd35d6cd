/**
 * Dataset files that a process of the tree has mapped (LMDB, numpy memmap, Arrow), as found by the
 * mapped-datasets source: the open sources leave them out of the bytes of files opened, since
 * reads through a mapping are counted from the mapping. Process-wide and only growing (a file
 * once mapped stays known), bounded.
 */
const MAX_FILES = 100_000;
const mapped = new Set<string>();

export function noteMappedFile(path: string): void {
  if (mapped.size < MAX_FILES) mapped.add(path);
}

export function isMappedFile(path: string): boolean {
  return mapped.has(path);
}
