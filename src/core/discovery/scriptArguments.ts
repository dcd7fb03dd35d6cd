/**
 * The folders a job was given on its command line, read the way its own argparse reads them: the
 * script's `add_argument` calls (positionals in order, options with or without a value) mapped onto
 * the real command line (/proc/PID/cmdline). An argument is a dataset when the script passes it to
 * a dataset or a directory listing (`ImageFolder(a.data)`, `os.listdir(args.root)`) or when its
 * name says so (`--data-dir`); a checkpoint folder when it reaches `torch.save` or a save call, or
 * by its name (`--ckpt-dir`). Pure apart from the existence checks of the values.
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathsFromCommandLine } from '../script/commandLinePaths';
import { findCalls, maskCommentsAndStrings } from '../script/pythonCalls';
import {
  CKPT_ARG,
  DATA_ARG,
  DATASET_CALLEE,
  parseTrainingScript,
  type ScriptArgument,
} from '../script/trainingScript';

export type PathRole = 'dataset' | 'checkpoint';

export interface ArgumentPath {
  role: PathRole;
  /** absolute folder */
  path: string;
  /** the argument as the user writes it: `data` (a positional) or `--ckpt-dir` */
  argument: string;
  /** why it is that role: `ImageFolder(a.data), line 12`, `its name` */
  via: string;
  exists: boolean;
}

/** Calls that read a folder's content (beyond the dataset classes). */
const READS_FOLDER =
  /(?:^|\.)(?:listdir|scandir|walk|glob|iglob|memmap|File|load_from_disk)$|^(?:lmdb|np|numpy)\.(?:open|load)$/;
/** Calls that write a checkpoint. */
const SAVES = /^torch\.save$|(?:^|\.)save(?:_checkpoint|_model|_pretrained|_state)?$/;

/** Modules whose attributes are never the script's arguments (`os.path`). */
const MODULES = new Set([
  'os',
  'sys',
  'np',
  'numpy',
  'torch',
  'nn',
  'math',
  'time',
  'random',
  're',
  'json',
  'pathlib',
  'shutil',
  'glob',
  'self',
]);

const CHECKPOINT_FILE = /\.(?:pt|pth|ckpt|bin|safetensors|pkl|h5)$/;

/** The index of the script in a Python command line, or -1 (`python -m pkg` has none). */
export function scriptIndex(argv: readonly string[]): number {
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '-m' || argv[i] === '-c') return -1;
    if (argv[i].endsWith('.py')) return i;
  }
  return -1;
}

/** Each argument of the parser with the value the command line gave it (defaults not included). */
export function argumentValues(
  args: readonly ScriptArgument[],
  tokens: readonly string[],
): Map<ScriptArgument, string> {
  const positionals = args.filter((a) => !a.flags[0].startsWith('-'));
  const options = args.filter((a) => a.flags[0].startsWith('-'));
  const byFlag = (name: string): ScriptArgument | undefined =>
    options.find((a) => a.flags.includes(name)) ??
    // argparse accepts a unique prefix of a long option
    (name.startsWith('--')
      ? only(options.filter((a) => a.flags.some((f) => f.startsWith(name))))
      : undefined);
  const out = new Map<ScriptArgument, string>();
  let next = 0;
  let onlyPositionals = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '--' && !onlyPositionals) {
      onlyPositionals = true;
      continue;
    }
    if (!onlyPositionals && t.startsWith('-') && t.length > 1 && !/^-\d/.test(t)) {
      const eq = t.indexOf('=');
      const name = eq > 0 ? t.slice(0, eq) : t;
      const arg = byFlag(name);
      if (arg?.flag || (!arg && eq < 0)) continue;
      const value = eq > 0 ? t.slice(eq + 1) : tokens[++i];
      if (arg && value !== undefined) out.set(arg, value);
      continue;
    }
    const arg = positionals[next++];
    if (arg) out.set(arg, t);
  }
  return out;
}

function only<T>(list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}

/** `name = expr` assignments of the script (masked text: strings are blank, so no false `=` inside them). */
function assignments(masked: string, text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const re = /^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(?!=)(.*)$/gm;
  for (let m = re.exec(masked); m !== null; m = re.exec(masked)) {
    const start = m.index + m[0].length - m[2].length;
    out.set(m[1], [...(out.get(m[1]) ?? []), text.slice(start, m.index + m[0].length)]);
  }
  return out;
}

/** The `x.dest` attributes an expression uses, following plain names through their assignments. */
function destsIn(expr: string, names: Map<string, string[]>, depth = 0): Set<string> {
  const out = new Set<string>();
  for (const m of expr.matchAll(/(?<![.\w])([A-Za-z_]\w*)\.([A-Za-z_]\w*)\b(?!\s*\()/g))
    if (!MODULES.has(m[1])) out.add(m[2]);
  if (depth < 3)
    for (const m of expr.matchAll(/(?<![.\w])([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*[.(=])/g))
      for (const e of names.get(m[1]) ?? []) for (const d of destsIn(e, names, depth + 1)) out.add(d);
  return out;
}

/** dest → how the script uses it (dataset or checkpoint), from its calls. */
function usesByDest(text: string): Map<string, { role: PathRole; via: string }> {
  const masked = maskCommentsAndStrings(text);
  const names = assignments(masked, text);
  const out = new Map<string, { role: PathRole; via: string }>();
  for (const call of findCalls(text, /./, masked)) {
    const short = call.callee.split('.').pop() ?? call.callee;
    let role: PathRole | undefined;
    let exprs: string[] = [];
    if (/(?:^|\.)DataLoader$/.test(call.callee)) {
      // what the loader is given, traced back through its assignment (`data = ClassFolders(a.data)`)
      role = 'dataset';
      exprs = [call.keywords.dataset ?? call.positional[0] ?? ''];
    } else if (/^torch\.save$/.test(call.callee)) {
      role = 'checkpoint';
      exprs = [call.keywords.f ?? call.positional[1] ?? ''];
    } else if (SAVES.test(call.callee)) {
      role = 'checkpoint';
      exprs = [...call.positional, ...Object.values(call.keywords)];
    } else if (
      (DATASET_CALLEE.test(call.callee) && !/DataLoader$/.test(call.callee)) ||
      READS_FOLDER.test(call.callee)
    ) {
      role = 'dataset';
      exprs = [...call.positional, ...Object.values(call.keywords)];
    }
    if (!role) continue;
    for (const e of exprs)
      for (const dest of destsIn(e, names))
        if (!out.has(dest)) out.set(dest, { role, via: `${short}(…${dest}…), line ${call.line}` });
  }
  return out;
}

function kind(path: string): 'dir' | 'file' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

function folderFor(
  role: PathRole,
  value: string,
  cwd: string | undefined,
): { path: string; exists: boolean } | undefined {
  if (!value || value.includes('\n')) return undefined;
  const abs = isAbsolute(value) ? value : cwd ? resolve(cwd, value) : undefined;
  if (!abs) return undefined;
  const k = kind(abs);
  if (k === 'dir') return { path: abs, exists: true };
  if (k === 'file') return { path: dirname(abs), exists: true };
  if (role === 'dataset') return undefined; // a dataset that is not there is not this job's
  const folder = CHECKPOINT_FILE.test(abs) ? dirname(abs) : abs;
  return { path: folder, exists: kind(folder) === 'dir' };
}

/**
 * The dataset and checkpoint folders named on `argv` (the job's full command line), using the
 * script's parser when its text is given, else the option names alone.
 */
export function argumentPaths(
  argv: readonly string[],
  cwd: string | undefined,
  scriptText?: string,
): ArgumentPath[] {
  const at = scriptIndex(argv);
  const found: ArgumentPath[] = [];
  const add = (role: PathRole, value: string, argument: string, via: string): void => {
    const folder = folderFor(role, value, cwd);
    if (folder && !found.some((f) => f.role === role && f.path === folder.path))
      found.push({ role, argument, via, ...folder });
  };
  if (scriptText !== undefined && at >= 0) {
    const script = parseTrainingScript(scriptText);
    const uses = usesByDest(scriptText);
    for (const [arg, value] of argumentValues(script.arguments, argv.slice(at + 1))) {
      const use = uses.get(arg.dest);
      const named = `--${arg.name.replace(/^-+/, '')}`;
      if (use) add(use.role, value, arg.name, use.via);
      else if (DATA_ARG.test(named)) add('dataset', value, arg.name, 'its name');
      else if (CKPT_ARG.test(named)) add('checkpoint', value, arg.name, 'its name');
    }
    return found;
  }
  const named = pathsFromCommandLine(at >= 0 ? argv.slice(at + 1) : argv.slice(1));
  for (const d of named.datasets) add('dataset', d, 'an option', 'its name');
  for (const c of named.checkpoints) add('checkpoint', c, 'an option', 'its name');
  return found;
}
