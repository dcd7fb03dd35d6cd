// `npm run bench`: the quick benchmarks (a few minutes). `npm run bench -- --all` adds the long ones
// (overhead on a real job in alternating runs, the stall-accuracy matrix, 1M-file indexing).
// Each prints Markdown; the recorded results and how to read them are in bench/README.md.
import { spawnSync } from 'node:child_process';

const tsx = ['--import', 'tsx'];
const quick = [
  ['sampling cost', process.execPath, [...tsx, 'bench/sampling.ts', '10']],
  [
    'hook cost per next()',
    '/usr/bin/python3',
    ['bench/hook-overhead.py', '--batches', '5000', '--rounds', '3'],
  ],
  ['report export (1 h session)', process.execPath, [...tsx, 'bench/report.ts', '1']],
  ['health checks per tick', process.execPath, [...tsx, 'bench/health-checks.ts', '400']],
  ['panel update', process.execPath, [...tsx, 'bench/panel-render.ts', '10']],
  ['metrics scrape cost', process.execPath, [...tsx, 'bench/metrics-scrape.ts', '200']],
  ['merged job report (64 sessions)', process.execPath, [...tsx, 'bench/merge-report.ts', '100', '64']],
];
const long = [
  ['overhead on a real job', process.execPath, ['bench/overhead.mjs', '3', '4']],
  ['stall accuracy matrix', process.execPath, [...tsx, 'bench/stall-accuracy.ts', '2']],
  [
    'index vs du -s (1M files)',
    process.execPath,
    [...tsx, 'bench/index-vs-du.ts', '--runs', '3', '--cold-runs', '1'],
  ],
];

const runs = process.argv.includes('--all') ? [...quick, ...long] : quick;
let failed = 0;
for (const [name, cmd, args] of runs) {
  console.log(`\n## ${name}\n\n\`${[cmd === process.execPath ? 'node' : cmd, ...args].join(' ')}\`\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`(${name} failed: exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);
