/**
 * The environment that injects trainio's Python hook into a launched training job: the shipped
 * `python/` folder first on PYTHONPATH (its sitecustomize.py arms the hook and chains the user's own
 * sitecustomize), and where the hook writes its events.
 */
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { TrainioError } from '../errors';

/** Where the hook folder may be, relative to this code: next to a bundle (dist/python) or in the repo. */
function candidates(): string[] {
  return [
    join(__dirname, 'python'), // dist/cli.js, dist/extension.js → dist/python
    join(__dirname, '..', 'python'),
    join(__dirname, '..', 'dist', 'python'),
    join(__dirname, '..', '..', '..', 'python'), // src/core/hook/*.ts run from source
    join(__dirname, '..', '..', '..', 'dist', 'python'), // out/test/suite/index.js
  ].map((p) => resolve(p));
}

/** The folder holding the hook's sitecustomize.py and trainio_hook package. */
export function hookDirectory(): string {
  const found = candidates().find((dir) => existsSync(join(dir, 'sitecustomize.py')));
  if (found === undefined) {
    throw new TrainioError(
      'LAUNCH_FAILED',
      "trainio's Python hook folder is missing from this installation — reinstall trainio, or record with --no-hook.",
    );
  }
  return found;
}

export interface HookEnvOptions {
  /** file the hook appends its event lines to (the HookReader tails it) */
  outPath: string;
  /** dataset directories whose file opens the hook counts (none: no open counting) */
  datasets: string[];
}

/** A copy of `base` with the hook injected. The hook stays inert unless the job imports torch. */
export function buildHookEnv(base: NodeJS.ProcessEnv, opts: HookEnvOptions): NodeJS.ProcessEnv {
  const dir = hookDirectory();
  const env: NodeJS.ProcessEnv = { ...base };
  const rest = (base.PYTHONPATH ?? '').split(delimiter).filter((p) => p !== '' && resolve(p) !== dir);
  env.PYTHONPATH = [dir, ...rest].join(delimiter);
  env.TRAINIO_HOOK_OUT = opts.outPath;
  if (opts.datasets.length > 0)
    env.TRAINIO_HOOK_DATASETS = opts.datasets.map((d) => resolve(d)).join(delimiter);
  else delete env.TRAINIO_HOOK_DATASETS;
  return env;
}
