/**
 * Moving a session while its file cannot be written: real files in a temp folder, and a write call
 * that fails with ENOSPC on purpose (a test double named as such) for the old place only.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  SessionWriter,
  NODE_FILE_IO,
  type FileIo,
  type WriteTrouble,
} from '../../src/core/session/sessionWriter';
import { fileStateSentence, movedText } from '../../src/core/session/fileStateText';
import { fileStoppedWarning } from '../../src/shared/vocabulary';
import type { NoteRecord, SessionRecord } from '../../src/shared/model';

/** writes go through until `full` is set on the first file's descriptor, then fail with ENOSPC */
function diskFullOnFirstFile(): { io: FileIo; full: () => void } {
  let fullFd: number | undefined;
  let firstFd: number | undefined;
  let isFull = false;
  const io: FileIo = {
    write: (fd, data, done) => {
      firstFd ??= fd;
      if (isFull && fd === fullFd) {
        const err: NodeJS.ErrnoException = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
        setImmediate(() => done(err, 0));
        return;
      }
      NODE_FILE_IO.write(fd, data, done);
    },
    fsync: NODE_FILE_IO.fsync,
  };
  return { io, full: () => ((isFull = true), (fullFd = firstFd)) };
}

const note = (s: number): SessionRecord => ({ type: 'note', s, level: 'info', message: `n${s}` });
const lines = (f: string): string[] => readFileSync(f, 'utf8').split('\n').filter(Boolean);

void test('relocate: the old content first, then the kept records, then what follows; the old file is left as it was', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-move-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { io, full } = diskFullOnFirstFile();
  const w = SessionWriter.create(join(dir, 'a.jsonl'), { io, retryMs: 50 });
  const troubles: WriteTrouble[] = [];
  w.onTrouble((x) => troubles.push(x));
  for (let s = 0; s < 10; s++) w.write(note(s));
  await w.drain(2000);
  full();
  for (let s = 10; s < 20; s++) w.write(note(s));
  await w.drain(2000);
  assert.equal(troubles[0]?.kind, 'stopped');
  assert.equal(w.keptRecords, 10);
  const oldBefore = readFileSync(join(dir, 'a.jsonl'), 'utf8');
  const r = await w.relocate(join(dir, 'sub', 'b.jsonl'));
  assert.deepEqual(r, { moved: true, file: join(dir, 'sub', 'b.jsonl') });
  assert.equal(w.file, join(dir, 'sub', 'b.jsonl'));
  for (let s = 20; s < 25; s++) w.write(note(s));
  await w.close();
  const got = lines(join(dir, 'sub', 'b.jsonl')).map((l) => (JSON.parse(l) as { s: number }).s);
  assert.deepEqual(got, [...Array(25).keys()]);
  assert.equal(readFileSync(join(dir, 'a.jsonl'), 'utf8'), oldBefore, 'the old file is untouched');
  const state = w.fileState()!;
  assert.equal(state.writtenRecords, 25);
  assert.equal(state.path, join(dir, 'sub', 'b.jsonl'));
  assert.equal(state.movedFrom, join(dir, 'a.jsonl'));
  assert.equal(state.stoppedAtS, 10);
  const moved = troubles.find((x) => x.kind === 'moved');
  assert.deepEqual(moved, {
    kind: 'moved',
    from: join(dir, 'a.jsonl'),
    to: join(dir, 'sub', 'b.jsonl'),
    atS: 19,
    stoppedAtS: 10,
  });
  assert.match(
    fileStateSentence(state),
    /^The session was moved at 0:19 from .*a\.jsonl \(disk full \(ENOSPC\) at 0:10\) to .*b\.jsonl, which holds 25 records: the whole session\.$/,
  );
});

void test('relocate to a place that fails: stays on the old file, keeps every record, says why', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trainio-move-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { io, full } = diskFullOnFirstFile();
  const a = join(dir, 'a.jsonl');
  const w = SessionWriter.create(a, { io, retryMs: 50 });
  for (let s = 0; s < 5; s++) w.write(note(s));
  await w.drain(2000);
  full();
  for (let s = 5; s < 8; s++) w.write(note(s));
  await w.drain(2000);
  writeFileSync(join(dir, 'taken.jsonl'), 'someone else\n');
  const refused = await w.relocate(join(dir, 'taken.jsonl'));
  assert.deepEqual(refused, { moved: false, file: a, why: 'a file is already there (EEXIST)' });
  assert.equal(readFileSync(join(dir, 'taken.jsonl'), 'utf8'), 'someone else\n');
  const notDir = await w.relocate(join(dir, 'taken.jsonl', 'b.jsonl'));
  assert.equal(notDir.moved, false);
  assert.equal(existsSync(join(dir, 'taken.jsonl', 'b.jsonl')), false);
  const self = await w.relocate(a);
  assert.deepEqual(self, { moved: false, file: a, why: 'that is the session file itself' });
  assert.equal(w.keptRecords, 3, 'nothing kept was lost');
  assert.equal(w.file, a);
  // the old place retries as before: nothing is lost when it is written at the end
  const ok = await w.relocate(join(dir, 'b.jsonl'));
  assert.equal(ok.moved, true);
  await w.close();
  assert.equal(lines(join(dir, 'b.jsonl')).length, 8);
});

void test('the status bar warning ends with the move, and stays after a failed move', () => {
  const n = (message: string): NoteRecord => ({
    type: 'note',
    s: 1,
    level: 'warning',
    message,
    about: 'session-file',
  });
  const stopped = n('session file stopped at 0:26 — disk full (ENOSPC); recording goes on in memory');
  assert.equal(
    fileStoppedWarning([stopped, n('could not move the session to /x — disk full (ENOSPC); it stays in /a')]),
    stopped.message,
  );
  assert.equal(fileStoppedWarning([stopped, n(movedText('/a', '/b', 31, 26))]), undefined);
  assert.equal(
    movedText('/a', '/b', 31, 26),
    'session moved from /a to /b at 0:31: the old file stopped at 0:26; it holds everything recorded so far',
  );
});
