"""The datasets of train_shapes.py, one per format make_shapes.py writes, each read the way users
read it: LMDB, a numpy memmap and HDF5 as map-style datasets opened lazily in whichever process
reads (each DataLoader worker opens its own handle), tar shards as an IterableDataset split between
the workers. Every sample comes back as (payload as a uint8 tensor, label = sample index mod 10).
"""

import os
import tarfile
import time

import numpy as np
import torch
from torch.utils.data import Dataset, IterableDataset, get_worker_info

from make_shapes import HDF5_DATASET, HDF5_FILE, LMDB_FILE, NPY_FILE
from truth import spin

CLASSES = 10


def shard_files(root):
    """The tar shards of a dataset directory, in order."""
    return [os.path.join(root, n) for n in sorted(os.listdir(root)) if n.endswith(".tar")]


def sample_index(member_name):
    """000123.bin → 123"""
    return int(os.path.basename(member_name).split(".")[0])


class SlowReads:
    """The --slow-read-ms sleep before each sample and the --decode-ms spin after it."""

    def __init__(self, slow_read_ms, decode_ms):
        self.slow_read_ms = slow_read_ms
        self.decode_ms = decode_ms

    def before_read(self):
        if self.slow_read_ms > 0:
            time.sleep(self.slow_read_ms / 1000.0)

    def after_read(self):
        if self.decode_ms > 0:
            spin(self.decode_ms)


class LazyMapDataset(Dataset):
    """A map-style dataset whose file handle is opened on first use in the reading process and is
    never pickled (spawned workers get the dataset without it and open their own)."""

    def __init__(self, root, costs):
        self.root = root
        self.costs = costs
        self.handle = None
        self.length = self.count_samples()

    def __len__(self):
        return self.length

    def __getstate__(self):
        state = dict(self.__dict__)
        state["handle"] = None
        return state

    def __getitem__(self, index):
        if self.handle is None:
            self.handle = self.open()
        self.costs.before_read()
        payload = self.read(index)
        self.costs.after_read()
        return payload, index % CLASSES


class LmdbSamples(LazyMapDataset):
    """One LMDB environment (DIR/data.mdb), key = the sample index in decimal ASCII."""

    def count_samples(self):
        import lmdb

        env = lmdb.open(self.root, readonly=True, lock=False)
        try:
            return env.stat()["entries"]
        finally:
            env.close()

    def open(self):
        import lmdb

        return lmdb.open(self.root, readonly=True, lock=False)

    def read(self, index):
        with self.handle.begin(write=False) as txn:
            value = txn.get(b"%d" % index)
        return torch.frombuffer(bytearray(value), dtype=torch.uint8)


class NpySamples(LazyMapDataset):
    """One .npy of shape (samples, sample bytes), uint8, read through np.load(mmap_mode="r")."""

    def path(self):
        return os.path.join(self.root, NPY_FILE)

    def count_samples(self):
        return np.load(self.path(), mmap_mode="r").shape[0]

    def open(self):
        return np.load(self.path(), mmap_mode="r")

    def read(self, index):
        return torch.from_numpy(np.array(self.handle[index]))


class Hdf5Samples(LazyMapDataset):
    """One .h5 with a contiguous, uncompressed uint8 dataset of shape (samples, sample bytes)."""

    def path(self):
        return os.path.join(self.root, HDF5_FILE)

    def count_samples(self):
        import h5py

        with h5py.File(self.path(), "r") as f:
            return f[HDF5_DATASET].shape[0]

    def open(self):
        import h5py

        return h5py.File(self.path(), "r")[HDF5_DATASET]

    def read(self, index):
        return torch.from_numpy(self.handle[index])


class TarShardSamples(IterableDataset):
    """Tar shards, one member per sample, read in order; worker w of W reads shards w, w+W, …"""

    def __init__(self, root, costs):
        self.shards = shard_files(root)
        self.costs = costs

    def my_shards(self):
        info = get_worker_info()
        if info is None:
            return self.shards
        return self.shards[info.id :: info.num_workers]

    def __iter__(self):
        for shard in self.my_shards():
            with tarfile.open(shard, "r") as tar:
                for member in tar:
                    if not member.isfile():
                        continue
                    self.costs.before_read()
                    payload = tar.extractfile(member).read()
                    self.costs.after_read()
                    x = torch.frombuffer(bytearray(payload), dtype=torch.uint8)
                    yield x, sample_index(member.name) % CLASSES


FORMATS = {"lmdb": LmdbSamples, "npy": NpySamples, "hdf5": Hdf5Samples, "tar": TarShardSamples}


def open_dataset(fmt, root, slow_read_ms, decode_ms):
    return FORMATS[fmt](root, SlowReads(slow_read_ms, decode_ms))
