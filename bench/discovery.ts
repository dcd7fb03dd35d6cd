/**
 * What finding a job's folders costs: CPU of one discovery (1.5 s of watching: descriptor scans
 * every 250 ms, looks at the lowest free descriptors every 4 ms, mappings at both ends) on a real
 * PyTorch job with 1, 2, 4 and 8 DataLoader workers, and whether it found the dataset.
 *   node --import tsx bench/discovery.ts [runs per size]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverPaths } from '../src/core/discovery/pathDiscovery';
import { SYSTEM_PYTHON } from '../test/support/tools';
import { makeDataset, tempDir, WORKLOADS_DIR } from '../test/support/workloads';

const runs = Number(process.argv[2] ?? 3);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { dir, cleanup } = tempDir('bench-discovery');
  try {
    const data = join(dir, 'images');
    makeDataset(data, { files: 400, minKb: 40, maxKb: 120, subdirs: 4 });
    console.log('| workers | CPU ms per discovery (median, min–max) | processes watched | dataset found |');
    console.log('|---|---|---|---|');
    for (const workers of [1, 2, 4, 8]) {
      const truth = join(dir, `truth-${workers}.jsonl`);
      const job = spawn(
        SYSTEM_PYTHON,
        [
          join(WORKLOADS_DIR, 'positional_job.py'),
          data,
          '--workers',
          String(workers),
          '--epochs',
          '1000',
          '--snapshots',
          join(dir, 'w'),
          '--every',
          '100000',
          '--slow-ms',
          '2',
          '--truth',
          truth,
        ],
        { stdio: 'ignore' },
      );
      try {
        while (!safeRead(truth).includes('"step"')) await sleep(200);
        const cpu: number[] = [];
        let processes = 0;
        let found = 0;
        for (let i = 0; i < runs; i++) {
          const d = await discoverPaths(job.pid!);
          cpu.push(d.cpuMs);
          processes = d.processes;
          if (d.datasets.some((f) => f.chosen && f.path === data)) found++;
        }
        cpu.sort((a, b) => a - b);
        const median = cpu[Math.floor(cpu.length / 2)];
        console.log(
          `| ${workers} | ${median.toFixed(1)} (${cpu[0].toFixed(1)}–${cpu.at(-1)!.toFixed(1)}) | ${processes} | ${found}/${runs} |`,
        );
      } finally {
        job.kill('SIGKILL');
      }
    }
  } finally {
    cleanup();
  }
}

function safeRead(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

void main();
