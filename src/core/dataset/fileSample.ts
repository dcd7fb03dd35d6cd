/**
 * A fixed-size uniform random sample of the files of a tree: the files whose sample keys (a hash
 * of their path) are the smallest ("bottom-k" sampling). Unlike reservoir sampling the result does
 * not depend on the order the walk meets the files, so parallel walks and repeated walks of an
 * unchanged tree pick the same files, and a changing tree keeps most of its sample.
 */
export class FileSample {
  /** max-heap on key: the largest kept key is at the top */
  private readonly keys: number[] = [];
  private readonly paths: string[] = [];

  constructor(readonly size: number) {}

  /** `pathOf` is called only when the file enters the sample (rarely, once the sample is full). */
  offer(key: number, pathOf: () => string | null): void {
    if (this.size <= 0) return;
    const full = this.keys.length >= this.size;
    if (full && key >= this.keys[0]) return;
    const path = pathOf();
    if (path === null) return; // a file that cannot be named is left out of the population
    if (!full) {
      this.keys.push(key);
      this.paths.push(path);
      this.siftUp(this.keys.length - 1);
    } else {
      this.keys[0] = key;
      this.paths[0] = path;
      this.siftDown(0);
    }
  }

  /** the sampled paths, by increasing key (a stable order) */
  list(): string[] {
    return this.keys
      .map((k, i) => [k, this.paths[i]] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, p]) => p);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] >= this.keys[i]) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.keys.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < n && this.keys[l] > this.keys[top]) top = l;
      if (r < n && this.keys[r] > this.keys[top]) top = r;
      if (top === i) return;
      this.swap(i, top);
      i = top;
    }
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
    [this.paths[a], this.paths[b]] = [this.paths[b], this.paths[a]];
  }
}

/** Sample key of a directory path: seeds the keys of the names inside it. */
export function dirSampleKey(path: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < path.length; i++) {
    const ch = path.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return finish(h1, h2);
}

/** Sample key of the file named `bytes[from, to)` in the directory whose key is `dirKey`. */
export function fileSampleKey(dirKey: number, bytes: Uint8Array, from = 0, to = bytes.length): number {
  let h1 = 0xdeadbeef ^ (dirKey >>> 0);
  let h2 = 0x41c6ce57 ^ Math.floor(dirKey / 2 ** 32);
  for (let i = from; i < to; i++) {
    const ch = bytes[i];
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return finish(h1, h2);
}

/** cyrb53's final mix: a 53-bit integer */
function finish(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 2097152 * (h2 >>> 0) + (h1 >>> 11);
}
