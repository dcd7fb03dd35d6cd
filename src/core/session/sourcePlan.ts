/**
 * Which sources a recording runs, given its target and request. Every sampler and watcher is
 * created here and nowhere else.
 *
 * With the hook, file opens and epoch marks come from inside the job, so the inotify open watcher
 * (a second count of the same opens) runs only without it.
 */
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
}

export interface SourcePlan {
  sources: Source[];
  /** resolves when the root process is gone (attach mode's way to learn that the job ended) */
  rootExited: Promise<void>;
}

export function planSources(input: SourcePlanInput): SourcePlan {
  const { datasets, checkpoints } = input;
  const tree = new TreeSampler(input.rootPid);
  const sources: Source[] = [
    tree,
    new StallSampler(input.rootPid, { datasets }),
    new SystemSampler(),
    new GpuSampler(),
    new HealthMonitor(tree),
  ];
  if (datasets.length > 0)
    sources.push(
      new DatasetIndexSource(datasets),
      new ResidencySampler(datasets),
      new MappedDatasets(tree, datasets),
    );
  if (datasets.length > 0 || checkpoints.length > 0)
    sources.push(new DirectoryWatcher({ datasets, checkpoints }));
  if (input.hookOut !== undefined) sources.push(new HookReader({ path: input.hookOut }));
  else if (datasets.length > 0 && input.settings.inotify) sources.push(new OpenWatcher(datasets));
  return { sources, rootExited: tree.rootExited };
}
