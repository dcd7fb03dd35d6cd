/**
 * CPU cost of each trainio source alone, in this process, while it samples a running job for 8 s.
 * Helper processes (inotifywait, fincore, find) are not included: see overhead.mjs for the total.
 *
 *   node --import tsx bench/overhead.sources.ts SOURCE PID DATASET_DIR CHECKPOINT_DIR
 *   SOURCE: none | tree | stall | open | residency | dirs | index
 */
import { DatasetIndexSource } from '../src/core/dataset/datasetIndexSource';
import { DirectoryWatcher } from '../src/core/dataset/directoryWatcher';
import { OpenWatcher } from '../src/core/dataset/openWatcher';
import { ResidencySampler } from '../src/core/dataset/residencySampler';
import { TreeSampler } from '../src/core/proc/treeSampler';
import type { Source, SourceContext } from '../src/core/source';
import { StallSampler } from '../src/core/stall/stallSampler';
import { withDefaults } from '../src/shared/settings';

const SECONDS = 8;
const [which, pidText, data, ckpt] = process.argv.slice(2);
const pid = Number(pidText);
const sources: Record<string, () => Source> = {
  none: () => ({ name: 'none', start: () => undefined, stop: () => Promise.resolve() }),
  tree: () => new TreeSampler(pid),
  stall: () => new StallSampler(pid, { datasets: [data] }),
  open: () => new OpenWatcher([data]),
  residency: () => new ResidencySampler([data]),
  dirs: () => new DirectoryWatcher({ datasets: [data], checkpoints: [ckpt] }),
  index: () => new DatasetIndexSource([data]),
};

const startedAtMs = Date.now();
let records = 0;
const ctx: SourceContext = {
  startedAtMs,
  settings: withDefaults(),
  sink: { emit: () => void records++ },
  now: () => (Date.now() - startedAtMs) / 1000,
  note: () => undefined,
};
const source = sources[which]?.();
if (!source || !(pid > 0)) {
  console.error(
    'usage: overhead.sources.ts none|tree|stall|open|residency|dirs|index PID DATASET CHECKPOINTS',
  );
  process.exit(2);
}
const before = process.cpuUsage();
void Promise.resolve(source.start(ctx));
setTimeout(() => {
  void source.stop().then(() => {
    const used = process.cpuUsage(before);
    const pct = ((used.user + used.system) / 1e6 / SECONDS) * 100;
    console.log(`${which}: ${pct.toFixed(2)}% of one core, ${records} records`);
    process.exit(0);
  });
}, SECONDS * 1000);
