#!/usr/bin/env python3
"""Reference multi-rank job: N DistributedDataParallel ranks on CPU (gloo), each with its own
DataLoader, DistributedSampler and workers over the files of make_dataset.py, with the knobs, loop
and ground truth of train_torch.py (README.md).

    train_ddp.py --ranks N [--rank-start-method fork|spawn] --data DIR [train_torch.py knobs]

The launcher starts the ranks with torch.multiprocessing.start_processes (how mp.spawn-style
trainers do it); under torchrun (RANK and WORLD_SIZE already set) the process is that one rank.
Run it with the Python that has torch (Debian's /usr/bin/python3 with python3-torch).
"""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_torch import FileDataset, SmallNet, job_parser, start_job, train, worker_start  # noqa: E402
from truth import Truth  # noqa: E402

import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402
from torch.nn.parallel import DistributedDataParallel  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402
from torch.utils.data.distributed import DistributedSampler  # noqa: E402


def parse_args():
    p = job_parser("Reference DDP training job: ranks on CPU with gloo, each with its own DataLoader.")
    p.add_argument("--ranks", type=int, default=2, help="world size (2-4)")
    p.add_argument("--rank-start-method", choices=["fork", "spawn"], default="spawn")
    p.add_argument("--slow-rank", type=int, help="this rank's data loading is slower (a straggler)")
    p.add_argument("--slow-rank-read-ms", type=float, default=0.0, help="added to --slow-read-ms on --slow-rank")
    a = p.parse_args()
    if not 1 <= a.ranks <= 8:
        p.error("--ranks must be between 1 and 8")
    return a


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_rank(local_rank, a, world_size, port):
    """One rank started by the launcher: its rendezvous environment first, as a torchrun would give."""
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    os.environ["RANK"] = str(local_rank)
    os.environ["LOCAL_RANK"] = str(local_rank)
    os.environ["WORLD_SIZE"] = str(world_size)
    train_rank(a, a.rank_start_method)


def train_rank(a, started_by):
    rank = int(os.environ["RANK"])
    world_size = int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    truth_path = "%s.rank%d" % (a.truth, rank) if a.truth else None
    rank_config = dict(rank=rank, local_rank=local_rank, world_size=world_size, rank_started_by=started_by)
    device, truth = start_job(a, truth_path, **rank_config)
    dist.init_process_group("gloo", rank=rank, world_size=world_size)

    slow_read_ms = a.slow_read_ms + (a.slow_rank_read_ms if rank == a.slow_rank else 0.0)
    dataset = FileDataset(a.data, slow_read_ms, a.decode_ms, a.mmap)
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=a.seed)
    persistent = a.persistent_workers and a.num_workers > 0
    start = worker_start(a)
    loader = DataLoader(dataset, batch_size=a.batch_size, sampler=sampler, num_workers=a.num_workers, pin_memory=a.pin_memory, persistent_workers=persistent, **start)
    model = DistributedDataParallel(SmallNet().to(device))
    train(a, loader, model, device, truth, before_epoch=sampler.set_epoch, saves=rank == 0)
    dist.destroy_process_group()


def launch(a):
    """Starts the ranks, records their pids, waits for all of them."""
    truth = Truth(a.truth)
    port = free_port()
    ctx = mp.start_processes(run_rank, args=(a, a.ranks, port), nprocs=a.ranks, start_method=a.rank_start_method, join=False)
    truth.launcher([p.pid for p in ctx.processes], world_size=a.ranks, start_method=a.rank_start_method, master_port=port)
    try:
        while not ctx.join():
            pass
    finally:
        truth.launcher_end([p.exitcode for p in ctx.processes])


def main():
    a = parse_args()
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        train_rank(a, "environment")
    else:
        launch(a)


if __name__ == "__main__":
    main()
