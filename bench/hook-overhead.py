#!/usr/bin/env python3
"""Cost of trainio's hook per DataLoader next(): a trivial DataLoader (num_workers=0, one-element
tensors, batch_size=1) iterated with and without the hook.

    /usr/bin/python3 bench/hook-overhead.py [--batches N] [--rounds R]
    /usr/bin/python3 bench/hook-overhead.py --accuracy [--epochs E]

Costs are CPU time of the iterating thread (time.thread_time), so that other processes on a shared
machine do not blur them. Two measurements:
1. paired, in one process with the hook installed: epochs alternate between hook on (events
   written to a file) and hook switched off (the wrappers' pass-through), R pairs;
2. separate processes: no hook at all / hook writing to a file / hook whose output is a FIFO
   without reader (the hook turns itself off), R rounds each, alternating.
3. delivery: how many event lines arrive through a FIFO read every 100 ms vs a regular file.
With --accuracy: the reference torch job (test/workloads/train_torch.py) in several configs, the
hook's exact stall % against the job's own ground truth.
Prints markdown tables (median and min over rounds) — results are recorded in bench/hook.md.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HOOK_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python")

CHILD = r"""
import json, sys, time
import torch
from torch.utils.data import DataLoader, TensorDataset
torch.set_num_threads(1)
n, rounds, paired = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "paired"
loader = DataLoader(TensorDataset(torch.zeros(n, 1)), batch_size=1, num_workers=0)

def epoch():
    # CPU time of this thread: what the hook costs, unaffected by other processes on a busy machine
    t0 = time.thread_time()
    for (x,) in loader:
        pass
    return (time.thread_time() - t0) / (n + 1) * 1e6

epoch()  # warm-up
if paired:
    from trainio_hook import state
    on, off = [], []
    for _ in range(rounds):
        state.enable(); on.append(epoch())
        state.disable(); off.append(epoch())
    print(json.dumps({"on": on, "off": off}))
else:
    print(json.dumps({"us": [epoch() for _ in range(rounds)]}))
"""


def run(mode, batches, rounds, out_dir):
    env = dict(os.environ)
    env.pop("TRAINIO_HOOK_OUT", None)
    if mode != "no hook":
        env["PYTHONPATH"] = HOOK_DIR + os.pathsep + env.get("PYTHONPATH", "")
        env["TRAINIO_HOOK_OUT"] = os.path.join(out_dir, "events.jsonl")
        if mode == "FIFO without reader":
            env["TRAINIO_HOOK_OUT"] = os.path.join(out_dir, "events.fifo")
            if not os.path.exists(env["TRAINIO_HOOK_OUT"]):
                os.mkfifo(env["TRAINIO_HOOK_OUT"])
    paired = "paired" if mode == "paired" else "single"
    cmd = [sys.executable, "-c", CHILD, str(batches), str(rounds), paired]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


READER = r"""
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
print("ready", flush=True)
lines, seen, idle = 0, False, 0
while not (seen and idle > 20):
    time.sleep(0.1)  # like trainio's HookReader, which polls every 100 ms
    got = b""
    while True:
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            break
        if not chunk:
            break
        got += chunk
    lines += got.count(b"\n")
    seen, idle = seen or bool(got), 0 if got else idle + 1
print(lines, flush=True)
"""


def delivery(batches, out_dir):
    """Event lines that arrive through a FIFO read every 100 ms vs appended to a regular file."""
    hook_env = dict(os.environ, PYTHONPATH=HOOK_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    probe = [sys.executable, "-c", CHILD, str(batches), "1", "single"]
    fifo = os.path.join(out_dir, "delivery.fifo")
    os.mkfifo(fifo)
    reader = subprocess.Popen([sys.executable, "-c", READER, fifo], stdout=subprocess.PIPE, text=True)
    reader.stdout.readline()
    subprocess.run(probe, env=dict(hook_env, TRAINIO_HOOK_OUT=fifo), capture_output=True, check=True)
    via_fifo = int(reader.stdout.readline())
    reader.wait()
    path = os.path.join(out_dir, "delivery.jsonl")
    subprocess.run(probe, env=dict(hook_env, TRAINIO_HOOK_OUT=path), capture_output=True, check=True)
    with open(path, "rb") as f:
        via_file = f.read().count(b"\n")
    return via_fifo, via_file


WORKLOADS = os.path.join(os.path.dirname(HOOK_DIR), "test", "workloads")
CONFIGS = [
    ("compute-bound, 2 workers", ["--num-workers", "2", "--compute-ms", "15"]),
    ("I/O-starved, 2 workers", ["--num-workers", "2", "--slow-read-ms", "3", "--compute-ms", "4"]),
    ("I/O-starved, 4 workers", ["--num-workers", "4", "--slow-read-ms", "3", "--compute-ms", "4"]),
    ("decode-heavy, 2 workers", ["--num-workers", "2", "--decode-ms", "2", "--compute-ms", "4"]),
    ("GPU-like (10 ms sync), 2 workers", ["--num-workers", "2", "--gpu-like-ms", "10"]),
    ("persistent workers, 2", ["--num-workers", "2", "--persistent-workers", "--compute-ms", "4"]),
    ("main reads, mmap", ["--num-workers", "0", "--mmap", "--compute-ms", "4"]),
]


def hook_stall(events_path):
    """Exact stall % as trainio computes it: Σ iter/next time ÷ first iter → last event, main PID."""
    timed = []
    with open(events_path) as f:
        for line in f:
            e = json.loads(line)
            if e["ev"] in ("iter", "next"):
                timed.append(e)
    main = [e for e in timed if e["pid"] == timed[0]["pid"]]
    return sum(e["t1"] - e["t0"] for e in main) / (main[-1]["t1"] - main[0]["t0"]) * 100


def accuracy(out_dir, epochs):
    """The reference torch job in several configs: the hook's exact stall % vs the job's truth."""
    data = os.path.join(out_dir, "data")
    gen = [sys.executable, os.path.join(WORKLOADS, "make_dataset.py"), "--out", data]
    subprocess.run(gen + ["--files", "400", "--min-kb", "8", "--max-kb", "32", "--subdirs", "4"], check=True, capture_output=True)
    env = dict(os.environ, PYTHONPATH=HOOK_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    print("| config | hook stall % | truth stall % | Δ points |")
    print("|---|---|---|---|")
    for name, knobs in CONFIGS:
        events, truth = os.path.join(out_dir, "h.jsonl"), os.path.join(out_dir, "t.jsonl")
        for p in (events, truth):
            if os.path.exists(p):
                os.remove(p)
        cmd = [sys.executable, os.path.join(WORKLOADS, "train_torch.py"), "--data", data, "--epochs", str(epochs)]
        subprocess.run(cmd + ["--batch-size", "16", "--truth", truth] + knobs, env=dict(env, TRAINIO_HOOK_OUT=events), check=True, capture_output=True)
        with open(truth) as f:
            end = [json.loads(line) for line in f][-1]
        want, got = end["wait_s"] / end["loop_s"] * 100, hook_stall(events)
        print("| %s | %.2f | %.2f | %+.2f |" % (name, got, want, got - want))


def row(name, values, base=None):
    med, low = statistics.median(values), min(values)
    extra = "" if base is None else " | %+.2f" % (med - base)
    return "| %s | %.2f | %.2f%s |" % (name, med, low, extra)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batches", type=int, default=20000)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--accuracy", action="store_true", help="compare the hook's stall % with the truth instead")
    p.add_argument("--epochs", type=int, default=2, help="epochs per --accuracy run")
    a = p.parse_args()
    if a.accuracy:
        with tempfile.TemporaryDirectory(prefix="trainio-bench-") as out_dir:
            accuracy(out_dir, a.epochs)
        return
    with tempfile.TemporaryDirectory(prefix="trainio-bench-") as out_dir:
        paired = run("paired", a.batches, a.rounds, out_dir)
        diffs = [x - y for x, y in zip(paired["on"], paired["off"])]
        print("Paired, one process, %d rounds × %d batches:\n" % (a.rounds, a.batches))
        print("| hook | CPU µs per next() median | min |")
        print("|---|---|---|")
        print(row("on (events to a file)", paired["on"]))
        print(row("switched off (pass-through)", paired["off"]))
        print(row("**overhead on − off**", diffs))
        print()
        modes = ["no hook", "file", "FIFO without reader"]
        results = {m: [] for m in modes}
        for _ in range(a.rounds):
            for m in modes:
                results[m].extend(run(m, a.batches, 1, out_dir)["us"])
        base = statistics.median(results["no hook"])
        print("Separate processes, %d rounds each:\n" % a.rounds)
        print("| mode | CPU µs per next() median | min | Δ median vs no hook |")
        print("|---|---|---|---|")
        for m in modes:
            print(row(m, results[m], base))
        print()
        via_fifo, via_file = delivery(a.batches, out_dir)
        print("Delivery of the event lines of one run (%d batches × 2 epochs):\n" % a.batches)
        print("| transport | lines received |")
        print("|---|---|")
        print("| FIFO, reader polling every 100 ms | %d |" % via_fifo)
        print("| regular file (O_APPEND), read afterwards | %d |" % via_file)


if __name__ == "__main__":
    main()
