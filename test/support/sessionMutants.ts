/**
 * Seeded, reproducible damage to recorded session files, for the fuzz test and bench/fuzz-sessions:
 * flipped bytes, truncation, garbage lines, duplicated / dropped / reordered lines, fields of the
 * wrong type, huge numbers, invalid UTF-8. The same seed gives the same mutant, byte for byte.
 */

export type MutationKind =
  | 'flip-byte'
  | 'truncate'
  | 'garbage-line'
  | 'duplicate-line'
  | 'drop-line'
  | 'reorder-lines'
  | 'wrong-type'
  | 'huge-number'
  | 'invalid-utf8';

export const MUTATION_KINDS: readonly MutationKind[] = [
  'flip-byte',
  'truncate',
  'garbage-line',
  'duplicate-line',
  'drop-line',
  'reorder-lines',
  'wrong-type',
  'huge-number',
  'invalid-utf8',
];

export interface Mutant {
  seed: number;
  kinds: MutationKind[];
  bytes: Buffer;
  /** the first line is still the original header, byte for byte (the report must not refuse it) */
  headerIntact: boolean;
}

/** mulberry32: a small seeded generator, good enough to pick damage */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const between = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const WRONG_VALUES: readonly unknown[] = [[], {}, 'text', null, true, -1, '12', [1, 2], { a: 1 }, 'NaN', ''];
const HUGE_VALUES: readonly string[] = ['1e308', '-1e308', '18446744073709551616', '1e-320', '9e15', '-0'];
const BAD_UTF8: readonly number[][] = [
  [0xff],
  [0xfe, 0xff],
  [0xc3],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xc0, 0xaf],
];

function splitLines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      out.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

const joinLines = (lines: Buffer[]): Buffer => Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));

/** a random body line index (never the header, line 0) */
const bodyLine = (r: Rand, lines: Buffer[]): number => between(r, 1, Math.max(1, lines.length - 1));

/** every path to a leaf value of a parsed record */
function leafPaths(
  value: unknown,
  path: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value))
      leafPaths(v, [...path, Array.isArray(value) ? Number(k) : k], out);
  } else if (path.length) out.push(path);
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): void {
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = value;
}

/** rewrites one JSON line: a leaf (numbers only, for huge values) gets another value */
function rewriteField(r: Rand, line: Buffer, numbersOnly: boolean): Buffer {
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch {
    return line;
  }
  const paths = leafPaths(value).filter((p) => p[0] !== 'type');
  const candidates = numbersOnly
    ? paths.filter(
        (p) => typeof p.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], value) === 'number',
      )
    : paths;
  if (!candidates.length) return line;
  const path = pick(r, candidates);
  if (numbersOnly) {
    const marker = '"__HUGE__"';
    setAt(value, path, '__HUGE__');
    return Buffer.from(JSON.stringify(value).replace(marker, pick(r, HUGE_VALUES)));
  }
  setAt(value, path, structuredClone(pick(r, WRONG_VALUES)));
  return Buffer.from(JSON.stringify(value));
}

function applyOne(r: Rand, kind: MutationKind, bytes: Buffer): Buffer {
  const lines = splitLines(bytes);
  const headerEnd = lines[0].length + 1;
  switch (kind) {
    case 'flip-byte': {
      if (bytes.length <= headerEnd) return bytes;
      const out = Buffer.from(bytes);
      const at = between(r, headerEnd, out.length - 1);
      out[at] ^= 1 << between(r, 0, 7);
      return out;
    }
    case 'truncate':
      return bytes.subarray(0, between(r, headerEnd, bytes.length));
    case 'garbage-line': {
      const junk = Buffer.from(
        Array.from({ length: between(r, 1, 80) }, () => between(r, 0x20, 0xff)).filter((b) => b !== 0x0a),
      );
      lines.splice(bodyLine(r, lines), 0, junk);
      return joinLines(lines);
    }
    case 'duplicate-line': {
      const i = bodyLine(r, lines);
      if (lines[i]) lines.splice(bodyLine(r, lines), 0, lines[i]);
      return joinLines(lines);
    }
    case 'drop-line':
      if (lines.length > 1) lines.splice(bodyLine(r, lines), 1);
      return joinLines(lines);
    case 'reorder-lines': {
      if (lines.length < 3) return bytes;
      const [moved] = lines.splice(bodyLine(r, lines), 1);
      lines.splice(bodyLine(r, lines), 0, moved);
      return joinLines(lines);
    }
    case 'wrong-type':
    case 'huge-number': {
      const i = bodyLine(r, lines);
      if (lines[i]) lines[i] = rewriteField(r, lines[i], kind === 'huge-number');
      return joinLines(lines);
    }
    case 'invalid-utf8': {
      const i = bodyLine(r, lines);
      const line = lines[i] ?? Buffer.alloc(0);
      const at = between(r, 0, line.length);
      lines[i] = Buffer.concat([line.subarray(0, at), Buffer.from(pick(r, BAD_UTF8)), line.subarray(at)]);
      return joinLines(lines);
    }
  }
}

/**
 * One mutant of `original`: 1–3 kinds of damage after the header. With `headerDamage` (about one
 * in ten mutants of a run) the header line itself may be hit too, which the reader may refuse.
 */
export function mutate(original: Buffer, seed: number, options: { headerDamage?: boolean } = {}): Mutant {
  const r = rng(seed);
  const kinds = Array.from({ length: between(r, 1, 3) }, () => pick(r, MUTATION_KINDS));
  let bytes = original;
  for (const kind of kinds) bytes = applyOne(r, kind, bytes);
  if (options.headerDamage) {
    const at = between(r, 0, splitLines(original)[0].length - 1);
    bytes = Buffer.from(bytes);
    bytes[at] ^= 1 << between(r, 0, 7);
  }
  const header = splitLines(original)[0];
  const first = splitLines(bytes)[0] ?? Buffer.alloc(0);
  return { seed, kinds, bytes, headerIntact: first.equals(header) };
}
