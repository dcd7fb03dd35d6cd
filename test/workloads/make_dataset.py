#!/usr/bin/env python3
"""Writes a synthetic dataset of real binary files (stdlib only, deterministic with --seed).

    make_dataset.py --out DIR --files N --min-kb A --max-kb B [--seed S] [--subdirs K]

Files are named dKK/fNNNNNN.bin, sizes uniform in [A, B] KB. The totals go to stdout and to
DIR/.truth-dataset.json as {"files": N, "bytes": total, "dirs": K} (the truth file itself is not
counted).
"""

import argparse
import json
import os
import random


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--files", type=int, required=True)
    p.add_argument("--min-kb", type=float, required=True)
    p.add_argument("--max-kb", type=float, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--subdirs", type=int, default=1)
    a = p.parse_args()
    if a.files < 0 or a.subdirs < 1 or a.min_kb < 0 or a.max_kb < a.min_kb:
        p.error("need --files >= 0, --subdirs >= 1 and 0 <= --min-kb <= --max-kb")

    rng = random.Random(a.seed)
    total = 0
    for k in range(a.subdirs):
        os.makedirs(os.path.join(a.out, "d%02d" % k), exist_ok=True)
    for i in range(a.files):
        size = rng.randint(int(a.min_kb * 1024), int(a.max_kb * 1024))
        path = os.path.join(a.out, "d%02d" % (i % a.subdirs), "f%06d.bin" % i)
        with open(path, "wb") as f:
            f.write(rng.randbytes(size))
        total += size
    truth = {"files": a.files, "bytes": total, "dirs": a.subdirs}
    with open(os.path.join(a.out, ".truth-dataset.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f)
    print(json.dumps(truth))


if __name__ == "__main__":
    main()
