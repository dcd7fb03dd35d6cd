/**
 * The health checks against real PyTorch jobs that run into each limit, every number checked against
 * what the job measured itself: a 16 MiB /dev/shm filled until a worker dies of SIGBUS (root: a
 * private mount namespace), a 300-descriptor limit run out by a dataset that keeps files open
 * (prlimit), and persistent workers whose private memory grows copy-on-write.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HealthRecord, SessionRecord, SessionReport } from '../../src/shared/model';
import { hasCommand, hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { tempDir, WORKLOADS_DIR } from '../support/workloads';
import { runCli, sessionHeader } from './cliRun';

const isRoot = process.getuid?.() === 0;
const MiB = 1024 * 1024;

type Line = Record<string, number | string>;

function jsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** records the job into a session, then its JSON report; returns both with the CLI's exit code */
async function recordJob(
  dir: string,
  job: string[],
): Promise<{
  code: number | null;
  stdout: string;
  report: SessionReport;
  health: HealthRecord[];
  startS: number;
}> {
  const session = join(dir, 'session.trainio.jsonl');
  const rec = await runCli(['record', '--out', session, '--', ...job], { cwd: dir });
  const out = join(dir, 'report.json');
  const rep = await runCli(['report', session, '--format', 'json', '--out', out]);
  assert.equal(rep.code, 0, rep.stderr);
  const health = jsonLines<SessionRecord>(session).filter((r): r is HealthRecord => r.type === 'health');
  return {
    code: rec.code,
    stdout: rec.stdout,
    report: JSON.parse(readFileSync(out, 'utf8')) as SessionReport,
    health,
    startS: sessionHeader(session).startedAtMs / 1000,
  };
}

void test('a full /dev/shm: warned before, then "killed by SIGBUS while /dev/shm was N % full"', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  if (
    !requireTool(t, isRoot, 'root', 'run the tests as root (a private mount namespace with a small /dev/shm)')
  )
    return;
  const { dir, cleanup } = tempDir('health-shm');
  try {
    const truthFile = join(dir, 'truth.jsonl');
    const script = join(WORKLOADS_DIR, 'health_shm.py');
    const inner = `mount -t tmpfs -o size=16m tmpfs /dev/shm && exec ${SYSTEM_PYTHON} ${script} --hold 100 --truth ${truthFile}`;
    const r = await recordJob(dir, ['unshare', '-m', 'sh', '-c', inner]);
    const truth = jsonLines<Line>(truthFile);
    const size = Number(truth.find((l) => l.ev === 'start')?.shm_size);
    const peak = Number(truth.find((l) => l.ev === 'peak')?.used);
    const stepMax = Math.max(...truth.filter((l) => l.ev === 'shm').map((l) => Number(l.used)));
    assert.match(String(truth.find((l) => l.ev === 'error')?.message), /killed by signal: Bus error/);
    assert.equal(size, 16 * MiB);
    assert.notEqual(r.code, 0, 'the job failed, and so does trainio record');

    const shm = r.report.health?.find((h) => h.id === 'shm');
    assert.ok(shm, JSON.stringify(r.report.health));
    assert.equal(shm.limit, size, "the size of the job's own /dev/shm, not the host's");
    assert.equal(shm.severity, 'critical');
    // sampled every 250 ms while the job adds a 1 MB batch every 300 ms: at most a batch or two behind
    assert.ok(shm.value <= peak, `trainio's worst ${shm.value} ≤ the job's peak ${peak}`);
    assert.ok(
      Math.abs(shm.value - stepMax) <= 2 * MiB,
      `trainio's worst ${shm.value} vs the job's ${stepMax} (±2 MiB)`,
    );
    const warnedAt = r.health.find((h) => h.id === 'shm' && h.severity === 'warning')?.s ?? Infinity;
    const errorAt = r.health.find((h) => h.id === 'loader-error')?.s ?? -Infinity;
    assert.ok(warnedAt < errorAt, `warned at ${warnedAt} s, before the worker died at ${errorAt} s`);

    const m = /killed by SIGBUS while \/dev\/shm was (\d+) % full \(16\.8 MB\): raise --shm-size/.exec(
      r.report.exitCause ?? '',
    );
    assert.ok(m, r.report.exitCause);
    assert.equal(Number(m[1]), Math.round((100 * shm.value) / size));
    assert.match(r.stdout, /Why the job died: a DataLoader worker \(PID \d+\) was killed by SIGBUS/);
  } finally {
    cleanup();
  }
});

void test('descriptors run out: the worker at its RLIMIT_NOFILE, and "ran out of file descriptors"', async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  if (!requireTool(t, hasCommand('prlimit', ['--version']), 'prlimit', 'apt-get install util-linux')) return;
  const { dir, cleanup } = tempDir('health-fds');
  try {
    const truthFile = join(dir, 'truth.jsonl');
    const script = join(WORKLOADS_DIR, 'health_fds.py');
    const r = await recordJob(dir, ['prlimit', '--nofile=300', SYSTEM_PYTHON, script, '--truth', truthFile]);
    const truth = jsonLines<Line>(truthFile);
    const limit = Number(truth.find((l) => l.ev === 'start')?.limit);
    assert.equal(limit, 300);
    assert.match(String(truth.find((l) => l.ev === 'error')?.message), /Too many open files/);
    const maxByPid = new Map<number, number>();
    for (const l of truth.filter((x) => x.ev === 'fds'))
      maxByPid.set(Number(l.pid), Math.max(maxByPid.get(Number(l.pid)) ?? 0, Number(l.count)));

    const fds = r.report.health?.find((h) => h.id === 'fds');
    assert.ok(fds, JSON.stringify(r.report.health));
    assert.equal(fds.limit, limit);
    // warned before the crash: critical when a tick caught the last 5 % of the limit, a warning
    // when the job went from 80 % to exhaustion between two ticks (250 ms)
    assert.ok(fds.severity === 'critical' || fds.severity === 'warning', fds.severity);
    const workerMax = maxByPid.get(fds.pid ?? -1);
    assert.ok(
      workerMax !== undefined,
      `PID ${fds.pid} is one of the job's workers (${[...maxByPid.keys()]})`,
    );
    // the worker's own count is taken after opening a file, and it logs none for the opens that
    // fail at the limit; trainio's is taken between two samples, never above the limit
    assert.ok(
      fds.value >= (fds.severity === 'critical' ? 0.95 : 0.8) * limit &&
        fds.value <= Math.min(limit, workerMax + 3),
      `${fds.value} vs the worker's ${workerMax}`,
    );
    for (const rec of r.health.filter((h) => h.id === 'fds' && h.severity !== 'info')) {
      const own = maxByPid.get(rec.pid ?? -1);
      // the worker logs its count after each open that succeeded; the last ones, at the limit, fail
      if (own !== undefined)
        assert.ok(rec.value <= Math.min(limit, own + 3), `record ${rec.value} ≤ the worker's max ${own}`);
    }
    const m =
      /ran out of file descriptors \("Too many open files"\): (\d+) of 300 descriptors open in PID (\d+)/.exec(
        r.report.exitCause ?? '',
      );
    assert.ok(m, r.report.exitCause);
    assert.equal(Number(m[1]), fds.value);
    assert.equal(Number(m[2]), fds.pid);
  } finally {
    cleanup();
  }
});

void test("workers' private memory growing copy-on-write: each reading vs the worker's own smaps_rollup", async (t) => {
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  const { dir, cleanup } = tempDir('health-cow');
  try {
    const truthFile = join(dir, 'truth.jsonl');
    const script = join(WORKLOADS_DIR, 'health_cow.py');
    const r = await recordJob(dir, [SYSTEM_PYTHON, script, '--sample-ms', '60', '--truth', truthFile]);
    assert.equal(r.code, 0, r.stdout);
    const truth = jsonLines<Line>(truthFile);
    const readings = truth.filter((l) => l.ev === 'mem');
    const listBytes = Number(truth.find((l) => l.ev === 'start')?.list_bytes);
    const records = r.health.filter((h) => h.id === 'worker-memory' && !h.recovered);
    assert.ok(records.length >= 1, JSON.stringify(r.report.health));
    for (const rec of records) {
      assert.ok(rec.severity === 'warning' || rec.severity === 'critical');
      const own = readings.filter((l) => Number(l.pid) === rec.pid);
      assert.ok(own.length > 0, `PID ${rec.pid} is a worker of the job`);
      const nearest = own.reduce((a, b) =>
        Math.abs(Number(b.t) - r.startS - rec.s) < Math.abs(Number(a.t) - r.startS - rec.s) ? b : a,
      );
      const tol = 0.1 * Number(nearest.private) + 4 * MiB;
      assert.ok(
        Math.abs(rec.value - Number(nearest.private)) <= tol,
        `at ${rec.s} s trainio read ${rec.value}, the worker ${nearest.private} (±${Math.round(tol)})`,
      );
      assert.match(rec.message, /DataLoader worker \d+ holds .* of private memory \(\+.* since it started\)/);
    }
    // each worker ends up holding about its own copy of the list
    const worst = r.report.health?.find((h) => h.id === 'worker-memory');
    assert.ok(worst && worst.value >= 0.5 * listBytes, `${worst?.value} vs the list's ${listBytes}`);
    assert.equal(r.report.exitCause, undefined, 'the job ended well');
  } finally {
    cleanup();
  }
});
