/**
 * A real PyTorch job in a real memory-limited cgroup (root: a child of the memory controller, v2 or
 * v1) whose DataLoader workers keep what they build until the kernel's OOM killer fires. Only the
 * job is moved into the cgroup (its shell writes its own PID to cgroup.procs, then execs python);
 * the recorder stays outside. The memory records are checked against the cgroup's own usage, read
 * by the test every 100 ms, and its limit; the cause of death against the kernel's OOM-kill count.
 * A second job fills the same kind of cgroup with page cache only (it writes and reads a file larger
 * than the limit): the cgroup is charged up to its limit, yet nothing is at risk, and no warning.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HealthRecord, SessionRecord, SessionReport } from '../../src/shared/model';
import { hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { tempDir, WORKLOADS_DIR } from '../support/workloads';
import { runCli, sessionHeader } from './cliRun';

const MiB = 1024 * 1024;
const LIMIT = 300 * MiB;

interface Cgroup {
  dir: string;
  limitFile: string;
  usageFile: string;
  oomKills: () => number;
}

/** the cgroup's charged bytes and its working set (less the inactive file cache), read by the test */
function cgroupUsage(cg: Cgroup): { charged: number; workingSet: number } {
  const charged = Number(readFileSync(`${cg.dir}/${cg.usageFile}`, 'utf8'));
  const stat = readFileSync(`${cg.dir}/memory.stat`, 'utf8');
  const inactive = Number(/^(?:total_)?inactive_file (\d+)$/m.exec(stat)?.[1] ?? 0);
  return { charged, workingSet: charged - inactive };
}

/** a fresh memory cgroup under the root of the v2 hierarchy, else of the v1 memory controller */
function makeCgroup(name: string): Cgroup | string {
  const v2 = '/sys/fs/cgroup';
  if (existsSync(`${v2}/cgroup.subtree_control`)) {
    const controllers = readFileSync(`${v2}/cgroup.controllers`, 'utf8');
    if (!/\bmemory\b/.test(controllers)) return 'the cgroup v2 root has no memory controller';
    if (!/\bmemory\b/.test(readFileSync(`${v2}/cgroup.subtree_control`, 'utf8')))
      writeFileSync(`${v2}/cgroup.subtree_control`, '+memory');
    const dir = `${v2}/${name}`;
    mkdirSync(dir);
    writeFileSync(`${dir}/memory.max`, String(LIMIT));
    writeFileSync(`${dir}/memory.swap.max`, '0');
    const kills = () => Number(/^oom_kill (\d+)/m.exec(readFileSync(`${dir}/memory.events`, 'utf8'))?.[1]);
    return { dir, limitFile: 'memory.max', usageFile: 'memory.current', oomKills: kills };
  }
  const v1 = '/sys/fs/cgroup/memory';
  if (!existsSync(`${v1}/memory.limit_in_bytes`)) return 'no memory cgroup controller is mounted';
  const dir = `${v1}/${name}`;
  mkdirSync(dir);
  writeFileSync(`${dir}/memory.limit_in_bytes`, String(LIMIT));
  const kills = () => Number(/^oom_kill (\d+)/m.exec(readFileSync(`${dir}/memory.oom_control`, 'utf8'))?.[1]);
  return { dir, limitFile: 'memory.limit_in_bytes', usageFile: 'memory.usage_in_bytes', oomKills: kills };
}

/** ends what is left in the cgroup (a worker outliving its parent), then removes it */
async function removeCgroup(dir: string): Promise<void> {
  for (let i = 0; i < 50 && existsSync(dir); i++) {
    for (const pid of readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      rmdirSync(dir);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function jsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

type Line = Record<string, number | string>;

void test('a job at its cgroup memory limit: warned, then critical, then "killed by SIGKILL while memory was N of M"', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  const isRoot = process.getuid?.() === 0;
  if (!requireTool(t, isRoot, 'root', 'run the tests as root (a memory-limited cgroup for the job)')) return;
  const { dir, cleanup } = tempDir('health-oom');
  const cg = makeCgroup(`trainio-oom-${process.pid}`);
  if (typeof cg === 'string') {
    cleanup();
    requireTool(t, false, 'a memory cgroup', cg);
    return;
  }
  const usage: Array<{ t: number; bytes: number }> = [];
  const poll = setInterval(() => {
    try {
      usage.push({ t: Date.now() / 1000, bytes: cgroupUsage(cg).workingSet });
    } catch {
      // the cgroup is being removed
    }
  }, 100);
  try {
    const truthFile = join(dir, 'truth.jsonl');
    const script = join(WORKLOADS_DIR, 'health_oom.py');
    const inner = `echo $$ > ${cg.dir}/cgroup.procs && exec ${SYSTEM_PYTHON} ${script} --num-workers 3 --truth ${truthFile}`;
    const session = join(dir, 'session.trainio.jsonl');
    const killsBefore = cg.oomKills();
    const rec = await runCli(['record', '--out', session, '--', 'sh', '-c', inner], { cwd: dir });
    clearInterval(poll);
    const out = join(dir, 'report.json');
    const rep = await runCli(['report', session, '--format', 'json', '--out', out]);
    assert.equal(rep.code, 0, rep.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as SessionReport;
    const health = jsonLines<SessionRecord>(session).filter((r): r is HealthRecord => r.type === 'health');
    const startS = sessionHeader(session).startedAtMs / 1000;
    const truth = jsonLines<Line>(truthFile);

    // the job's own truth: its limit, and that the kernel's OOM killer ended it
    assert.equal(Number(truth.find((l) => l.ev === 'start')?.limit), LIMIT);
    // the kernel may kill more than one process of the cgroup (a worker, then the main)
    const kills = cg.oomKills() - killsBefore;
    assert.ok(kills >= 1, `the OOM killer ended the job (${kills} kills)`);
    assert.notEqual(rec.code, 0, 'the job was killed, and trainio record says so');

    const memory = health.filter((h) => h.id === 'memory');
    for (const h of memory) assert.equal(h.limit, LIMIT, "the cgroup's memory.max, not the machine's");
    const warnedAt = memory.find((h) => h.severity === 'warning')?.s ?? Infinity;
    const criticalAt = memory.find((h) => h.severity === 'critical')?.s ?? Infinity;
    const killAt = report.durationS;
    assert.ok(warnedAt < criticalAt, `warning at ${warnedAt} s before critical at ${criticalAt} s`);
    assert.ok(
      criticalAt < killAt - 0.5,
      `critical at ${criticalAt} s, before the kill (job ended at ${killAt} s)`,
    );

    // each reading vs the cgroup's own usage nearest in time (the job grows ≤ 3 MB/s near the limit)
    for (const h of memory.filter((x) => x.severity !== 'info' && x.oomKills === undefined)) {
      const at = startS + h.s;
      const near = usage.reduce((a, b) => (Math.abs(b.t - at) < Math.abs(a.t - at) ? b : a));
      assert.ok(Math.abs(near.t - at) < 0.2, `a cgroup reading within 0.2 s of ${h.s} s`);
      assert.ok(
        Math.abs(h.value - near.bytes) <= 4 * MiB,
        `at ${h.s} s trainio read ${h.value}, the cgroup ${near.bytes} (±4 MiB)`,
      );
    }
    const oom = memory.filter((h) => (h.oomKills ?? 0) > 0);
    assert.ok(oom.length >= 1, `an OOM-kill record: ${JSON.stringify(memory.at(-1))}`);
    assert.equal(Math.max(...oom.map((h) => h.oomKills ?? 0)), kills, "the cgroup's own kill count");

    // the cause line: who was killed (a worker when the loader raised, else the main process)
    const cause = report.exitCause ?? '';
    const workerDied = truth.find((l) => l.ev === 'error');
    const who = workerDied ? /a DataLoader worker \(PID (\d+)\)/ : /the job's main process/;
    const m = new RegExp(
      `^${who.source} was killed by SIGKILL while memory was (\\d+) % used \\(([\\d.]+) MB of 315 MB\\).*: the OOM killer ended it`,
    ).exec(cause);
    assert.ok(m, cause);
    // the cause states the fullest reading in the 30 s up to the death, the OOM-kill reading
    // included (it is taken at the cgroup's limit, the moment the kernel killed)
    const diedAt = Math.min(
      killAt,
      ...health.filter((h) => h.id === 'worker-died' || h.id === 'loader-error').map((h) => h.s),
    );
    const aroundDeath = memory.filter((h) => !h.recovered && h.s >= diedAt - 30 && h.s <= diedAt + 1);
    assert.ok(aroundDeath.length > 0, `a memory reading in the 30 s before the death at ${diedAt} s`);
    const worst = aroundDeath.reduce((a, b) => (b.value > a.value ? b : a));
    const pctShown = Number(m[workerDied ? 2 : 1]);
    assert.equal(pctShown, Math.round((100 * worst.value) / LIMIT), `${cause} vs ${worst.value}`);
    assert.ok(pctShown >= 97, `memory at the kill ${pctShown} %`);
    if (workerDied) {
      const pids = new Set(truth.filter((l) => l.ev === 'mem').map((l) => Number(l.pid)));
      assert.ok(pids.has(Number(m[1])), `PID ${m[1]} is one of the job's workers`);
    }
    assert.match(rec.stdout, /Why the job died: .*was killed by SIGKILL/);
  } finally {
    clearInterval(poll);
    await removeCgroup(cg.dir);
    cleanup();
  }
});

void test('a job whose cgroup is full of page cache only: its working set is read, no memory warning', async (t) => {
  const isRoot = process.getuid?.() === 0;
  if (!requireTool(t, isRoot, 'root', 'run the tests as root (a memory-limited cgroup for the job)')) return;
  const { dir, cleanup } = tempDir('health-pagecache');
  const cg = makeCgroup(`trainio-cache-${process.pid}`);
  if (typeof cg === 'string') {
    cleanup();
    requireTool(t, false, 'a memory cgroup', cg);
    return;
  }
  const usage: Array<{ t: number; charged: number; workingSet: number }> = [];
  const poll = setInterval(() => {
    try {
      usage.push({ t: Date.now() / 1000, ...cgroupUsage(cg) });
    } catch {
      // the cgroup is being removed
    }
  }, 100);
  try {
    // the job writes, then reads three times, a file larger than its limit: all of it page cache
    const big = join(dir, 'big.bin');
    const mb = Math.round((1.3 * LIMIT) / MiB);
    const inner =
      `echo $$ > ${cg.dir}/cgroup.procs && dd if=/dev/zero of=${big} bs=1M count=${mb} status=none && ` +
      `for i in 1 2 3; do cat ${big} > /dev/null; sleep 1; done`;
    const session = join(dir, 'session.trainio.jsonl');
    const rec = await runCli(['record', '--out', session, '--', 'sh', '-c', inner], { cwd: dir });
    clearInterval(poll);
    assert.equal(rec.code, 0, rec.stderr);
    const startS = sessionHeader(session).startedAtMs / 1000;
    const memory = jsonLines<SessionRecord>(session).filter(
      (r): r is HealthRecord => r.type === 'health' && r.id === 'memory',
    );
    // positive control: the cgroup was charged to its limit, the old reading would have been critical
    const charged = Math.max(...usage.map((u) => u.charged));
    assert.ok(charged >= 0.9 * LIMIT, `the cgroup was charged up to ${charged} of ${LIMIT}`);
    assert.ok(memory.length >= 1, 'memory was read');
    let compared = 0;
    for (const h of memory) {
      assert.equal(h.limit, LIMIT, "the cgroup's memory.max");
      assert.equal(h.severity, 'info', `no warning for page cache: ${h.message}`);
      // while dd writes, the charge runs ahead of the page lists for a moment: trainio's reading
      // must lie within what the test read in the 0.2 s around it
      const at = startS + h.s;
      const around = usage.filter((u) => Math.abs(u.t - at) <= 0.2).map((u) => u.workingSet);
      if (around.length === 0) continue;
      compared++;
      assert.ok(
        h.value >= Math.min(...around) - 4 * MiB && h.value <= Math.max(...around) + 4 * MiB,
        `at ${h.s} s trainio read ${h.value}, the cgroup's working set ${around.join(', ')} (±4 MiB)`,
      );
    }
    assert.ok(compared >= 1, 'a memory record with a cgroup reading within 0.2 s');
  } finally {
    clearInterval(poll);
    await removeCgroup(cg.dir);
    cleanup();
  }
});
