"""trainio's in-process hook: times the DataLoader and torch.save inside a training job.

Loaded by the sitecustomize.py next to this package when trainio puts that folder first on
PYTHONPATH. Inert unless TRAINIO_HOOK_OUT is set AND the program imports torch; it never imports
torch itself. Events are JSON lines appended to TRAINIO_HOOK_OUT (see python/README.md).
Environment:
    TRAINIO_HOOK_OUT        file (or FIFO) to append events to
    TRAINIO_HOOK_DATASETS   os.pathsep-separated directories: count open() of files under them
"""

import os
import sys

__all__ = ["install"]

_WATCHED = ("torch", "torch.utils.data.dataloader", "torch.serialization")
_watch = None


def install():
    """Arms the hook if TRAINIO_HOOK_OUT is set. Never raises."""
    global _watch
    try:
        out = os.environ.get("TRAINIO_HOOK_OUT")
        if not out or _watch is not None:
            return
        from . import importwatch

        _watch = importwatch.install(_WATCHED, _on_imported)
        if "torch" in sys.modules:  # installed late (e.g. imported by hand)
            _on_imported("torch", sys.modules["torch"])
    except Exception:
        pass


def _activate(torch_module):
    from . import callsite, events, output, state

    output.configure(os.environ["TRAINIO_HOOK_OUT"])
    output.install_exit_hooks()
    callsite.skip_directory(getattr(torch_module, "__file__", None))
    state.enable()
    events.hello(getattr(torch_module, "__version__", None))
    datasets = [d for d in os.environ.get("TRAINIO_HOOK_DATASETS", "").split(os.pathsep) if d]
    if datasets:
        from . import patches

        patches.patch_open(datasets)


def _on_imported(name, module):
    from . import patches, state

    try:
        if name == "torch":
            _activate(module)
        if not state.on:
            return
        dataloader = sys.modules.get("torch.utils.data.dataloader")
        if dataloader is not None:
            patches.patch_dataloader(dataloader)
        serialization = sys.modules.get("torch.serialization")
        if serialization is not None:
            patches.patch_save(sys.modules.get("torch"), serialization)
        if {"dataloader", "save"} <= patches._patched and _watch is not None:
            _watch.uninstall()
    except Exception:
        state.disable()
