"""A meta-path finder that never imports anything itself: when one of the watched modules is about to
be imported, it finds the real spec through the other finders and arranges for a callback to run
right after the module has executed. Anything unexpected → it steps aside (returns None) and the
normal import machinery proceeds as if it were not there."""

import sys


class ImportWatch:
    def __init__(self, names, on_imported):
        self._names = frozenset(names)
        self._on_imported = on_imported
        self._busy = False

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self._names or self._busy:
            return None
        try:
            spec = self._find_real_spec(fullname, path, target)
            if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
                return None
            self._wrap_loader(spec.loader, fullname)
            return spec
        except Exception:
            return None

    def _find_real_spec(self, fullname, path, target):
        self._busy = True
        try:
            for finder in list(sys.meta_path):
                if finder is self:
                    continue
                find = getattr(finder, "find_spec", None)
                if find is None:
                    continue
                spec = find(fullname, path, target)
                if spec is not None:
                    return spec
            return None
        finally:
            self._busy = False

    def _wrap_loader(self, loader, fullname):
        original = loader.exec_module
        on_imported = self._on_imported

        def exec_module(module):
            try:
                del loader.exec_module  # back to the class's method for any later module
            except Exception:
                pass
            original(module)
            try:
                on_imported(fullname, module)
            except Exception:
                pass

        loader.exec_module = exec_module

    def uninstall(self):
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass


def install(names, on_imported):
    watch = ImportWatch(names, on_imported)
    sys.meta_path.insert(0, watch)
    return watch
