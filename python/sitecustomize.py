"""trainio's entry point into a Python process (put this folder first on PYTHONPATH).

1. Arms the trainio hook (inert unless TRAINIO_HOOK_OUT is set and torch gets imported).
2. Takes this folder off sys.path again (the hook needs nothing more from it) and imports
   `sitecustomize` once more: the one Python would have run without trainio (yours, or your
   distribution's) runs, becomes sys.modules['sitecustomize'], and its errors are reported by Python
   exactly as they would be without trainio.
"""


def _trainio_arm():
    try:
        import trainio_hook

        trainio_hook.install()
    except Exception:
        pass


def _trainio_chain():
    import os
    import sys

    try:
        here = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
        sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != here]
        ours = sys.modules.pop("sitecustomize", None)
    except Exception:
        return
    try:
        import sitecustomize  # noqa: F401  (the next one on sys.path, if any)
    except ImportError as e:
        if e.name != "sitecustomize":
            raise
        if ours is not None:
            sys.modules["sitecustomize"] = ours  # there is no other one


_trainio_arm()
_trainio_chain()
