/**
 * `trainio report --merge` at scale: 64 session files of a 64-rank job (8 nodes × 8 ranks), made
 * from a real recording replayed `repeat` times each (bench/jobSessions.ts), merged by the built CLI
 * into html, md and json. Prints wall time and peak memory (RSS) of each run, and the input size.
 *
 *   node esbuild.mjs && node --import tsx bench/merge-report.ts [repeat=100] [count=64]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeJobSessions } from './jobSessions';

const repeat = Number(process.argv[2] ?? 100);
const count = Number(process.argv[3] ?? 64);
const cli = resolve(__dirname, '..', 'dist', 'cli.js');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-merge-bench-'));
  try {
    const files = await writeJobSessions(dir, { count, repeat, ranksPerNode: 8 });
    const bytes = files.reduce((a, f) => a + statSync(f.file).size, 0);
    console.log(
      `${count} sessions × ${repeat} replays of the fixture: ${(bytes / 1e6).toFixed(1)} MB of session files\n`,
    );
    console.log('| format | wall | peak RSS | output |');
    console.log('|---|---:|---:|---:|');
    for (const format of ['html', 'md', 'json']) {
      const out = join(dir, `job.${format}`);
      const r = spawnSync(
        '/usr/bin/time',
        [
          '-f',
          '%e %M',
          process.execPath,
          cli,
          'report',
          '--merge',
          ...files.map((f) => f.file),
          '--format',
          format,
          '--out',
          out,
        ],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(r.stderr);
      const [wall, kb] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
      console.log(
        `| ${format} | ${wall.toFixed(1)} s | ${(kb / 1024).toFixed(0)} MB | ${(statSync(out).size / 1000).toFixed(0)} kB |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
