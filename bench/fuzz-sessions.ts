// Fuzz of the recorded sessions: N damaged files per fixture (default 500 → 1000 in all) through the
// reader and every report format (json, md, csv, trace, html, and md/html compared with the
// original). Prints Markdown: crashes, refusals (intact header vs damaged header), leaks of
// undefined/NaN/Infinity/[object Object], what was noted, time per mutant. Results: fuzz-sessions.md.
//   node --import tsx bench/fuzz-sessions.ts [PER_FIXTURE] [FIRST_SEED]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSession } from '../src/core/session/sessionReader';
import { fuzzOne, type FuzzOutcome } from '../test/support/fuzzSessions';
import { MUTATION_KINDS, mutate } from '../test/support/sessionMutants';

const perFixture = Number(process.argv[2] ?? 500);
const firstSeed = Number(process.argv[3] ?? 1000);
const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'sessions');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-fuzz-'));
  const outcomes: FuzzOutcome[] = [];
  try {
    for (const name of ['launch-torch', 'attach-torch']) {
      const file = join(FIXTURES, `${name}.trainio.jsonl`);
      const bytes = readFileSync(file);
      const original = await loadSession(file);
      for (let seed = firstSeed; seed < firstSeed + perFixture; seed++) {
        outcomes.push(await fuzzOne(mutate(bytes, seed, { headerDamage: seed % 10 === 0 }), dir, original));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const count = (f: (o: FuzzOutcome) => boolean): number => outcomes.filter(f).length;
  const intact = outcomes.filter((o) => o.headerIntact);
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const noted = (re: RegExp): number => count((o) => o.notes.some((n) => re.test(n)));
  console.log(
    `| mutants | ${outcomes.length} (seeds ${firstSeed}–${firstSeed + perFixture - 1} × 2 fixtures) |`,
  );
  console.log('|---|---|');
  console.log(`| header intact | ${intact.length} |`);
  console.log(`| crashes | ${count((o) => o.crash !== undefined)} |`);
  console.log(`| refused, header intact | ${count((o) => o.refused !== undefined && o.headerIntact)} |`);
  console.log(
    `| refused, header damaged | ${count((o) => o.refused !== undefined && !o.headerIntact)} of ${outcomes.length - intact.length} |`,
  );
  console.log(
    `| outputs with undefined/NaN/Infinity/[object Object] | ${count((o) => o.leaks.length > 0)} |`,
  );
  console.log(`| noted: damaged lines skipped | ${noted(/damaged line/)} |`);
  console.log(`| noted: samples out of time order | ${noted(/out of time order/)} |`);
  console.log(`| noted: last line cut short | ${noted(/cut short/)} |`);
  console.log(`| noted: no end record | ${noted(/no end record/)} |`);
  console.log(`| noted: unknown record type | ${noted(/does not know/)} |`);
  console.log(
    `| ms per mutant (load + 7 renders), median / p99 / max | ${ms[ms.length >> 1].toFixed(1)} / ${ms[Math.floor(ms.length * 0.99)].toFixed(1)} / ${ms[ms.length - 1].toFixed(1)} |`,
  );
  const byKind = MUTATION_KINDS.map((k) => `${k} ${count((o) => o.kinds.includes(k))}`).join(', ');
  console.log(`\nMutations applied (a mutant has 1–3): ${byKind}.`);
  for (const o of outcomes
    .filter((x) => x.crash || (x.refused && x.headerIntact) || x.leaks.length)
    .slice(0, 10)) {
    console.log(`- seed ${o.seed} ${o.kinds.join('+')}: ${o.crash ?? o.refused ?? o.leaks[0]}`);
  }
  if (
    count((o) => o.crash !== undefined || (o.refused !== undefined && o.headerIntact) || o.leaks.length > 0)
  )
    process.exitCode = 1;
}

void main();
