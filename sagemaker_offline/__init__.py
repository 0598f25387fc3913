"""The offline AWS: `with sagemaker_offline.running(): ...` (or `with helpers.offline(): ...`) in scripts and tests,
`start()` / `stop()` in notebooks, and `%load_ext sagemaker_offline` (the course's name: `%load_ext helpers.offline`) as
the first cell of any SageMaker notebook (notebooks/A2_any_notebook_offline.ipynb).

Under it every boto3 client and SageMaker SDK session created afterwards talks to moto, and the runtime really runs
training and transform jobs with xgboost, as the built-in XGBoost container does (docs/offline-runtime.md). No account,
no Docker, no network. This package is the runtime layer: it imports nothing of the course (docs/architecture.md).
"""
from __future__ import annotations

import sys
import types
from contextlib import contextmanager
from typing import Iterator

from sagemaker_offline import guard, state

DEFAULT_REGION = "us-west-2"


def start(region: str = DEFAULT_REGION):
    """Start the offline AWS (once; a second call returns the one already running)."""
    if state.running is None:
        from sagemaker_offline.service import OfflineAWS

        guard.before_start()
        guard.latch()  # from now on nothing reaches AWS until allow_aws(), even after stop()
        state.running = OfflineAWS(region).start()
    return state.running


def stop() -> None:
    """Stop the offline AWS: running jobs are abandoned and every offline object is forgotten. Later requests are
    refused at once, sent nowhere, until start() again or allow_aws()."""
    if state.running is not None:
        aws, state.running = state.running, None
        aws.stop()
        guard.after_stop()


def allow_aws() -> None:
    """Switch to AWS on purpose: stop the offline AWS, and let requests reach AWS with the learner's own credentials."""
    stop()
    guard.allow_aws()


def is_running() -> bool:
    return state.running is not None


def current():
    """The running OfflineAWS, or None."""
    return state.current()


def cli_environment() -> dict[str, str]:
    """The variables that send an AWS CLI in another process to the running offline AWS (already set for the
    kernel's child processes, so `!aws ...` in a cell reaches it); notebook 03 uses the CLI this way."""
    if state.running is None:
        raise RuntimeError("The offline AWS is not running: run the notebook's setup cell (helpers.connect()) first.")
    return dict(state.running.cli_environment)


def terminal_exports() -> str:
    """`export ...` lines to paste into a terminal so that its `aws` commands reach this kernel's offline AWS."""
    import shlex

    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in cli_environment().items())


@contextmanager
def running(region: str = DEFAULT_REGION) -> Iterator:
    """Context manager form: the offline AWS for the duration of a `with` block, called as its SageMaker role (so
    `get_execution_role()` answers as in SageMaker Studio)."""
    aws = start(region)
    aws.use_role_credentials()
    try:
        yield aws
    finally:
        stop()


def load_ipython_extension(ipython) -> None:
    """`%load_ext sagemaker_offline`: the rest of the notebook, unchanged, talks to the offline AWS as a notebook in
    SageMaker Studio talks to its account: `sagemaker.Session()`, `default_bucket()`, `get_execution_role()`."""
    from sagemaker_offline import sdk_setup

    sdk_setup.check_python()
    sdk_setup.quiet_config_log()
    aws = start()
    aws.use_role_credentials()
    sdk_setup.prepare_sdk()  # IPython's own tracebacks instead of the SDK's rich ones (they print this machine's paths)
    print(f"SageMaker offline: every boto3 and SageMaker SDK call in this notebook goes to the offline AWS (region "
          f"{aws.region}, role {aws.role_arn.rsplit('/', 1)[-1]}); nothing reaches AWS or costs money. "
          "Delete the %load_ext line to run on your AWS account.")


def unload_ipython_extension(ipython) -> None:
    """`%unload_ext sagemaker_offline`: stop the offline AWS; later clients talk to AWS again (a switch on purpose)."""
    allow_aws()


class _CallableModule(types.ModuleType):
    """Lets `sagemaker_offline(...)` be the context manager while `sagemaker_offline.start()` stays a plain function."""

    def __call__(self, region: str = DEFAULT_REGION):
        return running(region)


sys.modules[__name__].__class__ = _CallableModule
