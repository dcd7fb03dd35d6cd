#!/usr/bin/env python3
"""A training loop written the way most are: `x, y = next(it)` with no `del` of the previous batch,
so the previous batch's shared-memory tensors are released as x and y are rebound — inside what a
stopwatch around that line measures. The truth (truth.py's format) is that stopwatch: each step's
wait_s runs from before next(it) to after the assignment.

    handoff_job.py --truth PATH [--steps N] [--num-workers W] [--compute-ms X] [--side S] [--batch-size B]

Synthetic batches of B × 3 × S × S float32 tensors (S = 128: 3.1 MB per batch), one epoch.
Run it with the Python that has torch (Debian's /usr/bin/python3 with python3-torch).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402
from truth import Truth, spin  # noqa: E402


class Synthetic(Dataset):
    def __init__(self, n, side):
        self.n = n
        self.side = side

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return torch.full((3, self.side, self.side), float(i % 7)), i % 10


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--truth", required=True)
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--num-workers", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--side", type=int, default=128)
    p.add_argument("--compute-ms", type=float, default=10.0)
    a = p.parse_args()
    torch.set_num_threads(1)
    truth = Truth(a.truth)
    truth.start(dict(vars(a), torch=torch.__version__))
    loader = DataLoader(Synthetic(a.steps * a.batch_size, a.side), batch_size=a.batch_size, num_workers=a.num_workers)
    t0 = time.time()
    truth.epoch_start(0, t0)
    it = iter(loader)
    truth.wait("iter", t0, time.time())
    step = 0
    while True:
        t0 = time.time()
        try:
            x, y = next(it)
        except StopIteration:
            truth.wait("stop", t0, time.time())
            break
        t1 = time.time()
        spin(a.compute_ms)
        t2 = time.time()
        truth.step(0, step, t2, t1 - t0, t2 - t1)
        step += 1
    truth.epoch_end(0)
    truth.end()


if __name__ == "__main__":
    main()
