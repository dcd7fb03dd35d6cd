"""The event lines the hook writes (documented in python/README.md). Formatting is by hand: these
run on every next() and must stay cheap."""

import json
import os
import platform
import time

from . import output


def _s(value):
    return "null" if value is None else json.dumps(value)


def _b(value):
    return "null" if value is None else ("true" if value else "false")


def _i(value):
    return str(int(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else "null"


def hello(torch_version):
    output.emit(
        '{"ev":"hello","pid":%d,"t":%.6f,"python":%s,"torch":%s}'
        % (output.pid, time.time(), _s(platform.python_version()), _s(torch_version)),
        urgent=True,
    )


def loader(loader_id, t, site, config):
    file, line = site
    output.emit(
        '{"ev":"loader","pid":%d,"t":%.6f,"id":%d,"file":%s,"line":%s,"num_workers":%s,"batch_size":%s,'
        '"pin_memory":%s,"persistent_workers":%s,"prefetch_factor":%s,"dataset_len":%s,"dataset_class":%s,"rank":%s}'
        % (
            output.pid,
            t,
            loader_id,
            _s(file),
            _i(line),
            _i(config.get("num_workers")),
            _i(config.get("batch_size")),
            _b(config.get("pin_memory")),
            _b(config.get("persistent_workers")),
            _i(config.get("prefetch_factor")),
            _i(config.get("dataset_len")),
            _s(config.get("dataset_class")),
            _i(config.get("rank")),
        ),
        urgent=True,
    )


def iter_created(t0, t1, loader_id):
    line = '{"ev":"iter","pid":%d,"t0":%.6f,"t1":%.6f,"loader":%s}' % (output.pid, t0, t1, _i(loader_id))
    output.defer(line, t1, urgent=True)


def next_batch(t0, t1, loader_id, stop):
    # the hottest path: queue a tuple, format it at flush time
    output.defer((t0, t1, loader_id, stop), t1, stop)


def handoff(t0, t1, loader_id):
    """The previous batch's release when the loop rebound its variables (handoff.py)."""
    line = '{"ev":"handoff","pid":%d,"t0":%.6f,"t1":%.6f,"loader":%s}' % (output.pid, t0, t1, _i(loader_id))
    output.defer(line, t1)


def save(t0, t1, path, size, site):
    file, line = site
    output.emit(
        '{"ev":"save","pid":%d,"t0":%.6f,"t1":%.6f,"path":%s,"bytes":%s,"file":%s,"line":%s}'
        % (output.pid, t0, t1, _s(path), _i(size), _s(file), _i(line)),
        urgent=True,
    )


def opened(path):
    output.emit('{"ev":"open","pid":%d,"t":%.6f,"path":%s}' % (output.pid, time.time(), _s(path)))


def loader_error(t, loader_id, exc):
    """An exception raised out of a DataLoader iterator's next() (a worker killed by a signal, an
    error re-raised from a worker): its type and the first and last lines of its message."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if len(lines) > 1:
        text += " … " + lines[-1].strip()
    output.emit(
        '{"ev":"error","pid":%d,"t":%.6f,"loader":%s,"kind":%s,"message":%s}'
        % (output.pid, t, _i(loader_id), _s(type(exc).__name__), _s(text[:600])),
        urgent=True,
    )


def path_of(file_arg):
    """An absolute path for a str/bytes/PathLike argument, else None."""
    if isinstance(file_arg, (str, bytes, os.PathLike)):
        return os.path.abspath(os.fsdecode(os.fspath(file_arg)))
    return None
