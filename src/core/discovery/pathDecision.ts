/**
 * From what a job was seen doing (files read, mapped, written) and what its command line names,
 * the dataset roots and checkpoint folders to record, each with its evidence and a confidence, and
 * whether the choice is clear enough to make without asking. Reads only file sizes (stat).
 */
import { statSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import type { Confidence } from '../../shared/model';
import { groupIntoRoots, type DatasetRoot, type ReadFile } from './datasetRoots';
import type { JobObservation } from './jobWatch';
import type { ArgumentPath, PathRole } from './scriptArguments';

export interface FoundPath {
  path: string;
  role: PathRole;
  confidence: Confidence;
  /** what was seen, in the user's words: `2 workers are reading /data/train/… (37 files in 1.5 s)` */
  evidence: string[];
  exists: boolean;
  /** recorded without asking */
  chosen: boolean;
}

export interface PathDiscovery {
  datasets: FoundPath[];
  checkpoints: FoundPath[];
  /** the evidence does not settle it: ask (with the evidence shown), or say which one was taken */
  ambiguous: { datasets: boolean; checkpoints: boolean };
  watchedMs: number;
  cpuMs: number;
  processes: number;
  workers: number;
}

export interface DecisionOptions {
  minCheckpointBytes: number;
  /** the job's own folders (working directory, script folder): never a dataset root */
  jobDirs?: string[];
}

/** Files seen this many times open (scans and probes) are held open: a packed dataset (HDF5, shards). */
const HELD_LOOKS = 3;
const MANY_FILES = 3;

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

function isWithin(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep));
}

export function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function who(workers: number, pids: number, hasWorkers: boolean): string {
  if (workers > 0) return workers === 1 ? '1 worker' : `${workers} workers`;
  if (hasWorkers || pids > 1) return pids === 1 ? '1 process' : `${pids} processes`;
  return 'the main process';
}

function datasetFromRoot(root: DatasetRoot, obs: JobObservation): FoundPath {
  const hasWorkers = obs.processes.some((p) => p.isWorker);
  const distinct = root.files.length;
  const mapped = root.files.filter((f) => f.mapped);
  const held = root.files.filter((f) => !f.mapped && (obs.files.get(f.path)?.looks ?? 0) >= HELD_LOOKS);
  const subject = who(root.workerPids.length, root.pids.length, hasWorkers);
  const verb = subject.endsWith('s') && !subject.startsWith('the') ? 'are' : 'is';
  const evidence: string[] = [];
  const seconds = (obs.watchedMs / 1000).toFixed(1);
  if (mapped.length > 0) {
    const big = mapped.reduce((a, b) => ((b.bytes ?? 0) > (a.bytes ?? 0) ? b : a));
    evidence.push(
      `${subject} ${verb === 'are' ? 'map' : 'maps'} ${big.path}${big.bytes ? ` (${megabytes(big.bytes)})` : ''}`,
    );
  }
  if (held.length > 0 && mapped.length === 0) {
    const f = held[0];
    evidence.push(
      `${subject} ${verb === 'are' ? 'hold' : 'holds'} ${f.path} open${f.bytes ? ` (${megabytes(f.bytes)})` : ''}`,
    );
  }
  if (distinct > mapped.length + held.length || evidence.length === 0) {
    const inside = root.path === sep ? sep : `${root.path}${sep}`;
    evidence.push(
      `${subject} ${verb} reading ${inside}… (${distinct} file${distinct === 1 ? '' : 's'} seen in ${seconds} s)`,
    );
  }
  if (root.climbed) evidence.push(`the files lie in class folders of ${root.path}`);
  const strong = distinct >= MANY_FILES || mapped.length > 0 || held.length > 0;
  return {
    path: root.path,
    role: 'dataset',
    confidence: root.general ? 'low' : strong ? 'high' : 'medium',
    evidence,
    exists: true,
    chosen: false,
  };
}

function argumentText(a: ArgumentPath): string {
  return `argument \`${a.argument}\` = ${a.path} (${a.via})`;
}

function decideDatasets(obs: JobObservation, args: ArgumentPath[], o: DecisionOptions): FoundPath[] {
  const read: ReadFile[] = [...obs.files.values()]
    .filter((f) => !f.written)
    .map((f) => ({
      path: f.path,
      pids: [...f.pids],
      workerPids: [...f.workerPids],
      mapped: f.mapped,
      bytes: sizeOf(f.path),
    }));
  const found = groupIntoRoots(read, o.jobDirs ?? []).map((r) => datasetFromRoot(r, obs));
  const named = args.filter((a) => a.role === 'dataset');
  for (const a of named) {
    // the job was told this folder and reads under it: the folder it was told is the root
    const inside = found.filter((f) => isWithin(f.path, a.path));
    if (inside.length > 0) {
      const merged: FoundPath = {
        path: a.path,
        role: 'dataset',
        confidence: inside.some((f) => f.confidence !== 'low') ? 'high' : 'medium',
        evidence: [...inside.flatMap((f) => f.evidence), argumentText(a)],
        exists: true,
        chosen: false,
      };
      found.splice(found.indexOf(inside[0]), 0, merged);
      for (const f of inside) found.splice(found.indexOf(f), 1);
      continue;
    }
    const usedAsDataset = a.via !== 'its name';
    found.push({
      path: a.path,
      role: 'dataset',
      confidence: found.length > 0 ? 'low' : usedAsDataset ? 'high' : 'medium',
      evidence: [argumentText(a), `no file under it was seen read in ${(obs.watchedMs / 1000).toFixed(1)} s`],
      exists: a.exists,
      chosen: false,
    });
  }
  const observed = found.filter(
    (f) => f.confidence !== 'low' && !f.evidence.some((e) => e.startsWith('no file')),
  );
  const pick = observed.length > 0 ? observed : found.filter((f) => f.confidence !== 'low');
  for (const f of pick) f.chosen = true;
  return found;
}

function decideCheckpoints(obs: JobObservation, args: ArgumentPath[], o: DecisionOptions): FoundPath[] {
  const found: FoundPath[] = [];
  for (const f of obs.files.values()) {
    if (!f.written) continue;
    const bytes = sizeOf(f.path) ?? 0;
    if (bytes < o.minCheckpointBytes) continue;
    const dir = dirname(f.path);
    const evidence = `the job wrote ${f.path} (${megabytes(bytes)})`;
    const known = found.find((c) => c.path === dir);
    if (known) known.evidence.push(evidence);
    else
      found.push({
        path: dir,
        role: 'checkpoint',
        confidence: 'high',
        evidence: [evidence],
        exists: true,
        chosen: true,
      });
  }
  for (const a of args.filter((x) => x.role === 'checkpoint')) {
    const known = found.find((c) => c.path === a.path);
    if (known) {
      known.evidence.push(argumentText(a));
      continue;
    }
    const evidence = [argumentText(a)];
    if (!a.exists) evidence.push('it does not exist yet: the recording waits for it');
    const confidence: Confidence = a.via === 'its name' ? 'medium' : 'high';
    found.push({ path: a.path, role: 'checkpoint', confidence, evidence, exists: a.exists, chosen: true });
  }
  return found;
}

export function decidePaths(obs: JobObservation, args: ArgumentPath[], o: DecisionOptions): PathDiscovery {
  const datasets = decideDatasets(obs, args, o);
  const checkpoints = decideCheckpoints(obs, args, o);
  const chosen = datasets.filter((d) => d.chosen);
  return {
    datasets,
    checkpoints,
    ambiguous: {
      datasets: chosen.length === 0 ? datasets.length > 0 : chosen.some((d) => d.confidence !== 'high'),
      checkpoints: checkpoints.some((c) => c.chosen && c.confidence === 'low'),
    },
    watchedMs: obs.watchedMs,
    cpuMs: obs.cpuMs,
    processes: obs.processes.length,
    workers: obs.processes.filter((p) => p.isWorker).length,
  };
}

/** The folders to record: the chosen datasets and checkpoint folders. */
export function chosenPaths(d: PathDiscovery): { datasets: string[]; checkpoints: string[] } {
  return {
    datasets: d.datasets.filter((f) => f.chosen).map((f) => f.path),
    checkpoints: d.checkpoints.filter((f) => f.chosen).map((f) => f.path),
  };
}
