"""pytest fixtures for testing one's own SageMaker code offline: the offline AWS for the test session, a
`sagemaker.Session()` on it, its role, its default bucket and an S3 prefix per test.

Installed as a pytest plugin (pyproject.toml's pytest11 entry point `sagemaker-offline`). By default the offline AWS
starts before any test module is imported and serves the whole session, so no test reaches AWS, whatever the order
the tests run in and whichever fixtures they ask for (a module-level `boto3.client(...)` included). A session that
wants real AWS opts out: `pytest -p no:sagemaker-offline`. `--sagemaker-offline=fixtures` (or the ini option
`sagemaker_offline = fixtures`) starts it only for tests that ask for a fixture. Give each test its own S3 prefix
(`offline_prefix`) and job names so tests do not see each other's objects.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest


MODES = ("session", "fixtures")


def pytest_addoption(parser) -> None:
    parser.addoption("--sagemaker-offline", choices=MODES, default=None,
                     help="session (default): the offline AWS serves the whole test session, from before collection; "
                          "fixtures: only tests that ask for an offline fixture. -p no:sagemaker-offline: none.")
    parser.addini("sagemaker_offline", "session (default) or fixtures: see --sagemaker-offline", default="session")


def _mode(config) -> str:
    mode = config.getoption("--sagemaker-offline") or config.getini("sagemaker_offline") or "session"
    if mode not in MODES:
        raise pytest.UsageError(f"sagemaker_offline = {mode!r}: use one of {', '.join(MODES)}, "
                                "or -p no:sagemaker-offline for a session on real AWS.")
    return mode


def pytest_configure(config) -> None:
    """Start the offline AWS before any test module is imported, so that its import-time clients are offline too."""
    if _mode(config) == "session":
        import sagemaker_offline as offline

        config._sagemaker_offline_started = not offline.is_running()
        offline.start().use_role_credentials()


def pytest_unconfigure(config) -> None:
    if getattr(config, "_sagemaker_offline_started", False):
        import sagemaker_offline as offline

        offline.stop()


@pytest.fixture(scope="session")
def offline_aws(request) -> Iterator[Any]:
    """The offline AWS for the test session, called as its role (so `get_execution_role()` answers it)."""
    import sagemaker_offline as offline

    if offline.is_running():
        yield offline.current()  # started for the whole session (the default), or by the code under test
        return
    aws = offline.start()
    aws.use_role_credentials()
    yield aws
    offline.stop()


@pytest.fixture(scope="session")
def offline_session(offline_aws):
    """A SageMaker SDK session on the offline AWS, as a notebook makes one: `sagemaker.Session()` under SDK v2,
    `sagemaker.core.helper.session_helper.Session()` under v3."""
    from sagemaker_offline import sdk_setup

    sdk_setup.quiet_config_log()
    if sdk_setup.sdk_version().startswith("3."):
        from sagemaker.core.helper.session_helper import Session
    else:
        from sagemaker import Session
    sdk_setup.prepare_sdk()
    return Session()


@pytest.fixture(scope="session")
def offline_role(offline_aws) -> str:
    """The ARN of the offline AWS's SageMaker execution role."""
    return offline_aws.role_arn


@pytest.fixture(scope="session")
def offline_bucket(offline_session) -> str:
    """The session's default bucket, `sagemaker-<region>-<account>`, created on first use as on AWS."""
    return offline_session.default_bucket()


@pytest.fixture
def offline_prefix(request, offline_bucket) -> str:
    """An S3 prefix of this test's own, e.g. `tests/test_scores_every_row`: objects of other tests are not under it."""
    return "tests/" + re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
