#!/usr/bin/env python3
"""A small training job over a dataset read through a memory map (numpy memmap or LMDB) or through
read() of one file per sample, for the mapped-dataset tests. `--make` writes the dataset; a run
writes its ground truth as JSON lines: epoch_start / epoch_end with "sample_bytes" (the payload
the batches brought) and "file_bytes" (the bytes of dataset files the epoch had to bring in:
the mapped file's size, or the sum of the sample files' sizes).
"""

import argparse
import json
import os
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


class NpyDataset(Dataset):
    def __init__(self, root, n):
        self.path, self.n, self.arr = os.path.join(root, "x.npy"), n, None

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.arr is None:
            self.arr = np.load(self.path, mmap_mode="r")
        return torch.from_numpy(np.array(self.arr[i])).float().mean(), i


class LmdbDataset(Dataset):
    def __init__(self, root, n):
        self.path, self.n, self.env = os.path.join(root, "x.lmdb"), n, None

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        import lmdb

        if self.env is None:
            self.env = lmdb.open(self.path, readonly=True, lock=False, readahead=False, subdir=False)
        with self.env.begin(buffers=True) as txn:
            value = bytes(txn.get(b"%08d" % i))
        return float(len(value)), i


class FilesDataset(Dataset):
    def __init__(self, root, n):
        self.root, self.n = root, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        with open(os.path.join(self.root, "s%06d.bin" % i), "rb") as f:
            value = f.read()
        return float(len(value)), i


FORMATS = {"npy": NpyDataset, "lmdb": LmdbDataset, "files": FilesDataset}


def make(a):
    os.makedirs(a.data, exist_ok=True)
    rng = np.random.default_rng(0)
    if a.format == "npy":
        arr = np.lib.format.open_memmap(os.path.join(a.data, "x.npy"), mode="w+", dtype=np.uint8, shape=(a.n, a.sample_bytes))
        arr[:] = rng.integers(0, 255, size=(a.n, a.sample_bytes), dtype=np.uint8)
        arr.flush()
        del arr
    elif a.format == "lmdb":
        import lmdb

        env = lmdb.open(os.path.join(a.data, "x.lmdb"), map_size=1 << 32, subdir=False, lock=False)
        with env.begin(write=True) as txn:
            for i in range(a.n):
                txn.put(b"%08d" % i, rng.integers(0, 255, size=a.sample_bytes, dtype=np.uint8).tobytes())
        env.close()
    else:
        for i in range(a.n):
            with open(os.path.join(a.data, "s%06d.bin" % i), "wb") as f:
                f.write(rng.integers(0, 255, size=a.sample_bytes, dtype=np.uint8).tobytes())
    total = sum(os.path.getsize(os.path.join(a.data, f)) for f in os.listdir(a.data))
    print(json.dumps({"bytes": total}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--format", choices=sorted(FORMATS), default="npy")
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--sample-bytes", type=int, default=16384)
    p.add_argument("--make", action="store_true")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--num-workers", type=int, default=2)
    p.add_argument("--persistent-workers", action="store_true")
    p.add_argument("--start-method", default="fork")
    p.add_argument("--step-ms", type=float, default=20)
    p.add_argument("--truth")
    a = p.parse_args()
    if a.make:
        return make(a)
    kw = {}
    if a.num_workers > 0:
        kw = dict(multiprocessing_context=a.start_method, persistent_workers=a.persistent_workers)
    loader = DataLoader(FORMATS[a.format](a.data, a.n), batch_size=16, shuffle=True, num_workers=a.num_workers, **kw)
    file_bytes = sum(os.path.getsize(os.path.join(a.data, f)) for f in os.listdir(a.data))
    out = open(a.truth, "a", encoding="utf-8") if a.truth else None

    def emit(**fields):
        if out:
            out.write(json.dumps(fields) + "\n")
            out.flush()

    for epoch in range(a.epochs):
        emit(ev="epoch_start", epoch=epoch, t=time.time())
        for _x, _y in loader:
            time.sleep(a.step_ms / 1000.0)
        emit(ev="epoch_end", epoch=epoch, t=time.time(), sample_bytes=a.n * a.sample_bytes, file_bytes=file_bytes)


if __name__ == "__main__":
    main()
