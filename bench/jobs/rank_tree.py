#!/usr/bin/env python3
"""A process tree shaped like a DDP job, for measuring what sampling many ranks costs (no torch):
a launcher forks N ranks; each rank forks one worker that sends it batches over a pipe, and loops:
wait for a batch (blocked on the pipe, as a DataLoader wait looks), then "compute" (a CPU spin).

    rank_tree.py --ranks N --seconds S [--compute-ms X] [--batch-ms Y]
"""

import argparse
import os
import sys
import time


def spin(ms):
    end = time.perf_counter() + ms / 1000.0
    while time.perf_counter() < end:
        pass


def worker(w, batch_ms, stop_at):
    payload = b"x" * 65536
    while time.time() < stop_at:
        time.sleep(batch_ms / 1000.0)
        try:
            os.write(w, payload[:4096])
        except OSError:
            return


def rank(compute_ms, batch_ms, stop_at):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        worker(w, batch_ms, stop_at)
        os._exit(0)
    os.close(w)
    while time.time() < stop_at:
        if not os.read(r, 4096):
            break
        spin(compute_ms)
    os.waitpid(pid, 0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--compute-ms", type=float, default=2)
    p.add_argument("--batch-ms", type=float, default=20)
    a = p.parse_args()
    stop_at = time.time() + a.seconds
    kids = []
    for _ in range(a.ranks):
        pid = os.fork()
        if pid == 0:
            rank(a.compute_ms, a.batch_ms, stop_at)
            os._exit(0)
        kids.append(pid)
    for pid in kids:
        os.waitpid(pid, 0)
    sys.exit(0)


if __name__ == "__main__":
    main()
