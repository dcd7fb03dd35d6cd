/**
 * Seeded fuzz of the recorded sessions in test/fixtures/sessions: 300 damaged files (flipped bytes,
 * truncation, garbage lines, duplicated / dropped / reordered lines, wrong types, huge numbers,
 * invalid UTF-8; one in ten with the header hit too) through the reader and every report format.
 * Truth: a file whose header is intact is never refused; nothing crashes; no format prints
 * `undefined`, `NaN`, `Infinity` or `[object Object]`. bench/fuzz-sessions.ts runs 1000.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSession } from '../../src/core/session/sessionReader';
import { fuzzOne, LEAK, renderAll, type FuzzOutcome } from '../support/fuzzSessions';
import { mutate } from '../support/sessionMutants';
import { tempDir } from '../support/workloads';

const FIXTURES = join(__dirname, '..', 'fixtures', 'sessions');
const SESSIONS = ['launch-torch', 'attach-torch'];
const PER_SESSION = 150;

void test('300 damaged sessions: no crash, no refusal of an intact header, no unformatted value in any format', async () => {
  const { dir, cleanup } = tempDir('fuzz');
  const outcomes: FuzzOutcome[] = [];
  try {
    for (const name of SESSIONS) {
      const file = join(FIXTURES, `${name}.trainio.jsonl`);
      const bytes = readFileSync(file);
      const original = await loadSession(file);
      for (let seed = 1; seed <= PER_SESSION; seed++) {
        const mutant = mutate(bytes, seed, { headerDamage: seed % 10 === 0 });
        outcomes.push(await fuzzOne(mutant, dir, original));
      }
    }
  } finally {
    cleanup();
  }
  const crashes = outcomes.filter((o) => o.crash);
  const badRefusals = outcomes.filter((o) => o.refused && o.headerIntact);
  const leaks = outcomes.filter((o) => o.leaks.length);
  assert.deepEqual(
    crashes.map((o) => `seed ${o.seed} ${o.kinds.join('+')}: ${o.crash}`),
    [],
  );
  assert.deepEqual(
    badRefusals.map((o) => `seed ${o.seed} ${o.kinds.join('+')}: ${o.refused}`),
    [],
  );
  assert.deepEqual(
    leaks.map((o) => `seed ${o.seed} ${o.kinds.join('+')}: ${o.leaks[0]}`),
    [],
  );
  // the fuzz really damaged files: most intact-header mutants had lines skipped and said so
  const intact = outcomes.filter((o) => o.headerIntact);
  const noted = intact.filter((o) =>
    o.notes.some((n) => /damaged line|out of time order|cut short|no end record|does not know/.test(n)),
  );
  assert.ok(intact.length >= 250, `${intact.length} mutants with an intact header`);
  assert.ok(
    noted.length >= 0.5 * intact.length,
    `${noted.length} of ${intact.length} noted what was skipped`,
  );
  // and the header-damaged ones were mostly refused, each with one line
  const refused = outcomes.filter((o) => o.refused);
  assert.ok(refused.length >= 10, `${refused.length} refused`);
});

void test('the same seed gives the same mutant, byte for byte', () => {
  const bytes = readFileSync(join(FIXTURES, 'launch-torch.trainio.jsonl'));
  for (const seed of [1, 7, 99]) assert.ok(mutate(bytes, seed).bytes.equals(mutate(bytes, seed).bytes));
  assert.equal(mutate(bytes, 1).bytes.equals(mutate(bytes, 2).bytes), false);
});

void test('a mistyped end reason does not print "undefined" (it is skipped and noted)', async () => {
  const { dir, cleanup } = tempDir('fuzz-reason');
  try {
    const file = join(FIXTURES, 'launch-torch.trainio.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const end = JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
    lines[lines.length - 1] = JSON.stringify({ ...end, reason: [] });
    const damaged = join(dir, 'reason.trainio.jsonl');
    writeFileSync(damaged, lines.join('\n') + '\n');
    const report = await loadSession(damaged);
    const texts = renderAll(report, await loadSession(file));
    for (const [format, text] of Object.entries(texts)) assert.equal(LEAK.test(text), false, format);
    assert.ok(
      report.notes.some((n) =>
        n.message.includes(`line ${lines.length}; first: an end record with a bad reason`),
      ),
      JSON.stringify(report.notes),
    );
  } finally {
    cleanup();
  }
});
