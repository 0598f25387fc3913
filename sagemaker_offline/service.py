"""The offline AWS: moto in-process for S3, SageMaker, CloudWatch Logs, IAM and STS, with the kit's runtime plugged
into moto's SageMaker responses so that training and transform jobs really run (docs/batch-transform-reference.md, section 9).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

OFFLINE_ROLE_NAME = "CourseSageMakerExecutionRole"
# SDK v2 reads this file: it turns telemetry off, so offline mode opens no network connection.
_TELEMETRY_OFF = "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n"
# How long a create call waits for a job that is not paced (pace_jobs=False), so a first status check sees the end.
QUICK_FINISH_SECONDS = 5.0
# With nobody polling (no SDK or waiter sleep for this long, in real seconds), offline time runs on its own 100x faster.
_IDLE_POLLER_SECONDS = 1.0
_NATURAL_FACTOR = 0.01


class ServiceClock:
    """The offline AWS's one clock, shared by the SDK's and botocore's polling and by the jobs' threads.

    Its time is the real time plus every second a poller's sleep skipped. A job waits on it for the minutes AWS
    spends (provisioning, image download); a poller's sleep advances it and returns once every job has caught up,
    so what the SDK prints after each poll is the same from run to run, in the order AWS shows it."""

    def __init__(self, real_time_module=time):
        self._time = real_time_module
        self._skipped = 0.0
        self._latest = float("-inf")
        self._busy = 0
        self._last_poll = float("-inf")
        self._pollers = 0  # pollers inside advance(), waiting for the jobs to catch up
        self._gates: dict[int, tuple[float, Any]] = {}  # a waiting job's token -> (its service time, its stop event)
        self._cond = threading.Condition()

    def time(self) -> float:
        """Never earlier than a time it already gave: after a poller's wait the real seconds it waited are taken back
        off (see advance), and until real time has made them up the clock stands at the latest stamp, so a job created
        after another ended never gets an earlier CreationTime (AWS never shows one)."""
        with self._cond:
            self._latest = max(self._time.time() + self._skipped, self._latest)
            return self._latest

    def advance(self, seconds: float, real_seconds: float) -> None:
        """A poller sleeps `seconds`: skip them, then wait (up to 10 real minutes) until no job is mid-step."""
        if real_seconds > 0:
            self._time.sleep(real_seconds)
        deadline = self._time.monotonic() + 600
        waited_from = self._time.monotonic()
        with self._cond:
            self._skipped += max(seconds - real_seconds, 0)
            self._pollers += 1
            self._cond.notify_all()
            try:
                while (self._busy or self._due()) and self._time.monotonic() < deadline:
                    self._cond.wait(0.5)
            finally:
                self._pollers -= 1
                self._last_poll = self._time.monotonic()
                # The real time spent waiting for the jobs' work is not service time: the poller's schedule stays
                # on its 10 s / 30 s grid, however long this machine took
                self._skipped -= self._last_poll - waited_from

    def _due(self) -> bool:
        """A job whose gate has opened but which has not woken up yet."""
        now = self.time()
        return any(when <= now or (stop is not None and stop.is_set()) for when, stop in self._gates.values())

    def job_started(self) -> None:
        with self._cond:
            self._busy += 1

    def job_ended(self) -> None:
        with self._cond:
            self._busy -= 1
            self._cond.notify_all()

    def wait_until(self, when: float, stop=None) -> None:
        """Block a job's thread until service time `when` (or a stop request); with no poller, time runs 100x."""
        start_real, start_service = self._time.monotonic(), self.time()
        token = object()
        with self._cond:
            self._busy -= 1
            self._gates[id(token)] = (when, stop)
            self._cond.notify_all()
            try:
                while self.time() < when and not (stop is not None and stop.is_set()):
                    now = self._time.monotonic()
                    if (not self._pollers and now - self._last_poll > _IDLE_POLLER_SECONDS
                            and now - start_real >= (when - start_service) * _NATURAL_FACTOR):
                        break
                    self._cond.wait(0.05)
            finally:
                del self._gates[id(token)]
                self._busy += 1


def _quiet_sdk_logs() -> None:
    """Before the first `import sagemaker`: the SDK logs at INFO where it looked for config files (this machine's paths)
    and that it will collect telemetry (it will not, offline); a learner's own logging levels are kept."""
    import logging

    for name in ("sagemaker.config", "sagemaker.telemetry.telemetry_logging"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


def _sdk_polling_modules() -> tuple[str, ...]:
    """The SDK modules whose `time` drives their status polling: v2 polls in sagemaker.session; v3 (the appendix,
    notebooks/A1_sdk_v3.ipynb) in the resources' wait() and the session helper's log tailing. None without an SDK."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        major = version("sagemaker").split(".")[0]
    except PackageNotFoundError:
        return ()
    if major == "2":
        return ("sagemaker.session",)
    # Not sagemaker.core.common_utils: it also stamps job names with time.time(), which must stay the real clock.
    return ("sagemaker.core.resources", "sagemaker.core.helper.session_helper", "sagemaker.core.transformer")


class CompressedClock:
    """Stands in for the `time` module inside the SDK's polling code: sleeps are cut short and the skipped time is
    added to `time()` (the ServiceClock's), so the SDK polls on its usual schedule without a learner waiting 5-30 s
    per poll offline."""

    def __init__(self, real_time_module, clock: ServiceClock | None = None, factor: float = 0.001,
                 longest_real_sleep: float = 0.01):
        self._time = real_time_module
        self._clock = clock or ServiceClock(real_time_module)
        self._factor = factor
        self._longest = longest_real_sleep

    def sleep(self, seconds: float) -> None:
        self._clock.advance(max(seconds, 0), min(max(seconds, 0) * self._factor, self._longest))

    def time(self) -> float:
        return self._clock.time()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._time, name)


class OfflineAWS:
    """One running offline AWS: the moto mock, the patches that make jobs run, and the runtime's scratch folder."""

    def __init__(self, region: str):
        self.region = region
        self.account_id = ""
        self.role_arn = ""
        self.workdir = Path()
        self._mock = None
        self.server = None  # the loopback server for the AWS CLI and other processes (sagemaker_offline/server.py)
        self.cli_environment: dict[str, str] = {}
        self._undo: list[Callable[[], None]] = []
        self.jobs: dict[tuple[str, str, str, str], Any] = {}  # (kind, account, region, name) -> runner state
        self.endpoints: dict[tuple[str, str, str], Any] = {}  # (account, region, name) -> endpoints.EndpointRun
        self.traces: dict[str, Any] = {}  # transform job name -> TransformTrace, for the parallel notebook
        self.quick_finish_seconds = QUICK_FINISH_SECONDS
        self.clock = ServiceClock(time)
        # Jobs go through AWS's phases on the service clock (status transitions, log streams appearing); tools that
        # time the runtime itself (make bench) turn this off.
        self.pace_jobs = True
        from sagemaker_offline.interrupts import Interrupts

        self.interrupts = Interrupts(self)

    # -- lifecycle ---------------------------------------------------------------------------------------------------
    def start(self) -> "OfflineAWS":
        from sagemaker_offline import scratch

        scratch.remove_orphans()  # what killed kernels left behind (never a live kernel's)
        self.workdir = Path(tempfile.mkdtemp(prefix=scratch.prefix()))
        config = self.workdir / "sagemaker-config.yaml"
        config.write_text(_TELEMETRY_OFF)
        self._set_env("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
        self._set_env("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
        self._set_env("AWS_DEFAULT_REGION", self.region)
        self._set_env("AWS_EC2_METADATA_DISABLED", "true")  # never ask an instance-metadata address for credentials
        # SDK v3's ModelTrainer.train and ModelBuilder.build check the role with IAM SimulatePrincipalPolicy, which moto
        # lacks; the SDK's own switch skips that check (the appendix, notebooks/A1_sdk_v3.ipynb).
        self._set_env("SAGEMAKER_VALIDATE_ROLE", "false")
        # moto must be started before any boto3 client exists, or that client talks to real AWS.
        from moto import mock_aws
        from moto.core import DEFAULT_ACCOUNT_ID

        self._mock = mock_aws()
        self._mock.start()
        self.account_id = DEFAULT_ACCOUNT_ID
        self._install_patches()
        _quiet_sdk_logs()
        self._ignore_configured_endpoints()
        self._compress_sdk_clock()
        self.role_arn = self._create_role()
        from sagemaker_offline.interrupts import install_in_ipython

        undo = install_in_ipython(self.interrupts)
        if undo is not None:
            self._undo.append(undo)
        self._serve_other_processes()
        return self

    def stop(self) -> None:
        for kind_key, runner in list(self.jobs.items()):
            stop = getattr(runner, "abandon", None)
            if stop:
                stop()
        from sagemaker_offline import script_training

        script_training.end_all()  # a script-mode job's script ends before stop() returns, not at its thread's next poll
        for endpoint in list(self.endpoints.values()):
            endpoint.abandon()  # every serving process ends with the offline AWS (no process left behind)
        self.endpoints.clear()
        if self.server is not None:
            self.server.stop()
            self.server = None
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _set_env(self, name: str, value: str) -> None:
        old = os.environ.get(name)
        os.environ[name] = value

        def undo() -> None:
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old

        self._undo.append(undo)

    def _unset_env(self, name: str) -> None:
        if name in os.environ:
            old = os.environ.pop(name)
            self._undo.append(lambda: os.environ.__setitem__(name, old))

    def _patch(self, owner: Any, name: str, value: Any) -> None:
        missing = object()
        old = owner.__dict__.get(name, missing) if isinstance(owner, type) else getattr(owner, name, missing)
        setattr(owner, name, value)

        def undo() -> None:
            if old is missing:
                delattr(owner, name)
            else:
                setattr(owner, name, old)

        self._undo.append(undo)

    def use_role_credentials(self, session_name: str = "SageMaker") -> None:
        """Call AWS as the offline role, as a notebook in SageMaker Studio calls as its execution role: the SDK's
        get_execution_role() then answers that role (for the `%load_ext` extension and helpers.course.testing)."""
        import boto3

        credentials = boto3.client("sts", region_name=self.region).assume_role(
            RoleArn=self.role_arn, RoleSessionName=session_name)["Credentials"]
        self._set_env("AWS_ACCESS_KEY_ID", credentials["AccessKeyId"])
        self._set_env("AWS_SECRET_ACCESS_KEY", credentials["SecretAccessKey"])
        self._set_env("AWS_SESSION_TOKEN", credentials["SessionToken"])
        boto3.DEFAULT_SESSION = None  # the default session caches the credentials it found first
        self._undo.append(lambda: setattr(boto3, "DEFAULT_SESSION", None))

    def _create_role(self) -> str:
        import boto3

        iam = boto3.client("iam", region_name=self.region)
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }
        role = iam.create_role(RoleName=OFFLINE_ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
        return role["Role"]["Arn"]

    def _ignore_configured_endpoints(self) -> None:
        """Clients in this process talk to the in-process moto, whatever AWS_ENDPOINT_URL or a config file says: the
        kit sets AWS_ENDPOINT_URL for child processes (the AWS CLI), and a learner's own endpoint must not be reached
        offline. An endpoint_url passed to boto3.client() by hand still counts."""
        from botocore.args import ClientArgsCreator

        self._patch(ClientArgsCreator, "_ignore_configured_endpoint_urls", lambda creator, client_config: True)

    def _serve_other_processes(self) -> None:
        """moto's server on 127.0.0.1, sharing this process's backends, and the environment that sends child
        processes there: `!aws ...` in a cell, or a terminal given `terminal_exports()`, reaches this offline AWS."""
        from sagemaker_offline import server

        self.server = server.LoopbackServer().start()
        config = server.write_cli_config(self.workdir / "aws-config", self.region)
        self.cli_environment = server.cli_variables(self.server.url, self.region, config)
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            self._unset_env(name)  # the learner's own profile or session would send the CLI elsewhere
        for name, value in self.cli_environment.items():
            self._set_env(name, value)
        from sagemaker_offline import aws_cli

        self._set_env("PATH", os.environ.get("PATH", ""))  # restored on stop
        aws_cli.put_kit_cli_on_path()

    def _compress_sdk_clock(self) -> None:
        import importlib

        import botocore.waiter

        self._patch(botocore.waiter, "time", CompressedClock(time, self.clock))
        for name in _sdk_polling_modules():
            self._patch(importlib.import_module(name), "time", CompressedClock(time, self.clock))

    # -- moto patches --------------------------------------------------------------------------------------------------
    def _install_patches(self) -> None:
        from moto.sagemaker.responses import SageMakerResponse

        from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

        from sagemaker_offline import api_support, endpoints, jobs

        for action, handler in jobs.response_handlers(self).items():
            self._patch(SageMakerResponse, action, handler)
        for action, handler in endpoints.response_handlers(self).items():
            self._patch(SageMakerResponse, action, jobs.logged_if_from_another_process(action, handler))
        for action, handler in endpoints.runtime_handlers(self).items():
            self._patch(SageMakerRuntimeResponse, action, handler)
        # what the runtime cannot run is refused with the reason, never answered with moto's canned success
        for operation, what in api_support.REFUSED.items():
            self._patch(SageMakerResponse, api_support.method_name(operation), api_support.refusing(operation, what))
        for operation, what in api_support.REFUSED_RUNTIME.items():
            self._patch(SageMakerRuntimeResponse, api_support.method_name(operation),
                        api_support.refusing(operation, what))
        # SDK v3 before sagemaker-core 2.27 checks the training role with IAM SimulatePrincipalPolicy (its
        # SAGEMAKER_VALIDATE_ROLE switch came later), which moto lacks: offline nothing is denied, so it answers so.
        from moto.iam.responses import IamResponse

        self._patch(IamResponse, "simulate_principal_policy", _simulate_principal_policy)


def _simulate_principal_policy(self):
    """IAM SimulatePrincipalPolicy as the offline AWS enforces IAM: every action on every resource is allowed."""
    from moto.core.responses import ActionResult

    actions = self._get_param("ActionNames") or []
    resources = self._get_param("ResourceArns") or ["*"]
    results = [{"EvalActionName": action, "EvalResourceName": resource, "EvalDecision": "allowed",
                "MatchedStatements": [], "MissingContextValues": []} for action in actions for resource in resources]
    return ActionResult({"EvaluationResults": results, "IsTruncated": False})
