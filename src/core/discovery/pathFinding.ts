/**
 * The recorder's side of finding folders: which datasets and checkpoint folders a recording starts
 * with (attach: found from a moment of watching the job when not given), the notes that say what
 * was found and why, and the watch that goes on looking while it runs (pathWatch.ts).
 */
import { resolve } from 'node:path';
import type { Settings } from '../../shared/settings';
import { discoveryNotes, type PathNote } from './discoveryText';
import { chosenPaths, type FoundPath, type PathDiscovery } from './pathDecision';
import { discoverPaths } from './pathDiscovery';
import { PathWatch } from './pathWatch';
import type { PathRole } from './scriptArguments';

export interface PathFindingRequest {
  target: { pid: number } | { command: string[] };
  datasets: string[];
  checkpoints: string[];
  settings: Settings;
  out: string;
  hookOut?: string;
  /** find what is not given from what the job does, and warn about a dataset it does not read */
  findPaths?: boolean;
  /** a discovery already made (by the editor, before asking): not made again */
  found?: PathDiscovery;
}

export class PathFinding {
  private constructor(
    readonly datasets: string[],
    readonly checkpoints: string[],
    private readonly looked: { datasets: boolean; checkpoints: boolean },
    private readonly found: PathDiscovery | undefined,
    private readonly exclude: ReadonlySet<string>,
    private readonly minCheckpointBytes: number,
  ) {}

  /** undefined unless `findPaths`; attaching without datasets or checkpoints watches the job first */
  static async before(req: PathFindingRequest): Promise<PathFinding | undefined> {
    if (!req.findPaths) return undefined;
    const looked = { datasets: req.datasets.length === 0, checkpoints: req.checkpoints.length === 0 };
    const exclude = new Set([resolve(req.out), ...(req.hookOut ? [resolve(req.hookOut)] : [])]);
    const min = req.settings.minCheckpointBytes;
    if (req.found) {
      // chosen by the caller from this discovery (the editor may have asked): its notes say what was taken
      const taken = (list: FoundPath[], paths: string[]): FoundPath[] =>
        list.map((f) => ({ ...f, chosen: paths.includes(f.path) }));
      const found: PathDiscovery = {
        ...req.found,
        datasets: taken(req.found.datasets, req.datasets),
        checkpoints: taken(req.found.checkpoints, req.checkpoints),
      };
      const all = { datasets: true, checkpoints: true };
      return new PathFinding(req.datasets, req.checkpoints, all, found, exclude, min);
    }
    let found: PathDiscovery | undefined;
    if ('pid' in req.target && (looked.datasets || looked.checkpoints))
      found = await discoverPaths(req.target.pid, { exclude, minCheckpointBytes: min });
    const chosen = found ? chosenPaths(found) : { datasets: [], checkpoints: [] };
    return new PathFinding(
      looked.datasets ? chosen.datasets : req.datasets,
      looked.checkpoints ? chosen.checkpoints : req.checkpoints,
      looked,
      found,
      exclude,
      min,
    );
  }

  /** what the discovery before the start found, for the session's notes */
  notes(): PathNote[] {
    return this.found ? discoveryNotes(this.found, this.looked) : [];
  }

  /** The watch that keeps looking while the job runs; `onFound` starts the sources of a new folder. */
  watch(rootPid: number, onFound: (path: string, role: PathRole) => void): PathWatch {
    return new PathWatch({
      rootPid,
      datasets: this.datasets,
      checkpoints: this.checkpoints,
      findDatasets: this.looked.datasets && this.datasets.length === 0,
      findCheckpoints: this.looked.checkpoints,
      minCheckpointBytes: this.minCheckpointBytes,
      exclude: this.exclude,
      onFound,
    });
  }
}
