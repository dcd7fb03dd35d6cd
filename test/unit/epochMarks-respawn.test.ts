/**
 * Non-persistent workers start a new generation every epoch: with regular respawn marks, a reopen
 * mark that no respawn confirms is a stray (seen on spawned-worker and LMDB jobs recorded without
 * the hook: an 8.4 s epoch split at 12.3 s by a late re-open).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseBoundaries, type Mark } from '../../src/core/analysis/epochMarks';

const respawn = (s: number): Mark => ({ s, source: 'respawn' });
const reopen = (s: number): Mark => ({ s, source: 'reopen' });

void test('a reopen mark between regular respawns is not an epoch', () => {
  // the recorded marks of a spawned-worker job (truth: epochs at 3.19, 7.61, 16.0)
  const marks = [respawn(3.201), respawn(7.611), reopen(12.299), respawn(16.001), reopen(21.279)];
  assert.deepEqual(
    chooseBoundaries(marks).map((m) => m.s),
    [3.201, 7.611, 16.001],
  );
});

void test('reopen marks that agree with respawns date them; alone (persistent workers) they stand', () => {
  assert.deepEqual(
    chooseBoundaries([respawn(1.05), reopen(1.0), respawn(3.02), reopen(3.0)]).map((m) => m.s),
    [1.0, 3.0],
  );
  // one generation only (persistent workers): the re-opens are the boundaries
  assert.deepEqual(
    chooseBoundaries([respawn(0.5), reopen(2.5), reopen(4.5)]).map((m) => m.s),
    [0.5, 2.5, 4.5],
  );
});

void test('persistent workers: a stray re-open that splits an epoch (0.61 + 0.41 of a pass) is dropped', () => {
  const marks = [
    { s: 1.0, source: 'reopen' as const, previousEpochFiles: 180 },
    { s: 4.0, source: 'reopen' as const, previousEpochFiles: 300 },
    { s: 5.8, source: 'reopen' as const, previousEpochFiles: 183 },
    { s: 7.0, source: 'reopen' as const, previousEpochFiles: 123 },
    { s: 10.0, source: 'reopen' as const, previousEpochFiles: 300 },
  ];
  assert.deepEqual(
    chooseBoundaries(marks).map((m) => m.s),
    [1.0, 4.0, 7.0, 10.0],
  );
  // regular passes: every mark stands
  const regular = [1, 4, 7, 10].map((s) => ({ s, source: 'reopen' as const, previousEpochFiles: 300 }));
  assert.deepEqual(
    chooseBoundaries(regular).map((m) => m.s),
    [1, 4, 7, 10],
  );
});
