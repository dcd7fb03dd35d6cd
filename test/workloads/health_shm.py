"""A DataLoader job that fills /dev/shm on purpose: workers hand over batches of --batch-mb MB and
the main loop keeps the last --hold batches alive (their shared memory stays allocated), so usage
grows by one batch per step. With --release-at N the held batches are dropped at step N (usage
falls back). Run it under a small /dev/shm to make a worker die of SIGBUS.

Truth (--truth, JSON lines, flushed): {"ev":"start","pid","shm_size","config"}, one
{"ev":"shm","t","step","used"} per step (statfs of /dev/shm after the step), {"ev":"peak","t",
"used"} (the highest use a 5 ms sampler thread saw), and {"ev":"error","t","message"} when next()
raised — the job then exits with status 1.
"""

import argparse
import json
import os
import threading
import time

import torch
from torch.utils.data import DataLoader, Dataset


def shm_used():
    st = os.statvfs("/dev/shm")
    return (st.f_blocks - st.f_bfree) * st.f_frsize, st.f_blocks * st.f_frsize


class Blocks(Dataset):
    def __init__(self, n, floats):
        self.n = n
        self.floats = floats

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return torch.full((self.floats,), float(i))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch-mb", type=float, default=1.0)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--num-workers", type=int, default=2)
    p.add_argument("--prefetch", type=int, default=2)
    p.add_argument("--hold", type=int, default=0)
    p.add_argument("--release-at", type=int, default=-1)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--step-ms", type=float, default=300)
    p.add_argument("--truth", required=True)
    a = p.parse_args()
    out = open(a.truth, "a", buffering=1)

    def write(**kw):
        out.write(json.dumps(kw) + "\n")

    write(ev="start", pid=os.getpid(), shm_size=shm_used()[1], config=vars(a))
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], shm_used()[0])
            time.sleep(0.005)

    threading.Thread(target=sample, daemon=True).start()
    floats = int(a.batch_mb * 1e6 / 4 / a.batch_size)
    ds = Blocks(a.steps * a.batch_size, floats)
    loader = DataLoader(ds, batch_size=a.batch_size, num_workers=a.num_workers, prefetch_factor=a.prefetch)
    held = []
    try:
        for step, batch in enumerate(loader):
            if a.hold > 0:
                held.append(batch)
                del held[: -a.hold]
            if step == a.release_at:
                held.clear()
            del batch
            time.sleep(a.step_ms / 1000)
            write(ev="shm", t=time.time(), step=step, used=shm_used()[0])
    except Exception as e:
        write(ev="peak", t=time.time(), used=peak[0])
        write(ev="error", t=time.time(), message=str(e).splitlines()[0])
        raise SystemExit(1)
    done.set()
    write(ev="peak", t=time.time(), used=peak[0])


if __name__ == "__main__":
    main()
