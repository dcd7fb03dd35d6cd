/**
 * For every file seen, the last epoch it was opened in: an open-addressing hash table keyed by a
 * 64-bit hash of the path, in typed arrays (24–48 bytes per file: a million files cost tens of
 * MB, not the hundreds a Map of path strings would). Paths are never stored; two paths sharing
 * a 64-bit hash are counted as one file (negligible at these sizes: p ≈ n² / 2⁶⁵).
 */
export class FileEpochTable {
  private k1 = new Uint32Array(1024);
  private k2 = new Uint32Array(1024);
  /** epoch + 1; 0 marks an empty slot */
  private epochs = new Int32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** the epoch the file was last opened in, or -1 for a file never seen */
  get(k1: number, k2: number): number {
    const mask = this.epochs.length - 1;
    for (let i = k1 & mask; ; i = (i + 1) & mask) {
      const e = this.epochs[i];
      if (e === 0) return -1;
      if (this.k1[i] === k1 && this.k2[i] === k2) return e - 1;
    }
  }

  set(k1: number, k2: number, epoch: number): void {
    const mask = this.epochs.length - 1;
    for (let i = k1 & mask; ; i = (i + 1) & mask) {
      if (this.epochs[i] === 0) {
        this.k1[i] = k1;
        this.k2[i] = k2;
        this.epochs[i] = epoch + 1;
        if (++this.count * 2 > this.epochs.length) this.grow();
        return;
      }
      if (this.k1[i] === k1 && this.k2[i] === k2) {
        this.epochs[i] = epoch + 1;
        return;
      }
    }
  }

  private grow(): void {
    const { k1, k2, epochs } = this;
    const cap = epochs.length * 2;
    this.k1 = new Uint32Array(cap);
    this.k2 = new Uint32Array(cap);
    this.epochs = new Int32Array(cap);
    this.count = 0;
    for (let i = 0; i < epochs.length; i++) if (epochs[i] !== 0) this.set(k1[i], k2[i], epochs[i] - 1);
  }
}

/** A 64-bit hash of a path's bytes, as two 32-bit halves (cyrb53's mixing, both halves kept). */
export class PathHash {
  h1 = 0;
  h2 = 0;

  of(bytes: Uint8Array, from = 0, to = bytes.length): this {
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (let i = from; i < to; i++) {
      const ch = bytes[i];
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    this.h1 = h1 >>> 0;
    this.h2 = h2 >>> 0;
    return this;
  }
}
