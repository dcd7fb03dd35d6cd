import { PathHash } from './fileEpochTable';

/** an announced open not seen within this long is forgotten (no open watcher running, file gone) */
const FORGET_AFTER_MS = 30_000;

interface Expected {
  count: number;
  untilMs: number;
}

const expected = new Map<number, Expected>();
const hash = new PathHash();
let lastAnnouncedMs = 0;

/**
 * trainio's own opens of dataset files. Measuring page-cache residency opens the sampled files
 * (fincore), and inotify cannot tell which process opened a file: the residency sampler announces
 * the opens it is about to make, and the open watcher drops exactly that many opens of those
 * files, so the training's read coverage and epoch boundaries are not disturbed.
 */
export function expectOwnOpens(paths: readonly string[], nowMs: number = Date.now()): void {
  lastAnnouncedMs = nowMs;
  for (const [key, e] of expected) if (e.untilMs < nowMs) expected.delete(key);
  for (const p of paths) {
    const key = keyOfPath(Buffer.from(p));
    const e = expected.get(key);
    if (e) {
      e.count++;
      e.untilMs = nowMs + FORGET_AFTER_MS;
    } else {
      expected.set(key, { count: 1, untilMs: nowMs + FORGET_AFTER_MS });
    }
  }
}

/** Wall-clock ms of the last announcement (0 when none): for watchers that cannot match paths. */
export function lastOwnOpensAnnouncedMs(): number {
  return lastAnnouncedMs;
}

/** True (and consumed) when an open of this path (its bytes) was announced as trainio's own. */
export function consumeOwnOpen(path: Uint8Array, from = 0, to = path.length): boolean {
  if (expected.size === 0) return false;
  const key = keyOfPath(path, from, to);
  const e = expected.get(key);
  if (!e) return false;
  if (--e.count === 0) expected.delete(key);
  return true;
}

function keyOfPath(bytes: Uint8Array, from = 0, to = bytes.length): number {
  const { h1, h2 } = hash.of(bytes, from, to);
  return h1 * 0x200000 + (h2 & 0x1fffff);
}
