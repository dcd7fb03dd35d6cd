/**
 * Small composable checks for the fields of a record read back from a session file. A check returns
 * `undefined` when the value is fine, else a short reason ("not a number"); `shape` checks an object
 * field by field and names the first bad one by its path ("io.rchar: not a number").
 */

export type Check = (value: unknown) => string | undefined;

/** larger than any byte count, time or PID a session holds; sums of many of them stay finite */
export const MAX_MAGNITUDE = 2 ** 53;
/** seconds: a session of thirty years */
const MAX_SECONDS = 1e9;

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** seconds since the session start (a file's mtime may lie before it) */
export const time: Check = (v) =>
  !finite(v) ? 'not a number' : Math.abs(v) > MAX_SECONDS ? 'out of range' : undefined;

/** a count, a byte total, a duration, a percentage: finite, ≥ 0, not absurdly large */
export const amount: Check = (v) =>
  !finite(v) ? 'not a number' : v < 0 ? 'negative' : v > MAX_MAGNITUDE ? 'out of range' : undefined;

/** a PID, an index, a rank: a whole number ≥ 0 */
export const whole: Check = (v) => amount(v) ?? (Number.isInteger(v) ? undefined : 'not a whole number');

export const text: Check = (v) => (typeof v === 'string' ? undefined : 'not a string');

export const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'not true or false');

export function oneOf(...values: readonly (string | number)[]): Check {
  return (v) =>
    values.includes(v as string) ? undefined : `not one of ${values.map((x) => String(x)).join('|')}`;
}

export function optional(check: Check): Check {
  return (v) => (v === undefined ? undefined : check(v));
}

export function nullable(check: Check): Check {
  return (v) => (v === null ? undefined : check(v));
}

export function listOf(check: Check): Check {
  return (v) => {
    if (!Array.isArray(v)) return 'not a list';
    for (let i = 0; i < v.length; i++) {
      const bad = check(v[i]);
      if (bad) return `[${i}]${bad.startsWith('.') || bad.startsWith('[') ? '' : ': '}${bad}`;
    }
    return undefined;
  };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object whose named fields pass their checks (other fields are allowed: newer writers add some). */
export function shape(fields: Readonly<Record<string, Check>>): Check {
  return (v) => {
    if (!isPlainObject(v)) return 'not an object';
    for (const [name, check] of Object.entries(fields)) {
      const bad = check(v[name]);
      if (bad) return `.${name}${bad.startsWith('.') || bad.startsWith('[') ? '' : ': '}${bad}`;
    }
    return undefined;
  };
}
