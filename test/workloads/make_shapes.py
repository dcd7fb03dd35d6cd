#!/usr/bin/env python3
"""Writes one synthetic dataset in a packed format (deterministic with --seed):

    make_shapes.py --format lmdb|npy|hdf5|tar --out DIR --samples N --sample-kb K [--shards S] [--seed S]

Every sample is K*1024 random bytes (sample i holds the same bytes in every format for one seed):
lmdb  DIR/data.mdb, one LMDB environment without a lock file, key = the sample index ("123")
npy   DIR/samples.npy, uint8 of shape (N, K*1024), for np.load(mmap_mode="r")
hdf5  DIR/samples.h5, dataset "samples": uint8 (N, K*1024), contiguous, no compression
tar   DIR/shard-0000.tar … S shards, sample i as member 000123.bin of shard i*S//N
The totals go to stdout and to DIR/.truth-dataset.json (README.md).
"""

import argparse
import io
import json
import os
import random
import tarfile

import numpy as np

LMDB_FILE = "data.mdb"
NPY_FILE = "samples.npy"
HDF5_FILE = "samples.h5"
HDF5_DATASET = "samples"


def write_lmdb(out, payloads, n, size):
    import lmdb

    env = lmdb.open(out, map_size=max(1 << 20, n * (size + 8192) * 2), lock=False)
    with env.begin(write=True) as txn:
        for i, payload in enumerate(payloads):
            txn.put(b"%d" % i, payload)
    env.close()
    return [LMDB_FILE]


def write_npy(out, payloads, n, size):
    arr = np.lib.format.open_memmap(os.path.join(out, NPY_FILE), mode="w+", dtype=np.uint8, shape=(n, size))
    for i, payload in enumerate(payloads):
        arr[i] = np.frombuffer(payload, dtype=np.uint8)
    arr.flush()
    del arr
    return [NPY_FILE]


def write_hdf5(out, payloads, n, size):
    import h5py

    with h5py.File(os.path.join(out, HDF5_FILE), "w") as f:
        ds = f.create_dataset(HDF5_DATASET, shape=(n, size), dtype="u1")  # contiguous, uncompressed
        for i, payload in enumerate(payloads):
            ds[i] = np.frombuffer(payload, dtype=np.uint8)
    return [HDF5_FILE]


def write_tar(out, payloads, n, size, shards):
    names = ["shard-%04d.tar" % s for s in range(shards)]
    tars = [tarfile.open(os.path.join(out, name), "w") for name in names]
    for i, payload in enumerate(payloads):
        info = tarfile.TarInfo("%06d.bin" % i)
        info.size = len(payload)
        info.mtime = 0
        tars[i * shards // n].addfile(info, io.BytesIO(payload))
    for t in tars:
        t.close()
    return names


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--format", choices=["lmdb", "npy", "hdf5", "tar"], required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--samples", type=int, required=True)
    p.add_argument("--sample-kb", type=float, required=True)
    p.add_argument("--shards", type=int, default=4, help="tar only")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    size = int(a.sample_kb * 1024)
    if a.samples < 1 or size < 1 or a.shards < 1 or (a.format == "tar" and a.shards > a.samples):
        p.error("need --samples >= 1, --sample-kb > 0 and 1 <= --shards <= --samples")

    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    payloads = (rng.randbytes(size) for _ in range(a.samples))
    if a.format == "tar":
        names = write_tar(a.out, payloads, a.samples, size, a.shards)
    else:
        writer = {"lmdb": write_lmdb, "npy": write_npy, "hdf5": write_hdf5}[a.format]
        names = writer(a.out, payloads, a.samples, size)
    truth = {
        "files": len(names),
        "bytes": sum(os.path.getsize(os.path.join(a.out, n)) for n in names),
        "dirs": 0,
        "format": a.format,
        "samples": a.samples,
        "sampleBytes": size,
        "payloadBytes": a.samples * size,
        "names": names,
    }
    if a.format == "tar":
        truth["shardSamples"] = [sum(1 for i in range(a.samples) if i * a.shards // a.samples == s) for s in range(a.shards)]
    with open(os.path.join(a.out, ".truth-dataset.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f)
    print(json.dumps(truth))


if __name__ == "__main__":
    main()
