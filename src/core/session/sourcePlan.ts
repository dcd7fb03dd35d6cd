/**
 * Which sources a recording runs, given its target and request. Every sampler and watcher is
 * created here and nowhere else.
 *
 * With the hook, file opens and epoch marks come from inside the job, so the inotify open watcher
 * (a second count of the same opens) runs only without it.
 */
import { resolve } from 'node:path';
import type { Settings } from '../../shared/settings';
import { DatasetIndexSource } from '../dataset/datasetIndexSource';
import { DirectoryWatcher } from '../dataset/directoryWatcher';
import { OpenWatcher } from '../dataset/openWatcher';
import { ResidencySampler } from '../dataset/residencySampler';
import { HealthMonitor } from '../health/healthMonitor';
import { HookReader } from '../hook/hookReader';
import { MappedDatasets } from '../proc/mappedDatasets';
import { TreeSampler } from '../proc/treeSampler';
import type { Source } from '../source';
import { StallSampler } from '../stall/stallSampler';
import { GpuSampler } from '../system/gpuSampler';
import { SystemSampler } from '../system/systemSampler';

export interface SourcePlanInput {
  rootPid: number;
  datasets: string[];
  checkpoints: string[];
  settings: Settings;
  /** the hook's output file, when the target runs with the hook */
  hookOut?: string;
  /** folders (absolute) that do not exist yet: their sources come from `forDirectory` */
  waiting?: ReadonlySet<string>;
}

export interface SourcePlan {
  sources: Source[];
  /** resolves when the root process is gone (attach mode's way to learn that the job ended) */
  rootExited: Promise<void>;
  /** the sources of one folder that did not exist at the start, once it appears */
  forDirectory(dir: string, role: 'dataset' | 'checkpoint'): Source[];
}

export function planSources(input: SourcePlanInput): SourcePlan {
  const { datasets, checkpoints } = input;
  const tree = new TreeSampler(input.rootPid);
  const sources: Source[] = [
    tree,
    new StallSampler(input.rootPid, { datasets, tree }),
    new SystemSampler(),
    new GpuSampler(),
    new HealthMonitor(tree),
  ];
  const present = (dirs: string[]): string[] => dirs.filter((d) => !input.waiting?.has(resolve(d)));
  // what needs a folder on disk: started now for those there, later for each one that appears
  const folderSources = (datasets: string[], checkpoints: string[]): Source[] => {
    const out: Source[] = [];
    if (datasets.length > 0)
      out.push(
        new DatasetIndexSource(datasets),
        new ResidencySampler(datasets),
        new MappedDatasets(tree, datasets),
      );
    if (datasets.length > 0 || checkpoints.length > 0)
      out.push(new DirectoryWatcher({ datasets, checkpoints }));
    if (input.hookOut === undefined && datasets.length > 0 && input.settings.inotify)
      out.push(new OpenWatcher(datasets));
    return out;
  };
  sources.push(...folderSources(present(datasets), present(checkpoints)));
  if (input.hookOut !== undefined) sources.push(new HookReader({ path: input.hookOut }));
  return {
    sources,
    rootExited: tree.rootExited,
    forDirectory: (dir, role) => (role === 'dataset' ? folderSources([dir], []) : folderSources([], [dir])),
  };
}
