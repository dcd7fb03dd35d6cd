#!/usr/bin/env python3
"""A training script written the way many are, not the way trainio's other jobs are: the dataset
folder is a positional argument (`train.py /data/x`), the samples lie in one folder per class
(ImageFolder layout: DATA/CLASS/FILE), and checkpoints go to `--snapshots DIR` (any name), saved
with torch.save from the loop itself. Ground truth as the other jobs write it (truth.py).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from truth import Truth, read_file  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402

SIDE = 32


class ClassFolders(Dataset):
    """DATA/CLASS/FILE: the class is the folder's index among the sorted class folders."""

    def __init__(self, root, slow_ms):
        self.classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
        self.samples = []
        for label, name in enumerate(self.classes):
            folder = os.path.join(root, name)
            for f in sorted(os.listdir(folder)):
                self.samples.append((os.path.join(folder, f), label))
        self.slow_ms = slow_ms

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        path, label = self.samples[i]
        if self.slow_ms > 0:
            time.sleep(self.slow_ms / 1000.0)
        head = bytearray(read_file(path, False)[: SIDE * SIDE])
        head.extend(b"\0" * (SIDE * SIDE - len(head)))
        x = torch.frombuffer(head, dtype=torch.uint8).to(torch.float32).div_(255.0).view(1, SIDE, SIDE)
        return x, label


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--snapshots", default="snapshots")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--every", type=int, default=10, help="save every N steps")
    ap.add_argument("--mb", type=float, default=4.0, help="checkpoint padding, MB")
    ap.add_argument("--slow-ms", type=float, default=0.0)
    ap.add_argument("--compute-ms", type=float, default=0.0)
    ap.add_argument("--truth")
    a = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)
    truth = Truth(a.truth)
    truth.start(dict(vars(a)))
    data = ClassFolders(a.data, a.slow_ms)
    loader = DataLoader(data, batch_size=16, shuffle=True, num_workers=a.workers)
    model = nn.Sequential(nn.Flatten(), nn.Linear(SIDE * SIDE, 64), nn.ReLU(), nn.Linear(64, len(data.classes)))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    pad = torch.zeros(int(a.mb * 1024 * 1024) // 4)
    os.makedirs(a.snapshots, exist_ok=True)
    step = 0
    for epoch in range(a.epochs):
        t0 = time.time()
        truth.epoch_start(epoch, t0)
        it = iter(loader)
        truth.wait("iter", t0, time.time())
        i = 0
        while True:
            t0 = time.time()
            try:
                x, y = next(it)
            except StopIteration:
                truth.wait("stop", t0, time.time())
                break
            t1 = time.time()
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if a.compute_ms > 0:
                end = time.perf_counter() + a.compute_ms / 1000.0
                while time.perf_counter() < end:
                    pass
            del x, y, loss
            t2 = time.time()
            truth.step(epoch, i, t2, t1 - t0, t2 - t1)
            i += 1
            step += 1
            if step % a.every == 0:
                path = os.path.join(a.snapshots, "model-%05d.pt" % step)
                c0 = time.time()
                torch.save({"model": model.state_dict(), "pad": pad}, path)
                truth.ckpt(path, c0, time.time())
        del it
        truth.epoch_end(epoch)
    truth.end()


if __name__ == "__main__":
    main()
