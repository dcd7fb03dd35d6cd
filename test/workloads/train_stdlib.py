#!/usr/bin/env python3
"""Reference training job with the standard library only: the same structure and knobs as
train_torch.py (worker processes read the dataset files and send batches to the main process
through a queue; the main loop "computes" and writes checkpoints) and the same ground truth.

Used where torch is not installed and by `trainio demo`. See README.md.
"""

import argparse
import multiprocessing as mp
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from truth import Truth, dataset_files, read_file, spin  # noqa: E402

SAMPLE_BYTES = 1024


def load_sample(path, slow_read_ms, decode_ms, use_mmap):
    if slow_read_ms > 0:
        time.sleep(slow_read_ms / 1000.0)  # simulated slow storage
    data = read_file(path, use_mmap)
    if decode_ms > 0:
        spin(decode_ms)  # simulated decode/augment cost, in the worker
    head = data[:SAMPLE_BYTES]
    return head + b"\0" * (SAMPLE_BYTES - len(head))


def worker_loop(files, opts, tasks, results):
    """A worker process: reads the files of each batch it is sent, returns the batch bytes."""
    while True:
        task = tasks.get()
        if task is None:
            return
        batch_id, indices = task
        results.put((batch_id, b"".join(load_sample(files[i], *opts) for i in indices)))


class FileLoader:
    """A minimal DataLoader: shuffled batches, read in main (num_workers=0) or in worker processes."""

    def __init__(self, files, batch_size, num_workers, persistent, opts, seed):
        self.files = files
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.persistent = persistent
        self.opts = opts
        self.rng = random.Random(seed)
        self.workers = []

    def __len__(self):
        return (len(self.files) + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        order = list(range(len(self.files)))
        self.rng.shuffle(order)
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        if self.num_workers == 0:
            return (b"".join(load_sample(self.files[i], *self.opts) for i in b) for b in batches)
        if not self.workers:
            self._start_workers()
        return self._from_workers(batches)

    def _start_workers(self):
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        self.tasks, self.results = ctx.Queue(), ctx.Queue()
        for _ in range(self.num_workers):
            w = ctx.Process(target=worker_loop, args=(self.files, self.opts, self.tasks, self.results))
            w.daemon = True
            w.start()
            self.workers.append(w)

    def _stop_workers(self):
        for _ in self.workers:
            self.tasks.put(None)
        for w in self.workers:
            w.join()
        self.workers = []

    def _from_workers(self, batches):
        sent, ready, want = 0, {}, 0
        while sent < min(len(batches), 2 * self.num_workers):
            self.tasks.put((sent, batches[sent]))
            sent += 1
        while want < len(batches):
            while want not in ready:
                batch_id, payload = self.results.get()
                ready[batch_id] = payload
            if sent < len(batches):
                self.tasks.put((sent, batches[sent]))
                sent += 1
            yield ready.pop(want)
            want += 1
        if not self.persistent:
            self._stop_workers()

    def close(self):
        if self.workers:
            self._stop_workers()


def compute(batch, compute_ms):
    """The "training step": touch the batch, then burn CPU for about compute_ms."""
    checksum = sum(batch[::64])
    if compute_ms > 0:
        spin(compute_ms)
    return checksum


def fake_cuda_synchronize(ms):
    """Stand-in for a GPU synchronize: the main thread waits, off-CPU."""
    time.sleep(ms / 1000.0)


def save_checkpoint(blob, path):
    with open(path, "wb") as f:
        f.write(blob)


def parse_args():
    p = argparse.ArgumentParser(description="Reference stdlib-only training job with ground truth.")
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--num-workers", type=int, default=0)
    p.add_argument("--persistent-workers", action="store_true")
    p.add_argument("--compute-ms", type=float, default=0.0)
    p.add_argument("--slow-read-ms", type=float, default=0.0)
    p.add_argument("--decode-ms", type=float, default=0.0)
    p.add_argument("--gpu-like-ms", type=float, default=0.0)
    p.add_argument("--ckpt-dir")
    p.add_argument("--ckpt-every", type=int, default=0)
    p.add_argument("--ckpt-mb", type=float, default=1.0)
    p.add_argument("--ckpt-overwrite", action="store_true", help="always write last.ckpt")
    p.add_argument("--mmap", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--truth")
    return p.parse_args()


def main():
    a = parse_args()
    truth = Truth(a.truth)
    truth.start(dict(vars(a), python=sys.version.split()[0]))
    opts = (a.slow_read_ms, a.decode_ms, a.mmap)
    loader = FileLoader(dataset_files(a.data), a.batch_size, a.num_workers, a.persistent_workers, opts, a.seed)
    block = random.Random(a.seed).randbytes(1 << 16)
    size = int(a.ckpt_mb * 1024 * 1024)
    blob = (block * (size // len(block) + 1))[:size]
    if a.ckpt_dir:
        os.makedirs(a.ckpt_dir, exist_ok=True)

    global_step = 0
    for epoch in range(a.epochs):
        t0 = time.time()
        truth.epoch_start(epoch, t0)
        it = iter(loader)
        truth.wait("iter", t0, time.time())
        step = 0
        while True:
            t0 = time.time()
            try:
                batch = next(it)
            except StopIteration:
                truth.wait("stop", t0, time.time())
                break
            t1 = time.time()
            compute(batch, a.compute_ms)
            if a.gpu_like_ms > 0:
                fake_cuda_synchronize(a.gpu_like_ms)
            del batch  # free the batch here, not inside the next next() the truth times
            t2 = time.time()
            truth.step(epoch, step, t2, t1 - t0, t2 - t1)
            step += 1
            global_step += 1
            if a.ckpt_dir and a.ckpt_every > 0 and global_step % a.ckpt_every == 0:
                name = "last.ckpt" if a.ckpt_overwrite else "ckpt-%06d.ckpt" % global_step
                path = os.path.join(a.ckpt_dir, name)
                c0 = time.time()
                save_checkpoint(blob, path)
                truth.ckpt(path, c0, time.time())
        del it  # the exhausted iterator goes here, not inside the next epoch's timed iter()
        truth.epoch_end(epoch)
    truth.end()
    loader.close()


if __name__ == "__main__":
    main()
