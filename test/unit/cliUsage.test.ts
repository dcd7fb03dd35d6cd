/** The CLI's help, version and usage mistakes: exit codes and one-line messages, in a real process. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertOneLineFailure, ROOT, runCli } from '../integration/cliRun';

void test('--version prints the package version; --help lists every command', async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const v = await runCli(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), pkg.version);
  const h = await runCli(['--help']);
  assert.equal(h.code, 0);
  for (const c of ['record', 'report', 'demo']) assert.match(h.stdout, new RegExp(`trainio ${c} `));
  for (const c of ['record', 'report', 'demo']) {
    const r = await runCli([c, '--help']);
    assert.equal(r.code, 0, `${c} --help`);
    assert.match(r.stdout, new RegExp(`^Usage:\\n  trainio ${c}`));
  }
});

void test('usage mistakes exit 2 with one line', async () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['record', '--pid', '1'], /record: --out SESSION is required/],
    [['record', '--out', 'x.jsonl'], /record: give --pid PID or -- CMD ARGS/],
    [['record', '--out', 'x.jsonl', '--pid', '1', '--', 'sleep', '1'], /either --pid PID or -- CMD/],
    [['record', '--out', 'x.jsonl', '--pid', 'abc'], /--pid wants a whole number ≥ 1, not "abc"/],
    [['record', '--out', 'x.jsonl', '--bogus', '--', 'sleep', '1'], /record: Unknown option '--bogus'/],
    [['record', '--out', 'x.jsonl', '--interval', '0', '--', 'true'], /--interval wants a whole number ≥ 10/],
    [['report'], /report: give one SESSION file, or two to compare/],
    [
      ['report', 'a.jsonl', '--out', 'r.json'],
      /--format must be one of html, md, csv, json, trace \(got none\)/,
    ],
    [['report', 'a.jsonl', '--format', 'pdf', '--out', 'r.pdf'], /got "pdf"/],
    [['report', 'a.jsonl', '--format', 'json'], /report: --out FILE is required/],
    [['demo', 'extra'], /demo: Unexpected argument 'extra'/],
  ];
  for (const [args, text] of cases) assertOneLineFailure(await runCli(args), 2, text);
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.match(none.stdout, /Usage:/);
});
