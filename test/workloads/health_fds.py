"""A DataLoader job whose dataset keeps every file it opens open (a common leak: file handles
cached per sample), so each worker's descriptors grow by one per sample until RLIMIT_NOFILE
stops it with "Too many open files". Run it under `prlimit --nofile=N`.

Truth (--truth, JSON lines, flushed): {"ev":"start","pid","limit","config"}, one
{"ev":"fds","t","pid","count"} per sample (the worker's own count of /proc/self/fd after opening
the file; listing it costs one more), {"ev":"error","t","message"} when next() raised — the job then exits with status 1.
"""

import argparse
import json
import os
import resource
import time

from torch.utils.data import DataLoader, Dataset


class LeakyFiles(Dataset):
    def __init__(self, n, sample_ms):
        self.n = n
        self.sample_ms = sample_ms
        self.kept = []

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.kept.append(open(__file__, "rb"))
        time.sleep(self.sample_ms / 1000)
        return (os.getpid(), len(os.listdir("/proc/self/fd")) - 1, i)


def as_list(samples):
    # plain Python values: a tensor would travel in shared memory as one more descriptor, and a
    # worker out of descriptors then hangs in its queue's feeder thread instead of failing
    return samples


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--samples", type=int, default=2000)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--num-workers", type=int, default=2)
    p.add_argument("--sample-ms", type=float, default=10)
    p.add_argument("--truth", required=True)
    a = p.parse_args()
    out = open(a.truth, "a", buffering=1)

    def write(**kw):
        out.write(json.dumps(kw) + "\n")

    write(ev="start", pid=os.getpid(), limit=resource.getrlimit(resource.RLIMIT_NOFILE)[0], config=vars(a))
    loader = DataLoader(
        LeakyFiles(a.samples, a.sample_ms),
        batch_size=a.batch_size,
        num_workers=a.num_workers,
        persistent_workers=a.num_workers > 0,
        collate_fn=as_list,
    )
    try:
        for batch in loader:
            for pid, count, _ in batch:
                write(ev="fds", t=time.time(), pid=pid, count=count)
    except Exception as e:
        lines = [line for line in str(e).splitlines() if line.strip()]
        write(ev="error", t=time.time(), message=lines[-1] if lines else type(e).__name__)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
