// Sampling jitter with the session file on a slow filesystem. A 50 Hz timer (the stall sampler's
// rate) measures how late each tick fires while records arrive at a recorder's rate (60 lines/s)
// and are written (a) the old way — buffered, writeSync on the main thread every 500 ms — and
// (b) by SessionWriter (asynchronous writes). The slow filesystem is a test double, SlowFilesystem:
// every write call blocks the thread it runs on for D ms (as a write to a stalled NFS server does),
// then writes for real. For (b) its calls run on a worker thread, as libuv's thread pool runs
// fs.write. Then the real disk with three fsync policies. Results: writer-jitter.md.
//   node --import tsx bench/writer-jitter.ts [SECONDS_PER_CASE]
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SessionWriter, type FileIo } from '../src/core/session/sessionWriter';
import type { SessionRecord } from '../src/shared/model';

const seconds = Number(process.argv[2] ?? 8);
const TICK_MS = 20;
const LINES_PER_S = 60;

function block(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Test double: a filesystem whose every write blocks its thread for `delayMs`, run on a worker thread. */
class SlowFilesystem implements FileIo {
  private readonly worker: Worker;
  private next = 0;
  private readonly pending = new Map<number, (err: NodeJS.ErrnoException | null, n: number) => void>();
  constructor(delayMs: number) {
    this.worker = new Worker(
      `const { parentPort } = require('node:worker_threads'); const fs = require('node:fs');
       const wait = new Int32Array(new SharedArrayBuffer(4));
       parentPort.on('message', ({ id, fd, data }) => {
         Atomics.wait(wait, 0, 0, ${delayMs});
         parentPort.postMessage({ id, n: fs.writeSync(fd, Buffer.from(data)) });
       });`,
      { eval: true },
    );
    this.worker.on('message', ({ id, n }: { id: number; n: number }) => {
      this.pending.get(id)?.(null, n);
      this.pending.delete(id);
    });
  }
  write(fd: number, data: Buffer, done: (err: NodeJS.ErrnoException | null, n: number) => void): void {
    const id = this.next++;
    this.pending.set(id, done);
    this.worker.postMessage({ id, fd, data });
  }
  fsync(_fd: number, done: (err: NodeJS.ErrnoException | null) => void): void {
    done(null);
  }
  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

/** The writer as it was before: buffered lines, writeSync on the main thread every 500 ms. */
class SyncWriterBaseline {
  private buffer: string[] = [];
  private readonly timer = setInterval(() => this.flush(), 500);
  constructor(
    private readonly fd: number,
    private readonly delayMs: number,
  ) {}
  write(r: SessionRecord): void {
    this.buffer.push(JSON.stringify(r) + '\n');
  }
  flush(): void {
    if (!this.buffer.length) return;
    block(this.delayMs);
    writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
  }
  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

function record(i: number): SessionRecord {
  return {
    type: 'tree',
    s: i / LINES_PER_S,
    pids: [100, 101, 102],
    io: { rchar: i * 1e6, wchar: i * 10, readBytes: i * 5e5, writeBytes: 0, majorFaults: i },
    cpuS: i * 0.01,
    rssBytes: 2e9,
    workers: 2,
  };
}

/** lateness of each tick of a 20 ms grid timer; a tick that could not fire in its slot is missed */
async function lateness(write: (r: SessionRecord) => void): Promise<{ late: number[]; missed: number }> {
  const late: number[] = [];
  let missed = 0;
  let i = 0;
  const feed = setInterval(() => write(record(i++)), 1000 / LINES_PER_S);
  const start = performance.now();
  await new Promise<void>((done) => {
    let due = start + TICK_MS;
    const tick = (): void => {
      const now = performance.now();
      late.push(now - due);
      const next = Math.max(due + TICK_MS, start + Math.ceil((now - start) / TICK_MS) * TICK_MS);
      missed += Math.round((next - due) / TICK_MS) - 1;
      due = next;
      if (now - start >= seconds * 1000) return done();
      setTimeout(tick, Math.max(0, due - performance.now()));
    };
    setTimeout(tick, TICK_MS);
  });
  clearInterval(feed);
  return { late, missed };
}

function row(name: string, r: { late: number[]; missed: number }, extra = ''): void {
  const s = [...r.late].sort((a, b) => a - b);
  const q = (p: number): string => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1);
  const total = r.late.length + r.missed;
  console.log(
    `| ${name} | ${q(0.5)} | ${q(0.99)} | ${s[s.length - 1].toFixed(1)} | ${r.missed} of ${total} | ${extra} |`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-jitter-'));
  console.log(
    `${seconds} s per case, ${LINES_PER_S} records/s, a ${TICK_MS} ms sampling timer; lateness of its ticks in ms.\n`,
  );
  console.log('| writer, filesystem | p50 | p99 | max | ticks missed | notes |');
  console.log('|---|---|---|---|---|---|');
  try {
    row('no writer (timer alone)', await lateness(() => undefined));
    for (const delayMs of [200, 2000]) {
      const fd = openSync(join(dir, `sync-${delayMs}.jsonl`), 'w');
      const old = new SyncWriterBaseline(fd, delayMs);
      row(
        `old: writeSync on the main thread, SlowFilesystem ${delayMs} ms/write`,
        await lateness((r) => old.write(r)),
      );
      old.close();
      closeSync(fd);
      const slow = new SlowFilesystem(delayMs);
      const w = SessionWriter.create(join(dir, `async-${delayMs}.jsonl`), { io: slow });
      const lates = await lateness((r) => w.write(r));
      row(
        `SessionWriter, SlowFilesystem ${delayMs} ms/write`,
        lates,
        `${w.keptRecords} records queued at the end`,
      );
      await w.close();
      await slow.stop();
    }
    for (const [name, fsyncMs] of [
      ['never until close', 0],
      ['every 10 s (default)', 10_000],
      ['every 500 ms (each flush)', 500],
    ] as const) {
      const w = SessionWriter.create(join(dir, `disk-${fsyncMs}.jsonl`), { fsyncMs });
      row(`SessionWriter, real disk (${tmpdir()}), fsync ${name}`, await lateness((r) => w.write(r)));
      await w.close();
    }
    // what one fsync of a session-sized append costs here (off the main thread in SessionWriter)
    const fd = openSync(join(dir, 'fsync.jsonl'), 'w');
    const costs: number[] = [];
    for (let k = 0; k < 20; k++) {
      writeSync(fd, Buffer.alloc(30 * 120, 0x61));
      const t = performance.now();
      fsyncSync(fd);
      costs.push(performance.now() - t);
    }
    closeSync(fd);
    costs.sort((a, b) => a - b);
    console.log(
      `\nfsync of a 500 ms append (3.6 kB) on ${tmpdir()}: median ${costs[10].toFixed(2)} ms, max ${costs[19].toFixed(2)} ms (20 calls).`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
