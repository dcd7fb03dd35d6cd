"""A DataLoader job that runs out of the memory its cgroup allows: each worker keeps every batch it
builds (a leak), fast until the cgroup is --fast-until of its limit, then --slow-mb per second, so
the memory is near the limit for several seconds before the kernel's OOM killer ends a worker and
the main process raises "DataLoader worker (pid …) is killed by signal: Killed".

Truth (--truth, JSON lines, flushed): {"ev":"start","pid","cgroup","limit"} (the cgroup's own
memory.max / memory.limit_in_bytes, bytes), one {"ev":"mem","t","pid","rss","held","usage"} per
sample (the worker's own VmRSS, the bytes it holds, the cgroup's usage as the worker read it),
{"ev":"error","t","message"} when the loader raises.
"""

import argparse
import json
import os
import time

from torch.utils.data import DataLoader, Dataset

MB = 1024 * 1024


def cgroup_dir():
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if controllers == "" and os.path.exists(f"/sys/fs/cgroup{path}/memory.max"):
                return f"/sys/fs/cgroup{path}", "memory.max", "memory.current"
            if "memory" in controllers.split(","):
                return f"/sys/fs/cgroup/memory{path}", "memory.limit_in_bytes", "memory.usage_in_bytes"
    raise SystemExit("no memory cgroup")


def read_int(path):
    with open(path) as f:
        return int(f.read().strip())


def rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Leaky(Dataset):
    def __init__(self, a, files):
        self.a = a
        self.files = files
        self.held = []  # per worker: each forked copy keeps its own

    def __len__(self):
        return 1_000_000

    def __getitem__(self, i):
        d, limit_file, usage_file = self.files
        limit = read_int(f"{d}/{limit_file}")
        usage = read_int(f"{d}/{usage_file}")
        fast = usage < self.a.fast_until * limit
        step = self.a.fast_mb if fast else self.a.slow_mb * self.a.tick_s / self.a.num_workers
        self.held.append(b"\x01" * int(step * MB))  # written, so every page is charged
        time.sleep(self.a.tick_s)
        held = sum(len(b) for b in self.held)
        return (os.getpid(), rss_bytes(), held, read_int(f"{d}/{usage_file}"), time.time())


def as_list(samples):
    return samples


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--num-workers", type=int, default=2)
    p.add_argument("--fast-until", type=float, default=0.8)
    p.add_argument("--fast-mb", type=float, default=8)
    p.add_argument("--slow-mb", type=float, default=3, help="MB per second, all workers together")
    p.add_argument("--tick-s", type=float, default=0.1)
    p.add_argument("--truth", required=True)
    a = p.parse_args()
    out = open(a.truth, "a", buffering=1)

    def write(**kw):
        out.write(json.dumps(kw) + "\n")

    files = cgroup_dir()
    write(ev="start", pid=os.getpid(), cgroup=files[0], limit=read_int(f"{files[0]}/{files[1]}"))
    loader = DataLoader(Leaky(a, files), batch_size=1, num_workers=a.num_workers, collate_fn=as_list)
    try:
        for batch in loader:
            for pid, rss, held, usage, t in batch:
                write(ev="mem", t=t, pid=pid, rss=rss, held=held, usage=usage)
    except RuntimeError as e:
        write(ev="error", t=time.time(), message=str(e))
        raise


if __name__ == "__main__":
    main()
