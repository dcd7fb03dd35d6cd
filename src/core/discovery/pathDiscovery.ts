/**
 * Finds a running job's dataset roots and checkpoint folders from what it does: watches its
 * process tree for a moment (jobWatch.ts), reads its training script's argparse to map the real
 * command line (scriptArguments.ts), and decides (pathDecision.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DEFAULTS } from '../../shared/settings';
import { watchJob, type JobObservation, type WatchOptions } from './jobWatch';
import { decidePaths, type PathDiscovery } from './pathDecision';
import { argumentPaths, scriptIndex } from './scriptArguments';

export interface DiscoveryOptions extends WatchOptions {
  minCheckpointBytes?: number;
}

function scriptOf(obs: JobObservation): { path: string; text: string } | undefined {
  const at = scriptIndex(obs.cmdline);
  if (at < 0) return undefined;
  const raw = obs.cmdline[at];
  const path = isAbsolute(raw) ? raw : obs.cwd ? resolve(obs.cwd, raw) : undefined;
  if (!path) return undefined;
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch {
    return undefined;
  }
}

/** Decides from an observation already made (the script is read from the job's command line). */
export function discoverFrom(obs: JobObservation, o: DiscoveryOptions = {}): PathDiscovery {
  const script = scriptOf(obs);
  const args = argumentPaths(obs.cmdline, obs.cwd, script?.text);
  const jobDirs = [obs.cwd, script && dirname(script.path)].filter((d): d is string => d !== undefined);
  return decidePaths(obs, args, {
    minCheckpointBytes: o.minCheckpointBytes ?? DEFAULTS.minCheckpointBytes,
    jobDirs,
  });
}

/** Watches the job `rootPid` for `durationMs` (default 1.5 s) and says what it found. */
export async function discoverPaths(rootPid: number, o: DiscoveryOptions = {}): Promise<PathDiscovery> {
  return discoverFrom(await watchJob(rootPid, o), o);
}
