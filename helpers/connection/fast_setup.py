"""Keeps every notebook's setup cell fast (`helpers.connect()` runs under `@fast_setup.setup_cell`).

Two costs of the setup cell are not the SDK's own work (tools/bench_setup.py measures the cell):
- Python's cycle collector. Importing the SDK, moto and pandas creates ~500,000 objects that live as long as the
  kernel, and the collector walks all of them in each of ~6 full collections while they are created: ~2-3 s of a
  ~9 s cell on a busy 2-core machine. The setup cell pauses it, then freezes what exists (gc.freeze), so later
  cells' collections skip the modules, classes and sessions too; a second setup cell unfreezes them first.
- rfc3987-syntax's grammars. `import sagemaker` imports jsonschema, whose format checkers import `rfc3987-syntax`
  when it is installed (JupyterLab's `jupyter-events` installs it through `jsonschema[format-nongpl]`). That import
  compiles about 40 lark grammars, ~0.75 s, for the "iri" format that only a validator with a format checker uses.
  `defer_iri_grammars()` puts a stand-in module there, so the grammars are built the first time an IRI is checked.
  The Jupyter server runs in its own process and is not affected; in the kernel, IRI checks still work, only later.
"""
from __future__ import annotations

import functools
import gc
import importlib
import importlib.util
import sys
import types

IRI_SYNTAX_MODULE = "rfc3987_syntax"


class _DeferredModule(types.ModuleType):
    """Stands in for a module until one of its names is used, then imports the real one and hands over to it."""

    def _real(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        object.__setattr__(self, "_loaded", real)
        return real

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        loaded = self.__dict__.get("_loaded") or self._real()
        return getattr(loaded, name)


class _DeferredIriSyntax(_DeferredModule):
    """jsonschema does `from rfc3987_syntax import is_valid_syntax` at import: give it a function that loads later."""

    def is_valid_syntax(self, term: str, value: str) -> bool:
        return self.__getattr__("is_valid_syntax")(term, value)


def defer_iri_grammars() -> bool:
    """Before the first `import sagemaker`: defer rfc3987-syntax's grammar build. True if a stand-in was installed
    (False when the package is absent or already imported, e.g. a second setup cell in the same kernel)."""
    if IRI_SYNTAX_MODULE in sys.modules or "jsonschema._format" in sys.modules:
        return False
    if importlib.util.find_spec(IRI_SYNTAX_MODULE) is None:
        return False
    sys.modules[IRI_SYNTAX_MODULE] = _DeferredIriSyntax(IRI_SYNTAX_MODULE)
    return True


def setup_cell(connect):
    """Decorator for `helpers.connect`: the IRI grammars deferred, the cycle collector paused while the SDK and the
    backend load, and what they loaded frozen out of later collections. The collector's state is restored on error."""

    @functools.wraps(connect)
    def fast_connect(*args, **kwargs):
        defer_iri_grammars()
        was_enabled = gc.isenabled()
        gc.unfreeze()  # a second setup cell: the first one's objects may be collected again
        gc.disable()
        try:
            course = connect(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()
        # No collection first: it would cost ~1 s to free ~7 MB of import-time garbage, which stays frozen instead.
        gc.freeze()
        return course

    return fast_connect
