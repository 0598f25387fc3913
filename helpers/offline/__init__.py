"""The offline AWS: `with helpers.offline(): ...` in scripts and tests, `helpers.offline.start()` / `.stop()` in notebooks,
and `%load_ext helpers.offline` as the first cell of any SageMaker notebook (notebooks/A2_any_notebook_offline.ipynb).

Under it every boto3 client and SageMaker SDK session created afterwards talks to moto, and the kit's runtime really
runs training and transform jobs with xgboost (docs/batch-transform-reference.md). No account, no Docker, no network.
"""
from __future__ import annotations

import sys
import types
from contextlib import contextmanager
from typing import Iterator

DEFAULT_REGION = "us-west-2"
_running = None


def start(region: str = DEFAULT_REGION):
    """Start the offline AWS (once; a second call returns the one already running)."""
    global _running
    if _running is None:
        from helpers.offline.service import OfflineAWS

        _running = OfflineAWS(region).start()
    return _running


def stop() -> None:
    """Stop the offline AWS: running jobs are abandoned and every offline object is forgotten."""
    global _running
    if _running is not None:
        aws, _running = _running, None
        aws.stop()


def is_running() -> bool:
    return _running is not None


def current():
    """The running OfflineAWS, or None."""
    return _running


def cli_environment() -> dict[str, str]:
    """The variables that send an AWS CLI in another process to the running offline AWS (already set for the
    kernel's child processes, so `!aws ...` in a cell reaches it); notebook 03 uses the CLI this way."""
    if _running is None:
        raise RuntimeError("The offline AWS is not running: run the notebook's setup cell (helpers.connect()) first.")
    return dict(_running.cli_environment)


def terminal_exports() -> str:
    """`export ...` lines to paste into a terminal so that its `aws` commands reach this kernel's offline AWS."""
    import shlex

    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in cli_environment().items())


@contextmanager
def running(region: str = DEFAULT_REGION) -> Iterator:
    """Context manager form: the offline AWS for the duration of a `with` block."""
    aws = start(region)
    try:
        yield aws
    finally:
        stop()


def load_ipython_extension(ipython) -> None:
    """`%load_ext helpers.offline`: the rest of the notebook, unchanged, talks to the offline AWS as a notebook in
    SageMaker Studio talks to its account: `sagemaker.Session()`, `default_bucket()`, `get_execution_role()`."""
    from helpers.backend import check_versions

    check_versions()  # SDK v2 (the kit's patches of the SDK are v2's): under v3 one line says which environment to use
    aws = start()
    aws.use_role_credentials()
    from helpers.backend import _prepare_sdk

    _prepare_sdk()  # IPython's own tracebacks instead of the SDK's rich ones (they print this machine's paths)
    print(f"SageMaker offline: every boto3 and SageMaker SDK call in this notebook goes to the offline AWS (region "
          f"{aws.region}, role {aws.role_arn.rsplit('/', 1)[-1]}); nothing reaches AWS or costs money. "
          "Delete the %load_ext line to run on your AWS account.")


def unload_ipython_extension(ipython) -> None:
    """`%unload_ext helpers.offline`: stop the offline AWS; later clients talk to AWS again."""
    stop()


class _CallableModule(types.ModuleType):
    """Lets `helpers.offline(...)` be the context manager while `helpers.offline.start()` stays a plain function."""

    def __call__(self, region: str = DEFAULT_REGION):
        return running(region)


sys.modules[__name__].__class__ = _CallableModule
