/**
 * The Python configurations of a workspace's launch.json (`"type": "debugpy"` or `"python"`,
 * `"request": "launch"`), with the variables VS Code would substitute in `program`, `args`, `cwd`
 * and `env`. One that names a variable this cannot know (`${command:…}`, `${input:…}`) says so
 * instead of launching something else. Pure: the caller reads the configuration.
 */

export interface VariableContext {
  workspaceFolder?: string;
  /** the active file */
  file?: string;
  home?: string;
  env: Readonly<Record<string, string | undefined>>;
}

export interface PythonConfiguration {
  name: string;
  /** the script; undefined for `module` configurations */
  program?: string;
  module?: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
  /** why it cannot be launched as written */
  problem?: string;
}

const PYTHON_TYPES = new Set(['python', 'debugpy']);

function dirnameOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

function basenameOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** `${workspaceFolder}/train.py` → `/ws/train.py`; throws on a variable it cannot resolve. */
export function substituteVariables(value: string, ctx: VariableContext): string {
  return value.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name.startsWith('env:')) return ctx.env[name.slice(4)] ?? '';
    const known: Record<string, string | undefined> = {
      workspaceFolder: ctx.workspaceFolder,
      workspaceRoot: ctx.workspaceFolder,
      workspaceFolderBasename: ctx.workspaceFolder && basenameOf(ctx.workspaceFolder),
      file: ctx.file,
      fileDirname: ctx.file && dirnameOf(ctx.file),
      fileBasename: ctx.file && basenameOf(ctx.file),
      fileBasenameNoExtension: ctx.file && basenameOf(ctx.file).replace(/\.[^.]*$/, ''),
      cwd: ctx.workspaceFolder,
      userHome: ctx.home,
      pathSeparator: '/',
    };
    const v = known[name];
    if (v === undefined) throw new Error(`cannot resolve ${whole}`);
    return v;
  });
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

function toArgs(raw: unknown): string[] {
  if (typeof raw === 'string') return raw.trim() ? raw.trim().split(/\s+/) : [];
  return Array.isArray(raw) ? raw.filter((a): a is string => typeof a === 'string') : [];
}

/** The Python launch configurations in `configurations` (launch.json's array), resolved. */
export function pythonConfigurations(configurations: unknown, ctx: VariableContext): PythonConfiguration[] {
  if (!Array.isArray(configurations)) return [];
  const out: PythonConfiguration[] = [];
  for (const c of configurations) {
    if (!isObject(c) || !PYTHON_TYPES.has(String(c.type)) || c.request !== 'launch') continue;
    if (typeof c.program !== 'string' && typeof c.module !== 'string') continue;
    const name = typeof c.name === 'string' ? c.name : 'Python';
    const env: Record<string, string> = {};
    try {
      if (isObject(c.env))
        for (const [k, v] of Object.entries(c.env))
          if (typeof v === 'string') env[k] = substituteVariables(v, ctx);
      out.push({
        name,
        program: typeof c.program === 'string' ? substituteVariables(c.program, ctx) : undefined,
        module: typeof c.module === 'string' ? c.module : undefined,
        args: toArgs(c.args).map((a) => substituteVariables(a, ctx)),
        cwd: typeof c.cwd === 'string' ? substituteVariables(c.cwd, ctx) : undefined,
        env,
      });
    } catch (e) {
      out.push({ name, args: [], env, problem: (e as Error).message });
    }
  }
  // the configurations that run the active file first, those that cannot run last
  const rank = (c: PythonConfiguration): number => (c.problem ? 2 : c.program === ctx.file ? 0 : 1);
  return out.sort((a, b) => rank(a) - rank(b));
}
