/**
 * The dataset and checkpoint folders to propose for a training job, most trustworthy first: what the
 * user confirmed last time for this script, what its command line names, what its source names,
 * and the configured folder names that exist in the workspace.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathsFromCommandLine } from '../../core/script/commandLinePaths';
import { parseTrainingScript } from '../../core/script/trainingScript';

export type PathKind = 'datasets' | 'checkpoints';

export interface PathCandidate {
  path: string;
  /** where it came from, shown next to it */
  via: string;
  exists: boolean;
}

export interface JobContext {
  /** absolute path of the training script, when known */
  script?: string;
  argv: readonly string[];
  cwd?: string;
  /** the workspace folder the job belongs to */
  folder?: string;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function globToRegExp(segment: string): RegExp {
  const body = segment
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** Folders under `root` matching a relative glob (`*` and `?` within a segment). */
export async function matchFolders(root: string, glob: string): Promise<string[]> {
  let current = [root];
  for (const segment of glob.split('/').filter((s) => s && s !== '.')) {
    const next: string[] = [];
    for (const dir of current) {
      if (!/[*?]/.test(segment)) {
        if (await isDirectory(join(dir, segment))) next.push(join(dir, segment));
        continue;
      }
      const re = globToRegExp(segment);
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) if (e.isDirectory() && re.test(e.name)) next.push(join(dir, e.name));
    }
    current = next;
  }
  return current.filter((d) => d !== root);
}

async function scriptHints(job: JobContext, kind: PathKind): Promise<{ path: string; via: string }[]> {
  if (!job.script) return [];
  const text = await readFile(job.script, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const parsed = parseTrainingScript(text);
  const base = job.cwd ?? dirname(job.script);
  const hints = kind === 'datasets' ? parsed.datasetPaths : parsed.checkpointPaths;
  return hints.map((h) => ({
    path: isAbsolute(h.path) ? h.path : resolve(base, h.path),
    via: `${h.via} (line ${h.line})`,
  }));
}

export async function gatherCandidates(
  kind: PathKind,
  job: JobContext,
  remembered: readonly string[],
  globs: readonly string[],
): Promise<PathCandidate[]> {
  const fromArgv = pathsFromCommandLine(job.argv, job.cwd)[kind].map((path) => ({
    path,
    via: 'command line',
  }));
  const fromGlobs: { path: string; via: string }[] = [];
  if (job.folder) {
    for (const glob of globs) {
      for (const path of await matchFolders(job.folder, glob))
        fromGlobs.push({ path, via: `workspace (${glob})` });
    }
  }
  const all = [
    ...remembered.map((path) => ({ path, via: 'used last time' })),
    ...fromArgv,
    ...(await scriptHints(job, kind)),
    ...fromGlobs,
  ];
  const seen = new Set<string>();
  const unique = all.filter((c) => !seen.has(c.path) && seen.add(c.path));
  return Promise.all(unique.map(async (c) => ({ ...c, exists: await exists(c.path) })));
}
