"""Finds the call site in the user's code: the first frame outside torch and outside this hook."""

import os
import sys

_skip = [os.path.dirname(os.path.abspath(__file__)) + os.sep]


def skip_directory(path):
    """Frames from files under `path` (e.g. the torch package) are never a call site."""
    if path:
        _skip.append(os.path.dirname(os.path.abspath(path)) + os.sep)


def _skipped(filename):
    if filename.startswith("<frozen "):
        return True
    for prefix in _skip:
        if filename.startswith(prefix):
            return True
    return False


def user_site(constructed=None):
    """(file, line) of the nearest user frame, or (None, None).

    `constructed`: an object being initialised; the `__init__` frames of its own subclasses are
    skipped too, so `MyLoader(...)` points at the line that creates it, not at its super() call.
    """
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        filename = code.co_filename
        if not _skipped(filename) and not (
            constructed is not None
            and code.co_name == "__init__"
            and code.co_argcount > 0
            and frame.f_locals.get(code.co_varnames[0]) is constructed
        ):
            return os.path.abspath(filename) if not filename.startswith("<") else filename, frame.f_lineno
        frame = frame.f_back
    return None, None
