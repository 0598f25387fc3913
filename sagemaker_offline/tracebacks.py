"""Plain IPython error messages in the notebooks. Importing the SageMaker SDK (through sagemaker-core) installs rich's
traceback display, which ignores `%xmode Minimal` and prints this machine's library paths. Called by sdk_setup.prepare_sdk() (every course notebook's setup cell and `%load_ext`)."""
from __future__ import annotations

import sys

_RICH = "rich.traceback"
_SHELL_HOOKS = ("_showtraceback", "showtraceback", "showsyntaxerror")


def use_ipython_tracebacks() -> bool:
    """Remove rich's hooks from the running IPython shell and sys.excepthook; False outside IPython.

    Only rich's own hooks are removed, so handlers set with `set_custom_exc` (AWS mode's error advice) keep working.
    """
    if getattr(sys.excepthook, "__module__", "") == _RICH:
        sys.excepthook = sys.__excepthook__
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    for name in _SHELL_HOOKS:
        hook = shell.__dict__.get(name)
        if getattr(hook, "__module__", "") == _RICH:
            delattr(shell, name)  # the class's own method shows through again
    return True
