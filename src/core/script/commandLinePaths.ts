/**
 * Dataset and checkpoint folders named on a training command line (`--data /srv/x`,
 * `--ckpt-dir=runs/a`), with the same option names the script parser recognises in argparse.
 */
import { isAbsolute, resolve } from 'node:path';
import { CKPT_ARG, DATA_ARG, type TrainingScript } from './trainingScript';

export interface CommandLinePaths {
  datasets: string[];
  checkpoints: string[];
}

/** Values of dataset / checkpoint options in `argv`, made absolute against `cwd` when given. */
export function pathsFromCommandLine(argv: readonly string[], cwd?: string): CommandLinePaths {
  const found: CommandLinePaths = { datasets: [], checkpoints: [] };
  const absolute = (p: string): string => (isAbsolute(p) || !cwd ? p : resolve(cwd, p));
  for (let i = 0; i < argv.length; i++) {
    const eq = /^(--?[A-Za-z][\w-]*)=(.*)$/.exec(argv[i]);
    const name = eq ? eq[1] : argv[i];
    const value = eq ? eq[2] : argv[i + 1];
    if (value === undefined || value === '' || (!eq && value.startsWith('-'))) continue;
    if (DATA_ARG.test(name)) found.datasets.push(absolute(value));
    else if (CKPT_ARG.test(name)) found.checkpoints.push(absolute(value));
    else continue;
    if (!eq) i++;
  }
  return found;
}

/**
 * The value an expression like `args.num_workers` had in a run: the option from the command line
 * when given there, else the argparse default; the expression itself when it is not an argument.
 */
export function argumentValue(
  expr: string | undefined,
  script: TrainingScript,
  argv: readonly string[],
): string | undefined {
  if (expr === undefined) return undefined;
  const attr = /^[A-Za-z_][A-Za-z0-9_]*\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr.trim());
  const arg = attr ? script.arguments.find((a) => a.dest === attr[1]) : undefined;
  if (!arg) return expr;
  let given: string | undefined;
  let present = false;
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2);
    if (!arg.flags.includes(name)) continue;
    present = true;
    given = inline ?? (arg.flag ? undefined : argv[i + 1]);
  }
  if (arg.flag) return (present ? arg.flag === 'store_true' : arg.flag === 'store_false') ? 'True' : 'False';
  return given ?? arg.default ?? 'None';
}
