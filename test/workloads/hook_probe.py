#!/usr/bin/env python3
"""A tiny torch program whose output must be identical with and without trainio's hook.

    hook_probe.py [BATCHES] [SAVE_PATH]

Iterates a DataLoader over BATCHES one-element batches for two epochs, saves a checkpoint into
memory (and to SAVE_PATH when given) and prints deterministic results.
"""

import io
import sys

import torch
from torch.utils.data import DataLoader, TensorDataset


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    dataset = TensorDataset(torch.arange(n, dtype=torch.float32).view(-1, 1))
    loader = DataLoader(dataset, batch_size=1, num_workers=0)
    total, batches = 0.0, 0
    for _ in range(2):
        for (x,) in loader:
            total += float(x.sum())
            batches += 1
    buf = io.BytesIO()
    torch.save({"total": total}, buf)
    if len(sys.argv) > 2:
        torch.save({"total": total}, sys.argv[2])
    print("batches", batches, "total", total, "saved", buf.tell() > 0)
    print("DataLoader", type(loader).__name__, "save", torch.save.__name__)


if __name__ == "__main__":
    main()
