import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDatasetMappings } from '../../src/core/proc/mapsParser';
import { MappedPages } from '../../src/core/proc/mappedPages';

const MAPS = [
  '55d0c0a00000-55d0c0a21000 r--p 00000000 08:01 1311 /usr/bin/python3.11',
  '7f00aa000000-7f00ab000000 r--s 00000000 08:02 99 /data/train/x.lmdb',
  '7f00ac000000-7f00ac004000 r--s 00002000 08:02 100 /data/train/y npy (1).npy',
  '7f00ad000000-7f00ad001000 r--s 00000000 08:02 101 /data/train/gone.npy (deleted)',
  '7f00ae000000-7f00ae001000 rw-p 00000000 00:00 0 ',
  '7f00af000000-7f00af001000 r--s 00000000 08:02 102 /data/training/other.bin',
].join('\n');

void test('maps: only dataset files under the prefix, deleted files and anonymous memory left out', () => {
  const m = parseDatasetMappings(MAPS, ['/data/train/']);
  assert.deepEqual(
    m.map((x) => [x.path, x.fileKey, x.offset, (x.end - x.start) / 4096]),
    [
      ['/data/train/x.lmdb', '08:02:99', 0, 4096],
      ['/data/train/y npy (1).npy', '08:02:100', 0x2000, 4],
    ],
  );
  assert.deepEqual(parseDatasetMappings(MAPS, ['/elsewhere/']), []);
});

const bits = (s: string): Uint8Array => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));

void test('sibling workers (and fault-around) count a page once; a new generation counts it again', () => {
  const p = new MappedPages(4096);
  p.file('f', '/d/x', 8 * 4096);
  const w1 = { pid: 11, startS: 1 };
  const w2 = { pid: 12, startS: 1 };
  assert.equal(p.update(w1, 2, 'a', 'f', 0, bits('11110000')), 4);
  // w2 maps pages 2–7: 2 and 3 were brought in by its sibling after it started
  assert.equal(p.update(w2, 3, 'a', 'f', 0, bits('00111111')), 4);
  assert.equal(p.totals().residentBytes, 8 * 4096);
  assert.equal(p.totals().heldBytes, 8 * 4096);
  // the main process held pages 0–1 since before; the next generation starts after the first exits
  const main = { pid: 10, startS: -5 };
  assert.equal(p.update(main, 3.5, 'm', 'f', 0, bits('11000000')), 0, 'brought in by w1 after main started');
  p.dropProcess(11);
  p.dropProcess(12);
  const w3 = { pid: 13, startS: 4 };
  assert.equal(p.update(w3, 5, 'a', 'f', 0, bits('11111111')), 8, 'all pages again, main holding some');
  assert.equal(p.totals().residentBytes, 16 * 4096);
});

void test('a persistent mapping keeps its pages: nothing counted again; the same process re-faulting counts', () => {
  const p = new MappedPages(4096);
  p.file('f', '/d/x', 4 * 4096);
  const w = { pid: 20, startS: 0 };
  assert.equal(p.update(w, 1, 'a', 'f', 0, bits('1111')), 4);
  assert.equal(p.update(w, 2, 'a', 'f', 0, bits('1111')), 0);
  assert.equal(p.update(w, 3, 'a', 'f', 0, bits('0011')), 0, 'reclaimed');
  assert.equal(p.update(w, 4, 'a', 'f', 0, bits('1111')), 2, 'faulted in again');
  assert.equal(p.totals().heldBytes, 4 * 4096);
  p.drop(20, 'a');
  assert.deepEqual([p.totals().files, p.totals().heldBytes], [0, 0]);
});

void test('a sibling forked after the first was read (a loaded machine) does not count its pages again', () => {
  const p = new MappedPages(4096);
  p.file('f', '/d/x', 8 * 4096);
  const w1 = { pid: 31, startS: 1, ppid: 30 };
  // w1 is read at 1.1 s, before its sibling exists; fault-around gave it pages 0–3
  assert.equal(p.update(w1, 1.1, 'a', 'f', 0, bits('11110000')), 4);
  const w2 = { pid: 32, startS: 1.4, ppid: 30 };
  assert.equal(p.update(w2, 1.6, 'a', 'f', 0, bits('00111111')), 4, 'pages 2–3 were its sibling’s');
  // another parent's process started at the same moment is no sibling
  const other = { pid: 41, startS: 1.5, ppid: 40 };
  assert.equal(p.update(other, 1.7, 'a', 'f', 0, bits('10000000')), 1);
  // a short epoch: the next generation is forked within a second, after the last one exited
  p.dropProcess(31);
  p.dropProcess(32);
  const w3 = { pid: 33, startS: 2.2, ppid: 30 };
  assert.equal(p.update(w3, 2.4, 'a', 'f', 0, bits('11111111')), 8, 'a new generation counts all again');
  assert.equal(p.totals().residentBytes, 17 * 4096);
});
