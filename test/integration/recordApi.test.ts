/**
 * The Recorder as the extension uses it: live reports at most 4 times a second, records as they
 * come, `finished` when the job exits, and the file equal to what was seen live.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Recorder } from '../../src/core/session/recorder';
import { loadSession } from '../../src/core/session/sessionReader';
import type { SessionRecord, SessionReport } from '../../src/shared/model';
import { withDefaults } from '../../src/shared/settings';
import { SYSTEM_PYTHON } from '../support/tools';
import { tempDir } from '../support/workloads';

void test('a launched job: throttled live reports, every record, finished at exit, the same report reopened', async () => {
  const { dir, cleanup } = tempDir('recorder-api');
  try {
    const script = join(dir, 'job.py');
    // a job that reads a file for about 2 s, then exits with code 3
    writeFileSync(
      script,
      [
        'import os, time',
        "p = os.path.join(os.path.dirname(__file__), 'blob')",
        "open(p, 'wb').write(os.urandom(1 << 20))",
        'end = time.time() + 2',
        'while time.time() < end:',
        "    open(p, 'rb').read()",
        '    time.sleep(0.01)',
        'raise SystemExit(3)',
      ].join('\n'),
    );
    const out = join(dir, 's.trainio.jsonl');
    const recorder = await Recorder.start({
      target: { command: [SYSTEM_PYTHON, script], cwd: dir },
      out,
      datasets: [],
      checkpoints: [],
      settings: withDefaults(),
      stdio: 'ignore',
    });
    assert.equal(recorder.target.mode, 'launch');
    assert.equal(recorder.file, out);
    const times: number[] = [];
    const records: SessionRecord['type'][] = [];
    recorder.onReport(() => times.push(Date.now()));
    recorder.onRecord((r) => records.push(r.type));
    const startedMs = Date.now();
    const report: SessionReport = await recorder.finished;
    const wallS = (Date.now() - startedMs) / 1000;
    assert.equal(report.ended?.reason, 'exited');
    assert.equal(report.ended?.exitCode, 3);
    assert.ok(report.totals.rchar > 20 * (1 << 20), `read ${report.totals.rchar} B`);
    // at most 4 reports a second (plus the final one)
    assert.ok(times.length >= 2, `${times.length} reports`);
    assert.ok(times.length <= Math.ceil(wallS * 4) + 1, `${times.length} reports in ${wallS.toFixed(1)} s`);
    for (let i = 1; i < times.length - 1; i++)
      assert.ok(times[i] - times[i - 1] >= 240, `${times[i] - times[i - 1]} ms`);
    assert.ok(records.includes('tree'));
    assert.equal(records.at(-1), 'end');
    assert.deepEqual(await loadSession(out), report);
    // stopping a finished recording gives the same report
    assert.deepEqual(await recorder.stop(), report);
  } finally {
    cleanup();
  }
});
