// The training-script parser against real scripts: the reference workload and hand-written snippets
// with multi-line calls, comments and strings that look like code. Line numbers are checked exactly
// against the line found by a plain text search of the same file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCalls, maskCommentsAndStrings, stringLiteral } from '../../src/core/script/pythonCalls';
import { parseTrainingScript } from '../../src/core/script/trainingScript';

const WORKLOAD = join(__dirname, '..', 'workloads', 'train_torch.py');

/** 1-based line of the first line containing `needle` (the ground truth for the parser's lines). */
function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l, n) => n >= from && l.includes(needle));
  assert.ok(i >= 0, `${needle} not in text`);
  return i + 1;
}

void test('reference workload: DataLoader, torch.save, epoch loop and the --data / --ckpt-dir arguments', () => {
  const text = readFileSync(WORKLOAD, 'utf8');
  const s = parseTrainingScript(text);
  assert.equal(s.loaders.length, 1);
  assert.equal(s.loaders[0].line, lineOf(text, 'loader = DataLoader('));
  assert.equal(s.loaders[0].numWorkers, 'a.num_workers');
  assert.equal(s.loaders[0].pinMemory, 'a.pin_memory');
  assert.equal(s.loaders[0].persistentWorkers, 'persistent');
  assert.equal(s.loaders[0].dataset, 'dataset');
  assert.equal(s.saves.length, 1);
  assert.equal(s.saves[0].line, lineOf(text, 'torch.save('));
  assert.equal(s.saves[0].target, 'path');
  assert.equal(s.epochLoops.length, 1);
  assert.equal(s.epochLoops[0].line, lineOf(text, 'for epoch in range('));
  assert.equal(s.epochLoops[0].range, 'a.epochs');
  // `--data` is required (no default) and `--ckpt-dir` has none: nothing to infer, nothing invented
  assert.deepEqual(s.datasetPaths, []);
  assert.deepEqual(s.checkpointPaths, []);
});

const SNIPPET = `import torch, argparse, os
from torchvision import datasets
# loader = DataLoader(fake, num_workers=99)   <- a comment, not a call
DATA_ROOT = "/srv/imagenet"  # module constant
doc = """
DataLoader(also_not_a_call, num_workers=7)
"""
p = argparse.ArgumentParser()
p.add_argument('--data-dir', default='/mnt/train')
p.add_argument("--out", dest="out_dir", default="runs/exp1")
args = p.parse_args()
train = datasets.ImageFolder(os.path.join(DATA_ROOT, 'train'), transform=None)
val = datasets.ImageFolder(root=DATA_ROOT)
extra = MyShardDataset(args.data_dir)
train_loader = torch.utils.data.DataLoader(
    train,
    batch_size=(64 if args.big else 32),
    num_workers=8,  # tuned, "really"
    pin_memory=True,
    persistent_workers=True,
)
val_loader = DataLoader(val, 128, num_workers=2)
for epoch in range(1, args.epochs + 1):
    for x, y in train_loader:
        pass
    torch.save(model.state_dict(), f"{args.out_dir}/epoch{epoch}.pt")
    torch.save({'opt': opt.state_dict()},
               'ckpt/opt.pt')
`;

void test('snippet: multi-line DataLoader arguments, comments and strings that look like calls are ignored', () => {
  const s = parseTrainingScript(SNIPPET);
  assert.equal(s.loaders.length, 2, 'the DataLoader in a comment and in a docstring are not calls');
  const [train, val] = s.loaders;
  assert.equal(train.line, lineOf(SNIPPET, 'train_loader = '));
  assert.equal(train.endLine, lineOf(SNIPPET, ')', lineOf(SNIPPET, 'persistent_workers=True')));
  assert.equal(train.numWorkers, '8');
  assert.equal(train.pinMemory, 'True');
  assert.equal(train.persistentWorkers, 'True');
  assert.equal(train.batchSize, '(64 if args.big else 32)');
  assert.equal(val.line, lineOf(SNIPPET, 'val_loader = '));
  assert.equal(val.numWorkers, '2');
  assert.equal(val.batchSize, '128');
  assert.equal(train.column, SNIPPET.split('\n')[train.line - 1].indexOf('torch.utils'));
});

void test('snippet: dataset and checkpoint folders from constructors, argparse defaults and torch.save targets', () => {
  const s = parseTrainingScript(SNIPPET);
  assert.deepEqual(
    s.datasetPaths.map((h) => [h.path, h.via]),
    [
      ['/srv/imagenet/train', 'ImageFolder('],
      ['/srv/imagenet', 'ImageFolder('],
      ['/mnt/train', 'MyShardDataset('],
    ],
  );
  assert.deepEqual(
    s.checkpointPaths.map((h) => [h.path, h.via]),
    [
      ['runs/exp1', 'torch.save('],
      ['ckpt', 'torch.save('],
    ],
  );
  assert.equal(s.saves.length, 2);
  assert.equal(s.saves[0].path, undefined, 'the file name depends on the epoch');
  assert.equal(s.saves[0].directory, 'runs/exp1');
  assert.equal(s.saves[1].path, 'ckpt/opt.pt');
  assert.equal(s.saves[1].line, lineOf(SNIPPET, "torch.save({'opt'"));
  assert.equal(s.saves[1].endLine, lineOf(SNIPPET, "'ckpt/opt.pt'"));
  assert.equal(s.epochLoops[0].range, '1, args.epochs + 1');
});

void test('masking keeps offsets and lines, and blanks only comments and string contents', () => {
  const text = `a = "x#y" # c(\nb = f('q')\n`;
  const masked = maskCommentsAndStrings(text);
  assert.equal(masked.length, text.length);
  assert.equal(masked.split('\n').length, text.split('\n').length);
  assert.equal(masked, `a = "   "     \nb = f(' ')\n`);
  assert.deepEqual(
    findCalls(text, /^f$/).map((c) => [c.line, c.positional]),
    [[2, ["'q'"]]],
  );
});

void test('string literals: quotes, raw strings and escapes; anything else is not a literal', () => {
  assert.equal(stringLiteral("'a/b'"), 'a/b');
  assert.equal(stringLiteral('r"C:\\data"'), 'C:\\data');
  assert.equal(stringLiteral("'it\\'s'"), "it's");
  assert.equal(stringLiteral('args.data'), undefined);
  assert.equal(stringLiteral("'a' + 'b'"), undefined);
});
