/** Command-line parsing with node:util parseArgs; every mistake is a one-line USAGE error. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TrainioError } from '../core/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(command: string, args: string[], options: Options, allowPositionals: boolean): Parsed {
  try {
    const r = parseArgs({ args, options, allowPositionals, strict: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    throw new TrainioError('USAGE', `${command}: ${firstLine(e)} (see trainio ${command} --help)`);
  }
}

/** splits `a b -- c d` into [a b] and [c d]; the second is undefined without `--` */
export function splitAtDashDash(args: string[]): [string[], string[] | undefined] {
  const i = args.indexOf('--');
  return i < 0 ? [args, undefined] : [args.slice(0, i), args.slice(i + 1)];
}

export function stringValue(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listValue(p: Parsed, name: string): string[] {
  const v = p.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function numberValue(
  command: string,
  p: Parsed,
  name: string,
  check: { integer?: boolean; min: number },
): number | undefined {
  const raw = stringValue(p, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < check.min || (check.integer && !Number.isInteger(n))) {
    const what = check.integer ? 'a whole number' : 'a number';
    throw new TrainioError('USAGE', `${command}: --${name} wants ${what} ≥ ${check.min}, not "${raw}"`);
  }
  return n;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].replace(/\. To specify .*$/, '');
}
