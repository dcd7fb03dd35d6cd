/**
 * What a training script says about its own I/O, read from its source: where DataLoaders are built
 * (and with which num_workers / pin_memory / persistent_workers), where checkpoints are saved, where
 * the epoch loop is, and which directories it reads and writes. Pure: the caller reads the file.
 */
import {
  findCalls,
  literalAssignments,
  maskCommentsAndStrings,
  stringLiteral,
  type PythonCall,
} from './pythonCalls';

export interface LoaderCall {
  line: number;
  endLine: number;
  column: number;
  /** the dataset argument as written */
  dataset?: string;
  numWorkers?: string;
  pinMemory?: string;
  persistentWorkers?: string;
  batchSize?: string;
  prefetchFactor?: string;
}

export interface SaveCall {
  line: number;
  endLine: number;
  column: number;
  /** the target argument as written */
  target?: string;
  /** the target as a path, when it can be resolved to a string */
  path?: string;
  /** the folder it writes into, when that much can be resolved */
  directory?: string;
}

export interface EpochLoop {
  line: number;
  column: number;
  /** the loop variable, e.g. `epoch` */
  variable: string;
  /** the argument of `range(...)` as written */
  range: string;
}

export interface PathHint {
  path: string;
  line: number;
  /** how it was found, e.g. `ImageFolder(`, `--data default`, `torch.save(` */
  via: string;
}

export interface TrainingScript {
  arguments: ScriptArgument[];
  loaders: LoaderCall[];
  saves: SaveCall[];
  epochLoops: EpochLoop[];
  datasetPaths: PathHint[];
  checkpointPaths: PathHint[];
}

export const DATASET_CALLEE =
  /(?:^|\.)(?:[A-Za-z0-9_]*Dataset|[A-Za-z0-9_]*Folder|ImageNet|CIFAR10|CIFAR100|MNIST|FashionMNIST)$/;
const DATASET_PATH_KEYWORDS = ['root', 'path', 'data_dir', 'data_root', 'directory', 'folder', 'dir'];
export const DATA_ARG =
  /^--?(?:data|dataset|data[-_]?dir|data[-_]?root|data[-_]?path|dataset[-_]?dir|root|train[-_]?dir)$/;
export const CKPT_ARG =
  /^--?(?:ckpt|ckpt[-_]?dir|checkpoints?|checkpoint[-_]?dir|save[-_]?dir|out|out[-_]?dir|output|output[-_]?dir)$/;

/** One `parser.add_argument(...)` of the script. */
export interface ScriptArgument {
  flags: string[];
  /** the long flag (or the only one), e.g. `--num-workers` */
  name: string;
  /** the attribute it sets, e.g. `num_workers` */
  dest: string;
  /** the default as written */
  default?: string;
  /** `action="store_true"` / `"store_false"` */
  flag?: 'store_true' | 'store_false';
  line: number;
}

interface ArgDefault {
  name: string;
  dest: string;
  value: string;
  line: number;
}

function scriptArguments(calls: PythonCall[]): ScriptArgument[] {
  const found: ScriptArgument[] = [];
  for (const call of calls) {
    if (!/(?:^|\.)add_argument$/.test(call.callee)) continue;
    const flags = call.positional.map((p) => stringLiteral(p)).filter((p): p is string => p !== undefined);
    const name = flags.find((f) => f.startsWith('--')) ?? flags[0];
    if (name === undefined) continue;
    const dest = stringLiteral(call.keywords.dest) ?? name.replace(/^-+/, '').replace(/-/g, '_');
    const action = stringLiteral(call.keywords.action);
    const flag = action === 'store_true' || action === 'store_false' ? action : undefined;
    found.push({ flags, name, dest, default: call.keywords.default, flag, line: call.line });
  }
  return found;
}

/** Arguments whose default resolves to a string: `add_argument('--data', default='x')` → `x`. */
function argparseDefaults(args: ScriptArgument[], names: Map<string, string>): ArgDefault[] {
  const found: ArgDefault[] = [];
  for (const a of args) {
    const value = resolveString(a.default, names, []);
    if (value !== undefined) found.push({ name: a.name, dest: a.dest, value, line: a.line });
  }
  return found;
}

/** A string literal, a name bound to one, `args.x` with an argparse default, or a join of those. */
function resolveString(
  expr: string | undefined,
  names: Map<string, string>,
  args: ArgDefault[],
): string | undefined {
  const parts = resolveParts(expr, names, args);
  return parts?.complete ? parts.text : undefined;
}

/** The directory an expression names, even when its last part is dynamic (`f'{out}/{step}.pt'` → out). */
function resolveDirectory(
  expr: string | undefined,
  names: Map<string, string>,
  args: ArgDefault[],
): string | undefined {
  const parts = resolveParts(expr, names, args);
  if (!parts) return undefined;
  if (parts.complete) return directoryOf(parts.text);
  const slash = parts.text.lastIndexOf('/');
  return slash > 0 ? parts.text.slice(0, slash) : undefined;
}

interface Resolved {
  /** the resolved text, or its static prefix when `complete` is false */
  text: string;
  complete: boolean;
}

function resolveParts(
  expr: string | undefined,
  names: Map<string, string>,
  args: ArgDefault[],
): Resolved | undefined {
  if (expr === undefined) return undefined;
  const e = expr.trim();
  const literal = stringLiteral(e);
  if (literal !== undefined) return { text: literal, complete: true };
  const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(e) ? names.get(e) : undefined;
  if (name !== undefined) return { text: name, complete: true };
  const attr = /^[A-Za-z_][A-Za-z0-9_]*\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(e);
  const arg = attr ? args.find((a) => a.dest === attr[1]) : undefined;
  if (arg) return { text: arg.value, complete: true };
  const fstring = /^[fF](['"])(.*)\1$/s.exec(e);
  if (fstring)
    return concat(fstring[2].split(/(\{[^}]*\})/), (piece) =>
      piece.startsWith('{')
        ? resolveParts(piece.slice(1, -1).split(/[!:]/)[0], names, args)
        : { text: piece, complete: true },
    );
  const join = /^(?:os\.path\.join|Path|pathlib\.Path)\s*\((.*)\)$/s.exec(e);
  if (join)
    return concat(
      join[1].split(',').map((p, i) => (i === 0 ? p : `/${p}`)),
      (piece) =>
        piece.startsWith('/')
          ? prefixed('/', resolveParts(piece.slice(1), names, args))
          : resolveParts(piece, names, args),
    );
  const slash = /^(.+?)\s*\/\s*(.+)$/s.exec(e); // pathlib: root / 'x.pt'
  if (slash)
    return concat([slash[1], `/${slash[2]}`], (piece) =>
      piece.startsWith('/')
        ? prefixed('/', resolveParts(piece.slice(1), names, args))
        : resolveParts(piece, names, args),
    );
  return undefined;
}

function prefixed(prefix: string, r: Resolved | undefined): Resolved | undefined {
  return r ? { text: prefix + r.text, complete: r.complete } : { text: prefix, complete: false };
}

/** Resolves pieces left to right; stops at the first one that cannot be resolved. */
function concat(
  pieces: string[],
  resolvePiece: (piece: string) => Resolved | undefined,
): Resolved | undefined {
  let text = '';
  for (const piece of pieces) {
    const r = resolvePiece(piece);
    if (!r) return text ? { text, complete: false } : undefined;
    text += r.text;
    if (!r.complete) return { text, complete: false };
  }
  return { text, complete: true };
}

function directoryOf(path: string): string {
  const slash = path.replace(/\/+$/, '').lastIndexOf('/');
  return slash > 0 ? path.slice(0, slash) : slash === 0 ? '/' : '.';
}

function loaderOf(call: PythonCall): LoaderCall {
  return {
    line: call.line,
    endLine: call.endLine,
    column: call.column,
    dataset: call.keywords.dataset ?? call.positional[0],
    numWorkers: call.keywords.num_workers,
    pinMemory: call.keywords.pin_memory,
    persistentWorkers: call.keywords.persistent_workers,
    batchSize: call.keywords.batch_size ?? call.positional[1],
    prefetchFactor: call.keywords.prefetch_factor,
  };
}

function epochLoops(masked: string, text: string): EpochLoop[] {
  const loops: EpochLoop[] = [];
  const re =
    /^([ \t]*)for[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]+in[ \t]+(?:tqdm\s*\(\s*|trange\s*\(\s*)?(?:range\s*\()?/gm;
  for (let m = re.exec(masked); m !== null; m = re.exec(masked)) {
    const variable = m[2];
    const isRange = /range\s*\($/.test(m[0]) || /trange\s*\($/.test(m[0]);
    if (!/epoch/i.test(variable) || !isRange) continue;
    const line = masked.slice(0, m.index).split('\n').length;
    const rest = text.slice(m.index + m[0].length).split('\n')[0];
    loops.push({ line, column: m[1].length, variable, range: rest.replace(/\)\s*\)?\s*:.*$/, '').trim() });
  }
  return loops;
}

function unique(hints: PathHint[]): PathHint[] {
  const seen = new Set<string>();
  return hints.filter((h) => !seen.has(h.path) && seen.add(h.path));
}

export function parseTrainingScript(text: string): TrainingScript {
  const masked = maskCommentsAndStrings(text);
  const names = literalAssignments(text);
  const calls = findCalls(text, /./, masked);
  const argumentList = scriptArguments(calls);
  const args = argparseDefaults(argumentList, names);
  const loaders = calls.filter((c) => /(?:^|\.)DataLoader$/.test(c.callee)).map(loaderOf);
  const saves: SaveCall[] = calls
    .filter((c) => /^torch\.save$/.test(c.callee))
    .map((c) => {
      const target = c.keywords.f ?? c.positional[1];
      const path = resolveString(target, names, args);
      const directory = resolveDirectory(target, names, args);
      return { line: c.line, endLine: c.endLine, column: c.column, target, path, directory };
    });

  const datasetPaths: PathHint[] = [];
  for (const call of calls) {
    if (!DATASET_CALLEE.test(call.callee) || /DataLoader$/.test(call.callee)) continue;
    const kw = DATASET_PATH_KEYWORDS.map((k) => call.keywords[k]).find((v) => v !== undefined);
    const path = resolveString(kw ?? call.positional[0], names, args);
    if (path) datasetPaths.push({ path, line: call.line, via: `${call.callee.split('.').pop()}(` });
  }
  for (const a of args)
    if (DATA_ARG.test(a.name)) datasetPaths.push({ path: a.value, line: a.line, via: `${a.name} default` });

  const checkpointPaths: PathHint[] = [];
  for (const s of saves) {
    if (s.directory) checkpointPaths.push({ path: s.directory, line: s.line, via: 'torch.save(' });
  }
  for (const a of args)
    if (CKPT_ARG.test(a.name))
      checkpointPaths.push({ path: a.value, line: a.line, via: `${a.name} default` });

  return {
    arguments: argumentList,
    loaders,
    saves,
    epochLoops: epochLoops(masked, text),
    datasetPaths: unique(datasetPaths),
    checkpointPaths: unique(checkpointPaths),
  };
}
