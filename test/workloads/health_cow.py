"""A DataLoader job whose dataset holds a big Python list (the classic copy-on-write growth): forked
persistent workers share its pages at first, but every element a worker touches has its reference
count written, which copies the page into that worker. Each worker walks the whole list in
--chunks pieces, one piece per sample, so its private memory grows to about the list's size.

Truth (--truth, JSON lines, flushed): {"ev":"start","pid","list_bytes","config"}, one
{"ev":"mem","t","pid","private"} per sample (the worker's own Private_Clean + Private_Dirty from
/proc/self/smaps_rollup, bytes), {"ev":"end","t"}.
"""

import argparse
import json
import os
import sys
import time

from torch.utils.data import DataLoader, Dataset


def private_bytes():
    total = 0
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1]) * 1024
    return total


class BigList(Dataset):
    def __init__(self, items, chunks, samples, sample_ms):
        self.items = list(range(1000, 1000 + items))
        self.chunk = items // chunks
        self.chunks = chunks
        self.samples = samples
        self.sample_ms = sample_ms
        self.calls = 0  # per worker: each forked copy counts its own

    def __len__(self):
        return self.samples

    def __getitem__(self, i):
        k = self.calls % self.chunks
        self.calls += 1
        touched = sum(self.items[k * self.chunk : (k + 1) * self.chunk])
        time.sleep(self.sample_ms / 1000)
        return (os.getpid(), private_bytes(), touched)


def as_list(samples):
    return samples


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--items", type=int, default=4_000_000)
    p.add_argument("--chunks", type=int, default=200)
    p.add_argument("--num-workers", type=int, default=2)
    p.add_argument("--sample-ms", type=float, default=100)
    p.add_argument("--truth", required=True)
    a = p.parse_args()
    out = open(a.truth, "a", buffering=1)

    def write(**kw):
        out.write(json.dumps(kw) + "\n")

    ds = BigList(a.items, a.chunks, a.chunks * a.num_workers, a.sample_ms)
    list_bytes = sys.getsizeof(ds.items) + sum(sys.getsizeof(x) for x in ds.items[:1000]) * a.items // 1000
    write(ev="start", pid=os.getpid(), list_bytes=list_bytes, config=vars(a))
    loader = DataLoader(ds, batch_size=1, num_workers=a.num_workers, persistent_workers=True, collate_fn=as_list)
    for batch in loader:
        for pid, private, _ in batch:
            write(ev="mem", t=time.time(), pid=pid, private=private)
    write(ev="end", t=time.time())


if __name__ == "__main__":
    main()
