"""sagemaker_offline.tracebacks undoes rich's traceback hooks, so %xmode and plain error messages work again in notebooks."""
import subprocess
import sys

# Fresh interpreters: an IPython shell and rich's hooks are process-wide state that must not leak into other tests.
IN_IPYTHON = r"""
from IPython.core.interactiveshell import InteractiveShell
from sagemaker_offline.tracebacks import use_ipython_tracebacks

shell = InteractiveShell.instance()
shell.run_cell("import rich.traceback; rich.traceback.install()")  # rich finds the shell only inside a cell
assert "_showtraceback" in shell.__dict__, "rich did not hook the shell: the test no longer tests anything"
custom = []
shell.set_custom_exc((KeyError,), lambda *args, **kwargs: custom.append(1))
assert use_ipython_tracebacks()
assert not {"_showtraceback", "showtraceback", "showsyntaxerror"} & set(shell.__dict__), shell.__dict__.keys()
shell.run_cell("%xmode Minimal")
result = shell.run_cell("1/0")
assert isinstance(result.error_in_exec, ZeroDivisionError)
shell.run_cell("{}['x']")
assert custom == [1], "a set_custom_exc handler must survive"
print("ok")
"""

OUTSIDE_IPYTHON = r"""
import sys
import rich.traceback
from sagemaker_offline.tracebacks import use_ipython_tracebacks

rich.traceback.install()
assert sys.excepthook is not sys.__excepthook__
assert use_ipython_tracebacks() is False
assert sys.excepthook is sys.__excepthook__
print("ok")
"""


def run(script: str) -> str:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_rich_hooks_removed_from_ipython_and_custom_handlers_kept():
    out = run(IN_IPYTHON)
    assert out.strip().endswith("ok")
    assert "ZeroDivisionError" in out
    assert "Traceback (most recent call last)" not in out  # %xmode Minimal works again: one line, no frames


def test_rich_excepthook_removed_outside_ipython():
    assert run(OUTSIDE_IPYTHON).strip() == "ok"
