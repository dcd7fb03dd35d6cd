/**
 * GPU utilisation and memory from `nvidia-smi`, run once as a long-lived child that prints one line
 * per GPU every second (`-lms 1000`) — not one process per tick. Without `nvidia-smi` the sampler
 * emits a single info note and nothing else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as readline from 'node:readline';
import type { GpuRecord } from '../../shared/model';
import type { Source, SourceContext } from '../source';
import { findExecutable } from '../target/executable';

export const GPU_QUERY = ['--query-gpu=index,utilization.gpu,memory.used', '--format=csv,noheader,nounits'];

/** One line of the query: "0, 45, 1234" (memory in MiB) → record fields, or null. */
export function parseGpuLine(line: string): Omit<GpuRecord, 'type' | 's'> | null {
  const f = line.split(',').map((x) => x.trim());
  if (f.length < 3) return null;
  const [index, util, memMiB] = f.map(Number);
  if (![index, util, memMiB].every(Number.isFinite)) return null;
  return { index, utilPct: util, memUsedBytes: Math.round(memMiB * 1024 * 1024) };
}

export class GpuSampler implements Source {
  readonly name = 'gpu';
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly command = 'nvidia-smi',
    private readonly periodMs = 1000,
  ) {}

  start(ctx: SourceContext): void {
    const exe = findExecutable(this.command);
    if (exe === null) {
      ctx.note('info', 'no nvidia-smi on this machine: GPU utilisation is not recorded');
      return;
    }
    const child = spawn(exe, [...GPU_QUERY, `-lms`, String(this.periodMs)], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('error', (e) => ctx.note('warning', `nvidia-smi failed: ${e.message}`));
    const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const gpu = parseGpuLine(line);
      if (gpu !== null) ctx.sink.emit({ type: 'gpu', s: ctx.now(), ...gpu });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null) return;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await this.exited;
  }
}
