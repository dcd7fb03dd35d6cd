#!/usr/bin/env python3
"""Reference PyTorch training job: a real DataLoader over files on disk, a small CNN, an optimizer,
periodic torch.save checkpoints, and ground truth written to --truth (see README.md).

Run it with the Python that has torch (Debian's /usr/bin/python3 with python3-torch).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from truth import Truth, dataset_files, read_file, spin, worker_init, worker_start_method  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402

SIDE = 32  # every sample becomes a 1 x SIDE x SIDE input
CLASSES = 10


class FileDataset(Dataset):
    """One sample per file: read the whole file, keep its first SIDE*SIDE bytes as the image."""

    def __init__(self, root, slow_read_ms, decode_ms, use_mmap):
        self.files = dataset_files(root)
        self.slow_read_ms = slow_read_ms
        self.decode_ms = decode_ms
        self.use_mmap = use_mmap

    def __len__(self):
        return len(self.files)

    def __getitem__(self, index):
        if self.slow_read_ms > 0:
            time.sleep(self.slow_read_ms / 1000.0)  # simulated slow storage
        data = read_file(self.files[index], self.use_mmap)
        if self.decode_ms > 0:
            spin(self.decode_ms)  # simulated decode/augment cost, in the worker
        need = SIDE * SIDE
        head = bytearray(data[:need])
        head.extend(b"\0" * (need - len(head)))
        x = torch.frombuffer(head, dtype=torch.uint8).to(torch.float32).div_(255.0).view(1, SIDE, SIDE)
        return x, index % CLASSES


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16 * (SIDE // 4) * (SIDE // 4), CLASSES)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


def extra_compute(ms):
    """Real tensor work in the main process for about `ms` milliseconds."""
    a = torch.ones(96, 96)
    end = time.perf_counter() + ms / 1000.0
    while time.perf_counter() < end:
        a = torch.tanh(a @ a * 0.01)
    return a


def fake_cuda_synchronize(ms):
    """Stand-in for torch.cuda.synchronize(): the main thread waits, off-CPU, as it would for a GPU."""
    time.sleep(ms / 1000.0)


def save_checkpoint(model, opt, pad, path):
    state = {"model": model.state_dict(), "optim": opt.state_dict(), "pad": pad}
    torch.save(state, path)


def job_parser(description="Reference PyTorch training job with ground truth."):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--num-workers", type=int, default=0)
    p.add_argument("--persistent-workers", action="store_true")
    p.add_argument("--start-method", choices=["fork", "spawn", "forkserver"], help="DataLoader multiprocessing_context")
    p.add_argument("--import-ms", type=float, default=0.0, help="each worker imports a module that takes this long")
    p.add_argument("--pin-memory", action="store_true")
    p.add_argument("--compute-ms", type=float, default=0.0)
    p.add_argument("--slow-read-ms", type=float, default=0.0)
    p.add_argument("--decode-ms", type=float, default=0.0)
    p.add_argument("--gpu-like-ms", type=float, default=0.0)
    p.add_argument("--ckpt-dir")
    p.add_argument("--ckpt-every", type=int, default=0)
    p.add_argument("--ckpt-mb", type=float, default=1.0)
    p.add_argument("--ckpt-overwrite", action="store_true", help="always write last.pt")
    p.add_argument("--mmap", action="store_true")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads in the main process")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--truth")
    return p


def main():
    """One process training on the files of --data (make_dataset.py)."""
    a = job_parser().parse_args()
    device, truth = start_job(a)

    dataset = FileDataset(a.data, a.slow_read_ms, a.decode_ms, a.mmap)
    persistent = a.persistent_workers and a.num_workers > 0
    start = worker_start(a)  # multiprocessing_context and worker_init_fn, with workers only
    loader = DataLoader(dataset, batch_size=a.batch_size, shuffle=True, num_workers=a.num_workers, pin_memory=a.pin_memory, persistent_workers=persistent, **start)
    train(a, loader, SmallNet().to(device), device, truth)


# What the other torch reference jobs (train_shapes.py, train_ddp.py) share with this one.


def start_job(a, truth_path=None, **config):
    """Seeds, threads and device; opens the truth and writes its start line (knobs + `config`)."""
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    device = torch.device(a.device if a.device == "cpu" or torch.cuda.is_available() else "cpu")
    truth = Truth(a.truth if truth_path is None else truth_path)
    config = dict(vars(a), torch=torch.__version__, device=str(device), **config)
    config["worker_start_method"] = worker_start_method(a)
    truth.start(config)
    return device, truth


def worker_start(a):
    """The DataLoader options that decide how its workers start (none without workers)."""
    if a.num_workers == 0:
        return {}
    return {"multiprocessing_context": a.start_method, "worker_init_fn": worker_init(a.import_ms)}


def train(a, loader, model, device, truth, prepare=None, before_epoch=None, saves=True):
    """The training loop; the truth times only iter(loader) and next(it) (README.md).

    prepare(x) -> (model input, payload bytes): then each epoch_end line carries sample_bytes.
    before_epoch(epoch) runs before the epoch's timed iter(); saves=False: no checkpoints here.
    """
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    pad = torch.zeros(max(0, int(a.ckpt_mb * 1024 * 1024) // 4), dtype=torch.float32)
    if a.ckpt_dir:
        os.makedirs(a.ckpt_dir, exist_ok=True)

    global_step = 0
    for epoch in range(a.epochs):
        if before_epoch is not None:
            before_epoch(epoch)
        sample_bytes = 0 if prepare is not None else None
        t0 = time.time()
        truth.epoch_start(epoch, t0)
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
            if prepare is not None:
                x, nbytes = prepare(x)
                sample_bytes += nbytes
            x, y = x.to(device), y.to(device)
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            if a.compute_ms > 0:
                extra_compute(a.compute_ms)
            if a.gpu_like_ms > 0:
                fake_cuda_synchronize(a.gpu_like_ms)
            del x, y, loss  # free the batch here, not inside the next next() the truth times
            t2 = time.time()
            truth.step(epoch, step, t2, t1 - t0, t2 - t1)
            step += 1
            global_step += 1
            if saves and a.ckpt_dir and a.ckpt_every > 0 and global_step % a.ckpt_every == 0:
                name = "last.pt" if a.ckpt_overwrite else "ckpt-%06d.pt" % global_step
                path = os.path.join(a.ckpt_dir, name)
                c0 = time.time()
                save_checkpoint(model, opt, pad, path)
                truth.ckpt(path, c0, time.time())
        del it  # the exhausted iterator goes here, not inside the next epoch's timed iter()
        truth.epoch_end(epoch, sample_bytes)
    truth.end()


if __name__ == "__main__":
    main()
