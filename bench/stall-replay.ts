/**
 * Replays the runs kept by `TRACE_DIR=… bench/stall-accuracy.ts` through the stall estimator with
 * other calibrations of the receive path (CPU seconds per main-thread read call), to choose
 * RECEIVE_CPU_PER_READ_S without re-running the jobs. Prints one line per calibration.
 *
 *   node --import tsx bench/stall-replay.ts DIR [cpuPerReadS,...]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StallEstimator } from '../src/core/stall/stallEstimator';
import type { StallTraceEvent } from '../src/core/stall/stallSampler';
import { parseTruth } from '../test/support/truth';

const dir = process.argv[2];
const values = (process.argv[3] ?? '0.0001,0.00012,0.00014,0.00016,0.00018').split(',').map(Number);
const runs = readdirSync(dir)
  .filter((f) => f.endsWith('.trace.json'))
  .map((f) => {
    const base = join(dir, f.replace(/\.trace\.json$/, ''));
    const { trace } = JSON.parse(readFileSync(`${base}.trace.json`, 'utf8')) as { trace: StallTraceEvent[] };
    return { name: f, trace, truth: parseTruth(readFileSync(`${base}.truth`, 'utf8')).stallPct };
  });

for (const cpuPerRead of values) {
  const errors = runs.map(({ trace, truth }) => {
    const est = new StallEstimator({ windowS: 2, receiveCpuPerReadS: cpuPerRead });
    const records = [];
    for (const e of trace) {
      if ('spawnS' in e) est.addSpawn(e.spawnS);
      else records.push(...est.addSample(e.sample));
    }
    records.push(...est.finish());
    const wait = records.reduce((s, r) => s + r.waitS, 0);
    const loop = records.reduce((s, r) => s + r.loopS, 0);
    return (100 * wait) / loop - truth;
  });
  const mae = errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length;
  const mean = errors.reduce((s, e) => s + e, 0) / errors.length;
  console.log(
    `cpu per read ${cpuPerRead}: mean absolute error ${mae.toFixed(2)}, mean ${mean.toFixed(2)}, worst ${Math.max(...errors.map(Math.abs)).toFixed(1)} (${runs.length} runs)`,
  );
}
