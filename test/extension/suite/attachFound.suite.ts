/**
 * Zero-configuration attach in the real host: a script that takes its dataset as an argparse
 * positional and saves checkpoints into a folder of any name (test/workloads/positional_job.py).
 * `trainio.profile {pid}` with no folders asks nothing: the folders come from what the job reads
 * and writes and from its command line, and the session records exactly those.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HeaderRecord } from '../../../src/shared/model';
import { positionalJobArgs } from '../../support/workloads';
import { REPO_ROOT, log, state, until } from './suiteSupport';

const PYTHON = '/usr/bin/python3';

suite('Attach with no folders given: found from what the job does', () => {
  let root = '';
  let job: ChildProcess | undefined;

  suiteTeardown(() => {
    try {
      if (job?.pid) process.kill(-job.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('trainio.profile {pid} on a positional-argument script: dataset and checkpoint folder, no prompt', async function () {
    this.timeout(120_000);
    root = mkdtempSync(join(tmpdir(), 'trainio-ext-found-'));
    const data = join(root, 'images');
    const weights = join(root, 'weights');
    const truth = join(root, 'truth.jsonl');
    const workloads = join(REPO_ROOT, 'test', 'workloads');
    const made = spawnSync(
      PYTHON,
      [
        join(workloads, 'make_dataset.py'),
        '--out',
        data,
        '--files',
        '240',
        '--min-kb',
        '40',
        '--max-kb',
        '120',
        '--subdirs',
        '3',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    job = spawn(
      PYTHON,
      [join(workloads, 'positional_job.py'), ...positionalJobArgs(data, weights, truth, 200)],
      { stdio: 'ignore', detached: true, cwd: root },
    );
    await until(
      'the job to train',
      async () =>
        existsSync(truth) && readFileSync(truth, 'utf8').includes('"ev": "step"') ? true : undefined,
      60_000,
    );
    const t0 = Date.now();
    // a prompt here would never be answered: the command resolving at all is the "no prompt" check
    const file = await vscode.commands.executeCommand<string | undefined>('trainio.profile', {
      pid: job.pid,
    });
    const s = await state();
    assert.ok(file, `profile returned no session file (last error: ${s.lastError})`);
    log(`attach without folders: session started after ${Date.now() - t0} ms`);
    // the writer is asynchronous: the header line is on disk a moment after the session started
    const headerLine = await until('the session header on disk', async () => {
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      return text.includes('\n') ? text.split('\n')[0] : undefined;
    });
    const header = JSON.parse(headerLine) as HeaderRecord;
    assert.deepEqual(header.datasets, [data], 'the dataset root (the folder of the class folders)');
    const paths = await until('a note saying what was found', async () => {
      const notes = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"about":"paths"'));
      return notes.some((l) => l.includes(`found dataset ${data}`)) ? notes : undefined;
    });
    log(`found: ${paths.length} note(s)`);
    const checkpoints = await until('the checkpoint folder', async () => {
      const text = readFileSync(file, 'utf8');
      return header.checkpoints.includes(weights) || text.includes(`found checkpoint folder ${weights}`)
        ? true
        : undefined;
    });
    assert.ok(checkpoints);
    await vscode.commands.executeCommand('trainio.stop');
  });
});
