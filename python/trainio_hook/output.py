"""Event output: JSON lines appended to TRAINIO_HOOK_OUT, buffered per process.

- The file is opened lazily with O_APPEND | O_NONBLOCK | O_CLOEXEC (created if missing). A regular
  file is written with one os.write per flush (appends from forked workers sharing the descriptor do
  not interleave); a FIFO is written in chunks of whole lines of at most PIPE_BUF bytes, so each
  chunk is atomic. A full FIFO (EAGAIN) drops the chunk, a FIFO without reader (ENXIO/EPIPE) or any
  other error turns the output off for good: the job never blocks and never sees an error.
- Flushed when 64 lines are pending, when the oldest pending line is 100 ms old (checked as events
  arrive: there is no thread), on `urgent` events, before a fork, and at exit (atexit in the main
  process, a multiprocessing finalizer in worker processes). The DataLoader's own events only mark
  the flush as due; it happens inside the next timed iter()/next() (see `defer`).
- After a fork the child drops the parent's pending lines (the parent flushed them before forking).
"""

import atexit
import os
import stat
import sys
import time

from . import state

MAX_PENDING = 64
MAX_AGE_S = 0.1
try:
    from select import PIPE_BUF
except ImportError:  # pragma: no cover - not Linux/Unix
    PIPE_BUF = 512

pid = os.getpid()
_path = None
_fd = None
_fifo = False
_dead = False
_pending = []
_oldest = 0.0
due = False


def configure(path):
    global _path
    _path = path


def emit(line, urgent=False):
    """Queues one JSON line (without the newline)."""
    emit_at(line, time.time(), urgent)


def emit_at(item, now, urgent=False):
    """Queues a line, or a (t0, t1, loader, stop) tuple of a next() formatted at flush time;
    `now` is the caller's current time.time(). Flushes at once."""
    if _queue(item, now, urgent):
        flush()


def defer(item, now, urgent=False):
    """Queues like emit_at, but only marks the flush as due: the DataLoader wrappers flush inside
    the next interval they time (see flush_if_due), so the write and any preemption at its syscall
    fall inside a timed wait — counted alike by the hook and by a clock around next() — instead of
    in the gap between the two."""
    global due
    if _queue(item, now, urgent):
        due = True


def flush_if_due():
    if due:
        flush()


def _queue(item, now, urgent):
    global _oldest
    if not _pending:
        _oldest = now
    _pending.append(item)
    return urgent or len(_pending) >= MAX_PENDING or now - _oldest >= MAX_AGE_S


_NEXT = '{"ev":"next","pid":%d,"t0":%.6f,"t1":%.6f,"loader":%s,"stop":%s}\n'


def _line(item):
    if isinstance(item, str):
        return item + "\n"
    t0, t1, loader, stop = item
    return _NEXT % (pid, t0, t1, "null" if loader is None else loader, "true" if stop else "false")


def _open():
    global _fd, _fifo, _dead
    try:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        _fd = os.open(_path, flags, 0o644)
        _fifo = stat.S_ISFIFO(os.fstat(_fd).st_mode)
    except Exception:
        _dead = True
        _fd = None
        state.disable()  # nowhere to write: every wrapper becomes a plain pass-through


def _write_all(data):
    view = memoryview(data)
    while view:
        n = os.write(_fd, view)
        view = view[n:]


def _write_fifo(lines):
    chunk, size = [], 0
    for line in lines:
        b = line.encode("utf-8", "replace")
        if len(b) > PIPE_BUF:
            continue  # a line that cannot be written atomically is dropped
        if size + len(b) > PIPE_BUF:
            _write_chunk(b"".join(chunk))
            chunk, size = [], 0
        chunk.append(b)
        size += len(b)
    if chunk:
        _write_chunk(b"".join(chunk))


def _write_chunk(data):
    try:
        os.write(_fd, data)
    except BlockingIOError:
        pass  # the reader is behind: drop rather than block the training job


def flush():
    """Writes what is pending. Never raises; a broken output turns itself off."""
    global _dead, due
    due = False
    if not _pending:
        return
    if _dead or _path is None:
        del _pending[:]
        return
    items = _pending[:]
    del _pending[: len(items)]  # a line appended meanwhile by another thread stays pending
    lines = [_line(item) for item in items]
    try:
        if _fd is None:
            _open()
            if _dead:
                return
        if _fifo:
            _write_fifo(lines)
        else:
            _write_all("".join(lines).encode("utf-8", "replace"))
    except Exception:
        _dead = True
        state.disable()


def _after_fork_in_child():
    global pid, due
    pid = os.getpid()
    del _pending[:]
    due = False
    mp_util = sys.modules.get("multiprocessing.util")
    if mp_util is not None:
        # multiprocessing children leave through os._exit (no atexit): flush from its finalizers,
        # registered after Process._bootstrap has cleared the ones inherited from the parent.
        mp_util.register_after_fork(_Anchor, _register_mp_flush)


class _Anchor:
    """A long-lived object that multiprocessing.util.register_after_fork can hold weakly."""


def _register_mp_flush(_anchor):
    try:
        sys.modules["multiprocessing.util"].Finalize(None, flush, exitpriority=100)
    except Exception:
        pass


def _safe_flush():
    try:
        flush()
    except Exception:
        pass


def _safe_after_fork():
    try:
        _after_fork_in_child()
    except Exception:
        state.disable()


def install_exit_hooks():
    atexit.register(_safe_flush)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_safe_flush, after_in_child=_safe_after_fork)
