"""Ground truth writer shared by the reference training jobs (stdlib only).

Every line is one JSON object, written and flushed as soon as it happens, so a job that is killed
still leaves a readable prefix. Times are wall-clock epoch seconds (time.time()). The format is
documented in README.md next to this file.
"""

import functools
import importlib
import json
import multiprocessing
import os
import time


class Truth:
    """Writes ground-truth events as JSON lines; a no-op when no path is given."""

    def __init__(self, path):
        self._file = open(path, "a", encoding="utf-8") if path else None
        self.loop_t0 = None
        self.loop_t1 = None
        self.wait_s = 0.0

    def _emit(self, **fields):
        if self._file is None:
            return
        self._file.write(json.dumps(fields) + "\n")
        self._file.flush()

    def start(self, config):
        self._emit(ev="start", t=time.time(), pid=os.getpid(), config=config)

    def epoch_start(self, epoch, t):
        self._emit(ev="epoch_start", epoch=epoch, t=t)

    def epoch_end(self, epoch, sample_bytes=None):
        """sample_bytes: payload bytes the dataset returned this epoch, for jobs that count them."""
        if sample_bytes is None:
            self._emit(ev="epoch_end", epoch=epoch, t=time.time())
        else:
            self._emit(ev="epoch_end", epoch=epoch, t=time.time(), sample_bytes=sample_bytes)

    def wait(self, kind, t0, t1):
        """Time spent in iter(loader) (kind 'iter') or in the next() that raised StopIteration ('stop')."""
        if self.loop_t0 is None:
            self.loop_t0 = t0
        self.loop_t1 = t1
        self.wait_s += t1 - t0
        self._emit(ev="wait", t=t1, t0=t0, wait_s=t1 - t0, kind=kind)

    def step(self, epoch, step, t, wait_s, compute_s):
        """One batch: wait_s is the next() that returned it, compute_s what the loop did with it."""
        self.wait_s += wait_s
        self._emit(ev="step", epoch=epoch, step=step, t=t, wait_s=wait_s, compute_s=compute_s)

    def ckpt(self, path, t0, t1):
        self._emit(ev="ckpt", path=os.path.abspath(path), bytes=os.path.getsize(path), t0=t0, t1=t1)

    def launcher(self, ranks, **config):
        """A launcher's only start line: its pid and the pids of the ranks it started."""
        self._emit(ev="launcher", t=time.time(), pid=os.getpid(), ranks=ranks, **config)

    def launcher_end(self, exit_codes):
        self._emit(ev="end", t=time.time(), exit_codes=exit_codes)
        self.close()

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def end(self):
        """The loop ran from the first iter(loader) to the end of the last StopIteration."""
        t = time.time()
        loop_s = self.loop_t1 - self.loop_t0 if self.loop_t0 is not None else 0.0
        self._emit(ev="end", t=t, loop_s=loop_s, wait_s=self.wait_s)
        self.close()


def spin(ms):
    """Burns CPU for about `ms` milliseconds (wall clock) in pure Python."""
    end = time.perf_counter() + ms / 1000.0
    x = 0
    while time.perf_counter() < end:
        for i in range(200):
            x = (x * 31 + i) & 0xFFFFFFFF
    return x


def dataset_files(root):
    """The dataset's files in a stable order (the ground-truth file itself is not part of it)."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if not name.startswith(".truth"):
                out.append(os.path.join(d, name))
    return out


def read_file(path, use_mmap):
    """Reads a whole file: plain chunked read() calls, or through mmap (invisible to rchar)."""
    if use_mmap:
        import mmap

        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size == 0:
                return b""
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
                return bytes(m)
    chunks = []
    with open(path, "rb") as f:
        while True:
            chunk = f.read(64 * 1024)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def worker_start_method(a):
    """How the job's DataLoader workers start: --start-method, else the platform's default."""
    if a.num_workers == 0:
        return None
    return a.start_method or multiprocessing.get_start_method()


def worker_init(import_ms):
    """A DataLoader worker_init_fn that imports slow_import.py, which sleeps `import_ms` at import."""
    if import_ms <= 0:
        return None
    return functools.partial(_import_slowly, import_ms)


def _import_slowly(import_ms, worker_id):
    os.environ["SLOW_IMPORT_MS"] = str(import_ms)
    importlib.import_module("slow_import")
