#!/usr/bin/env bash
# Per-epoch bytes of a mapped dataset under load: records the mapped job RUNS times while two busy
# loops and a writer share the machine, and prints each epoch's bytes ÷ the dataset's size
# (the truth: every epoch of non-persistent workers faults the whole file in again).
# usage: bench/mapped-epochs.sh lmdb|npy RUNS [--no-hook]   (after `node esbuild.mjs`)
set -euo pipefail
cd "$(dirname "$0")/.."
format=$1 runs=$2 mode=${3:-}
job=test/integration/mapped_dataset_job.py
work=$(mktemp -d)
load() {
  for _ in 1 2; do (while :; do :; done) & done
  (while :; do dd if=/dev/zero of="$work/load.bin" bs=1M count=200 status=none; sync; done) &
  wait
}
setsid bash -c "$(declare -f load); work=$work; load" & loader=$!
disown $loader
trap 'kill -9 -- -$loader 2>/dev/null; rm -rf "$work"' EXIT
/usr/bin/python3 $job --make --data "$work/data" --format "$format" --n 2000 --sample-bytes 16384 >/dev/null
for i in $(seq 1 "$runs"); do
  node dist/cli.js record --out "$work/s$i.jsonl" --dataset "$work/data" --interval 100 $mode -- \
    /usr/bin/python3 $job --data "$work/data" --format "$format" --n 2000 --sample-bytes 16384 \
    --truth "$work/truth$i.jsonl" >/dev/null 2>&1
  node dist/cli.js report "$work/s$i.jsonl" --format json --out "$work/r$i.json" >/dev/null 2>&1
  node -e '
    const fs = require("fs");
    const [r, truth] = process.argv.slice(1);
    const want = JSON.parse(fs.readFileSync(truth, "utf8").split("\n").find((l) => l.includes("epoch_end"))).file_bytes;
    const epochs = JSON.parse(fs.readFileSync(r, "utf8")).epochs;
    console.log(epochs.map((e) => (e.bytesRead / want).toFixed(4)).join("  "));
  ' "$work/r$i.json" "$work/truth$i.jsonl"
done
