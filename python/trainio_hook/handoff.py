"""The batch hand-off: what a stopwatch around `x, y = next(it)` sees beyond the iterator's __next__.

With worker processes a batch arrives as shared-memory tensors. The loop's previous batch is
released when its variables are rebound to the new one (`x, y = next(it)` drops the old x and y):
each tensor's shared-memory segment is unmapped and closed right after __next__ has returned — about
0.5 ms for a 3 MB batch, measured — inside what the loop's own clock around the call counts, yet
outside any wrapper of __next__. A loop that `del`s its batch before asking for the next one pays
that cost in its step instead, where no clock around next() sees it.

The release is timed with weakref finalizers on the batch's tensors (a finalizer runs as its tensor
is deallocated, before the memory is freed): releases of an older batch that begin within
HANDOFF_WINDOW_S after a newer batch was returned are the hand-off, counted from that return (the
call's own return and the unpacking are part of what the stopwatch sees) to the last tensor's
release (the last tensor's own free — usually the small labels — is not covered). Releases at any
other time (an explicit `del` in the step) are the step's and are ignored.

Only iterators with worker processes are tracked (without workers the gap is ~10 µs); at most
MAX_TENSORS tensors of a batch are watched.
"""

import time
import weakref

from . import events, state

_time = time.time
HANDOFF_WINDOW_S = 0.05
MAX_TENSORS = 8
_tensor_type = None


class Tracker:
    """Per iterator: the batch most recently returned and the release burst of the ones before it."""

    __slots__ = ("seq", "last_t1", "first", "last", "loader")

    def __init__(self, loader_id):
        self.seq = 0
        self.last_t1 = 0.0
        self.first = None
        self.last = None
        self.loader = loader_id


def _released(tracker, seq):
    try:
        now = _time()
        if seq < tracker.seq and now - tracker.last_t1 < HANDOFF_WINDOW_S:
            if tracker.first is None:
                tracker.first = tracker.last_t1
            tracker.last = now
    except Exception:
        state.disable()


def _tensors(batch, out):
    if len(out) >= MAX_TENSORS:
        return
    if isinstance(batch, _tensor_type):
        out.append(batch)
    elif isinstance(batch, (list, tuple)):
        for item in batch:
            _tensors(item, out)
    elif isinstance(batch, dict):
        for item in batch.values():
            _tensors(item, out)


def tracker_for(iterator, loader_id):
    """The iterator's tracker, or None when it has no worker processes (nothing to track)."""
    global _tensor_type
    d = iterator.__dict__
    tracker = d.get("_trainio_handoff")
    if tracker is None:
        if getattr(iterator, "_num_workers", 0) <= 0:
            d["_trainio_handoff"] = False
            return None
        if _tensor_type is None:
            import torch

            _tensor_type = torch.Tensor
        tracker = d["_trainio_handoff"] = Tracker(loader_id)
    return tracker or None


def returned(tracker, batch, t1):
    """A batch was returned at t1: report the previous hand-off, watch this batch's release."""
    if tracker.first is not None:
        events.handoff(tracker.first, tracker.last, tracker.loader)
        tracker.first = tracker.last = None
    tracker.seq += 1
    tracker.last_t1 = t1
    found = []
    _tensors(batch, found)
    for t in found:
        f = weakref.finalize(t, _released, tracker, tracker.seq)
        f.atexit = False


def finished(tracker):
    """The iterator is exhausted: the last hand-off (before StopIteration) is reported."""
    if tracker.first is not None:
        events.handoff(tracker.first, tracker.last, tracker.loader)
        tracker.first = tracker.last = None
