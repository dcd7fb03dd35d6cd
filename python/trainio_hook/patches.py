"""Wrappers around the DataLoader, its iterators, torch.save and (optionally) open().

Each wrapper calls the original first-class: when the hook is off it is a plain pass-through, the
original's return value and exceptions reach the caller unchanged, and any error in the hook's own
bookkeeping turns the hook off (state.disable) instead of surfacing.
"""

import builtins
import functools
import io
import itertools
import os
import time

from . import callsite, events, handoff, output, state

_time = time.time
_loader_ids = itertools.count(1)
_patched = set()


def _flush_if_due():
    try:
        output.flush_if_due()
    except Exception:
        state.disable()


def _record_loader(loader):
    if "_trainio_id" in loader.__dict__:
        return  # a subclass called DataLoader.__init__ twice
    loader_id = next(_loader_ids)
    loader.__dict__["_trainio_id"] = loader_id
    dataset = loader.dataset
    config = {
        "num_workers": getattr(loader, "num_workers", None),
        "batch_size": getattr(loader, "batch_size", None),
        "pin_memory": getattr(loader, "pin_memory", None),
        "persistent_workers": getattr(loader, "persistent_workers", None),
        "prefetch_factor": getattr(loader, "prefetch_factor", None),
        "dataset_class": type(dataset).__name__,
        "dataset_len": None,
        "rank": _process_rank(),
    }
    if getattr(loader, "_dataset_kind", 0) == 0 and hasattr(type(dataset), "__len__"):
        try:
            config["dataset_len"] = len(dataset)
        except Exception:
            pass
    events.loader(loader_id, _time(), callsite.user_site(loader), config)


def _process_rank():
    """The rank of this process in a multi-process job: RANK from the environment (torchrun,
    accelerate, or set by the trainer), else the initialised default process group's rank."""
    value = os.environ.get("RANK")
    if value is not None and value.isdigit():
        return int(value)
    try:
        import sys

        dist = sys.modules.get("torch.distributed")
        if dist is not None and dist.is_available() and dist.is_initialized():
            return int(dist.get_rank())
    except Exception:
        pass
    return None


def _wrap_init(orig):
    @functools.wraps(orig)
    def __init__(self, *args, **kwargs):
        orig(self, *args, **kwargs)
        if state.on:
            try:
                _record_loader(self)
            except Exception:
                state.disable()

    return __init__


def _wrap_iter(orig):
    @functools.wraps(orig)
    def __iter__(self):
        if not state.on:
            return orig(self)
        t0 = _time()
        if output.due:
            _flush_if_due()
        it = orig(self)
        t1 = _time()
        try:
            loader_id = self.__dict__.get("_trainio_id")
            if hasattr(it, "__dict__"):
                it.__dict__["_trainio_loader"] = loader_id
            events.iter_created(t0, t1, loader_id)
        except Exception:
            state.disable()
        return it

    return __iter__


def _wrap_next(orig):
    @functools.wraps(orig)
    def __next__(self):
        if not state.on:
            return orig(self)
        t0 = _time()
        if output.due:
            _flush_if_due()
        try:
            batch = orig(self)
        except StopIteration:
            t1 = _time()
            try:
                loader_id = self.__dict__.get("_trainio_loader")
                tracker = handoff.tracker_for(self, loader_id)
                if tracker is not None:
                    handoff.finished(tracker)
                events.next_batch(t0, t1, loader_id, True)
            except Exception:
                state.disable()
            raise
        except Exception as e:
            try:
                events.loader_error(_time(), self.__dict__.get("_trainio_loader"), e)
            except Exception:
                state.disable()
            raise
        t1 = _time()
        try:
            loader_id = self.__dict__.get("_trainio_loader")
            tracker = handoff.tracker_for(self, loader_id)
            if tracker is not None:
                handoff.returned(tracker, batch, t1)
            events.next_batch(t0, t1, loader_id, False)
        except Exception:
            state.disable()
        return batch

    return __next__


def _wrap_worker_check(orig):
    """torch's SIGCHLD handler calls this to raise "DataLoader worker (pid N) is killed by signal:
    …" wherever the main thread happens to be (often outside next()): the error is written first."""

    @functools.wraps(orig)
    def check(*args, **kwargs):
        try:
            return orig(*args, **kwargs)
        except Exception as e:
            if state.on:
                try:
                    events.loader_error(_time(), None, e)
                except Exception:
                    state.disable()
            raise

    return check


def patch_dataloader(module):
    """Patches torch.utils.data.dataloader (DataLoader and every iterator class defining __next__)."""
    if "dataloader" in _patched:
        return
    _patched.add("dataloader")
    loader_cls = module.DataLoader
    loader_cls.__init__ = _wrap_init(loader_cls.__init__)
    loader_cls.__iter__ = _wrap_iter(loader_cls.__iter__)
    base = getattr(module, "_BaseDataLoaderIter", None)
    iter_classes = [c for c in vars(module).values() if isinstance(c, type) and base and issubclass(c, base)]
    for cls in iter_classes:
        if "__next__" in cls.__dict__:
            cls.__next__ = _wrap_next(cls.__dict__["__next__"])
    handling = getattr(getattr(module, "_utils", None), "signal_handling", None)
    if handling is not None and callable(getattr(handling, "_error_if_any_worker_fails", None)):
        handling._error_if_any_worker_fails = _wrap_worker_check(handling._error_if_any_worker_fails)


def _save_facts(f):
    path = events.path_of(f)
    if path is not None:
        try:
            return path, os.path.getsize(path)
        except OSError:
            return path, None
    name = getattr(f, "name", None)
    size = None
    try:
        size = f.tell()
    except Exception:
        pass
    return (os.path.abspath(name) if isinstance(name, str) else None), size


def _wrap_save(orig):
    @functools.wraps(orig)
    def save(obj, f, *args, **kwargs):
        if not state.on:
            return orig(obj, f, *args, **kwargs)
        t0 = _time()
        result = orig(obj, f, *args, **kwargs)
        t1 = _time()
        try:
            path, size = _save_facts(f)
            events.save(t0, t1, path, size, callsite.user_site())
        except Exception:
            state.disable()
        return result

    return save


def patch_save(torch_module, serialization):
    """torch.save and torch.serialization.save point at the same wrapper."""
    if "save" in _patched:
        return
    _patched.add("save")
    wrapped = _wrap_save(serialization.save)
    serialization.save = wrapped
    if torch_module is not None and getattr(torch_module, "save", None) is wrapped.__wrapped__:
        torch_module.save = wrapped


def patch_open(directories):
    """Counts opens of files under `directories` (absolute and resolved forms both match)."""
    if "open" in _patched or not directories:
        return
    _patched.add("open")
    prefixes = set()
    for d in directories:
        for form in (os.path.abspath(d), os.path.realpath(d)):
            prefixes.add(form.rstrip(os.sep) + os.sep)
    prefixes = tuple(sorted(prefixes))
    orig = io.open

    @functools.wraps(orig)
    def open(file, *args, **kwargs):
        f = orig(file, *args, **kwargs)
        if state.on and not isinstance(file, int):
            try:
                path = file if isinstance(file, str) else os.fsdecode(os.fspath(file))
                if not path.startswith(os.sep):
                    path = os.path.abspath(path)
                if path.startswith(prefixes):
                    events.opened(os.path.normpath(path))
            except Exception:
                state.disable()
        return f

    io.open = open
    builtins.open = open
