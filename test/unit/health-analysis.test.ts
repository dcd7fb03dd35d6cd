/** The health records folded into the report's items, and the one line that says why a job died. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HealthTracker } from '../../src/core/analysis/healthTracker';
import { SessionAnalyzer } from '../../src/core/analysis/sessionAnalyzer';
import type { EndRecord, HealthRecord } from '../../src/shared/model';

const MB = 1e6;

function rec(r: Partial<HealthRecord> & Pick<HealthRecord, 'id' | 's' | 'severity'>): HealthRecord {
  return { type: 'health', value: 0, limit: 0, unit: 'bytes', message: r.id, ...r };
}

const died: EndRecord = { type: 'end', s: 20, reason: 'exited', exitCode: 1, signal: null };

void test('items keep the worst moment and the current state; a recovered check is ok now', () => {
  const t = new HealthTracker();
  t.add(rec({ id: 'shm', s: 1, severity: 'info', value: 1 * MB, limit: 64 * MB }));
  t.add(rec({ id: 'shm', s: 5, severity: 'warning', value: 55 * MB, limit: 64 * MB }));
  t.add(rec({ id: 'shm', s: 6, severity: 'critical', value: 62 * MB, limit: 64 * MB }));
  t.add(rec({ id: 'shm', s: 9, severity: 'info', value: 10 * MB, limit: 64 * MB, recovered: true }));
  t.add(rec({ id: 'fds', s: 2, severity: 'warning', value: 250, limit: 300, unit: 'fds', pid: 7 }));
  const [shm, fds] = t.health();
  assert.deepEqual(
    [shm.id, shm.severity, shm.value, shm.s, shm.current, shm.currentValue],
    ['shm', 'critical', 62 * MB, 6, 'ok', 10 * MB],
  );
  assert.deepEqual([fds.id, fds.current], ['fds', 'warning']);
  t.processExited(7);
  assert.equal(t.health()[1].current, 'ok', 'the process with the descriptors is gone');
});

void test('SIGBUS while /dev/shm was full: the shm sentence with the fullest reading before the death', () => {
  const t = new HealthTracker();
  t.add(rec({ id: 'shm', s: 1, severity: 'info', value: 0, limit: 32 * MB }));
  t.add(rec({ id: 'shm', s: 18, severity: 'critical', value: 31.04 * MB, limit: 32 * MB }));
  t.add(rec({ id: 'shm', s: 19.5, severity: 'info', value: 0, limit: 32 * MB, recovered: true }));
  t.add(
    rec({
      id: 'loader-error',
      s: 19,
      severity: 'critical',
      unit: 'count',
      message: 'RuntimeError: DataLoader worker (pid 4242) is killed by signal: Bus error. …',
      signal: 'SIGBUS',
    }),
  );
  assert.equal(
    t.exitCause(died),
    'a DataLoader worker (PID 4242) was killed by SIGBUS while /dev/shm was 97 % full (32.0 MB): raise --shm-size, lower batch_size × prefetch_factor × num_workers, or use the file_system sharing strategy',
  );
  assert.equal(t.exitCause({ ...died, exitCode: 0 }), undefined, 'a job that exited well did not die');
  assert.equal(t.exitCause(null), undefined, 'still running');
});

void test('"Too many open files": the descriptors of the process at its limit', () => {
  const t = new HealthTracker();
  t.add(rec({ id: 'fds', s: 6.9, severity: 'critical', value: 298, limit: 300, unit: 'fds', pid: 77 }));
  t.add(
    rec({
      id: 'loader-error',
      s: 7,
      severity: 'critical',
      unit: 'count',
      message:
        'OSError: Caught OSError in DataLoader worker process 1. … OSError: [Errno 24] Too many open files',
    }),
  );
  assert.match(
    t.exitCause(died) ?? '',
    /^the job ran out of file descriptors \("Too many open files"\): 298 of 300 descriptors open in PID 77: raise the limit/,
  );
});

void test('memory: an OOM kill in the cgroup names the memory, a worker killed by SIGKILL without evidence does not', () => {
  const t = new HealthTracker();
  t.add(rec({ id: 'memory', s: 10, severity: 'critical', value: 980 * MB, limit: 1000 * MB, oomKills: 1 }));
  t.add(
    rec({
      id: 'worker-died',
      s: 10.2,
      severity: 'critical',
      unit: 'count',
      pid: 9,
      signal: 'SIGKILL',
      message: 'DataLoader worker 9 was killed by SIGKILL',
    }),
  );
  assert.match(
    t.exitCause(died) ?? '',
    /^a DataLoader worker \(PID 9\) was killed by SIGKILL while memory was 98 % used \(980 MB of 1\.00 GB\).*OOM killer/,
  );
  const plain = new HealthTracker();
  plain.add(
    rec({
      id: 'worker-died',
      s: 3,
      severity: 'critical',
      unit: 'count',
      pid: 9,
      signal: 'SIGSEGV',
      message: 'x',
    }),
  );
  assert.equal(plain.exitCause(died), 'a DataLoader worker (PID 9) was killed by SIGSEGV');
  assert.equal(new HealthTracker().exitCause(died), undefined, 'no evidence, no verdict');
});

void test('the analyzer lists health in the report and says why the job died', () => {
  const a = new SessionAnalyzer();
  a.add(rec({ id: 'shm', s: 1, severity: 'critical', value: 63 * MB, limit: 64 * MB }));
  a.add(
    rec({
      id: 'worker-died',
      s: 1.1,
      severity: 'critical',
      unit: 'count',
      pid: 5,
      signal: 'SIGBUS',
      message: 'DataLoader worker 5 was killed by SIGBUS',
    }),
  );
  a.add(died);
  const r = a.report();
  assert.deepEqual(
    r.health?.map((h) => h.id),
    ['shm', 'worker-died'],
  );
  assert.match(
    r.exitCause ?? '',
    /^a DataLoader worker \(PID 5\) was killed by SIGBUS while \/dev\/shm was 98 % full \(64\.0 MB\)/,
  );
});
