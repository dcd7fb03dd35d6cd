#!/usr/bin/env python3
"""Reference PyTorch training job over a packed dataset written by make_shapes.py (LMDB, numpy
memmap, HDF5 or tar shards), with the knobs, loop and ground truth of train_torch.py; its epoch_end
lines also carry sample_bytes, the payload bytes the batches brought that epoch (README.md).

Run it with the Python that has torch (Debian's /usr/bin/python3 with python3-torch).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shape_datasets import FORMATS, open_dataset  # noqa: E402
from train_torch import SIDE, SmallNet, job_parser, start_job, train, worker_start  # noqa: E402

import torch  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402


def to_image(payload):
    """A batch of payloads (B, sample bytes) → its model input (the first SIDE*SIDE bytes of each
    sample as a 1 x SIDE x SIDE image) and the payload bytes it held."""
    need = SIDE * SIDE
    head = payload[:, :need]
    if head.shape[1] < need:
        head = torch.nn.functional.pad(head, (0, need - head.shape[1]))
    x = head.to(torch.float32).div_(255.0).view(-1, 1, SIDE, SIDE)
    return x, payload.numel() * payload.element_size()


def main():
    p = job_parser("Reference PyTorch training job over an LMDB, .npy, HDF5 or tar-shard dataset.")
    p.add_argument("--format", choices=sorted(FORMATS), required=True)
    a = p.parse_args()
    if a.mmap:
        p.error("--mmap does not apply: the format decides how samples are read")
    device, truth = start_job(a)

    dataset = open_dataset(a.format, a.data, a.slow_read_ms, a.decode_ms)
    persistent = a.persistent_workers and a.num_workers > 0
    shuffle = a.format != "tar"  # an IterableDataset brings its samples in its own order
    start = worker_start(a)
    loader = DataLoader(dataset, batch_size=a.batch_size, shuffle=shuffle, num_workers=a.num_workers, pin_memory=a.pin_memory, persistent_workers=persistent, **start)
    train(a, loader, SmallNet().to(device), device, truth, prepare=to_image)


if __name__ == "__main__":
    main()
