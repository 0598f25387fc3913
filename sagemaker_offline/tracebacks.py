"""Plain IPython error messages in the notebooks. Importing the SageMaker SDK (through sagemaker-core) installs rich's
traceback display, which ignores `%xmode Minimal` and prints this machine's library paths. Called by sdk_setup.prepare_sdk() (every course notebook's setup cell and `%load_ext`)."""
from __future__ import annotations

import sys

_RICH = "rich.traceback"
_SHELL_HOOKS = ("_showtraceback", "showtraceback", "showsyntaxerror")


def ipython_shell():
    """The running IPython shell (a notebook's kernel), or None in a plain script or without IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def use_ipython_tracebacks() -> bool:
    """Remove rich's hooks from the running IPython shell and sys.excepthook; False outside IPython.

    Only rich's own hooks are removed, so handlers set with `set_custom_exc` (AWS mode's error advice) keep working.
    """
    if getattr(sys.excepthook, "__module__", "") == _RICH:
        sys.excepthook = sys.__excepthook__
    shell = ipython_shell()
    if shell is None:
        return False
    for name in _SHELL_HOOKS:
        hook = shell.__dict__.get(name)
        if getattr(hook, "__module__", "") == _RICH:
            delattr(shell, name)  # the class's own method shows through again
    return True


def restore_mode_after_error_cells() -> bool:
    """An error cell that starts with `%xmode Minimal` (to show the lesson's error in one line) gives the traceback
    mode back after itself, so the learner's own later errors show their full traceback; False outside IPython.

    A cell holding only `%xmode ...`, which raises nothing, keeps its mode: that is the learner's own choice."""
    shell = ipython_shell()
    if shell is None:
        return False
    if getattr(shell, "_course_xmode_restorer", None):
        return True
    before = {}

    def remember(info) -> None:
        before["mode"] = shell.InteractiveTB.mode

    def restore(result) -> None:
        source = (result.info.raw_cell or "").lstrip() if result.info is not None else ""
        if source.startswith("%xmode") and not result.success and before.get("mode"):
            if shell.InteractiveTB.mode != before["mode"]:
                shell.InteractiveTB.set_mode(mode=before["mode"])  # what %xmode does, without its printed line

    shell.events.register("pre_run_cell", remember)
    shell.events.register("post_run_cell", restore)
    shell._course_xmode_restorer = True
    return True
