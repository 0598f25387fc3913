"""Offline CloudWatch Logs as SageMaker writes them: stream names per instance, and the line formats of the built-in
XGBoost container and of SageMaker's data-log, each stamped with the offline service clock. Sources of every line
format: docs/offline-runtime.md ("Log lines")."""
from __future__ import annotations

import hashlib
import threading
import time
from datetime import datetime, timezone

TRAINING_GROUP = "/aws/sagemaker/TrainingJobs"
TRANSFORM_GROUP = "/aws/sagemaker/TransformJobs"
PROCESSING_GROUP = "/aws/sagemaker/ProcessingJobs"  # the SDK's _logs_init: "/aws/sagemaker/" + "Processing" + "Jobs"
ENDPOINT_GROUP_PREFIX = "/aws/sagemaker/Endpoints/"  # + the endpoint's name: one group per endpoint
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def service_time() -> float:
    """Seconds since the epoch on the running offline AWS's clock (the real clock when none runs)."""
    from sagemaker_offline import state

    aws = state.current()
    return aws.clock.time() if aws is not None else time.time()


def service_datetime(seconds: float | None = None) -> datetime:
    """A naive UTC datetime on the service clock, as moto stores them."""
    return datetime.fromtimestamp(service_time() if seconds is None else seconds, timezone.utc).replace(tzinfo=None)


def instance_id(job_name: str, index: int) -> str:
    """A stable EC2-like instance id per job and instance, so log stream names repeat from run to run."""
    return "i-" + hashlib.sha1(f"{job_name}/{index}".encode()).hexdigest()[:17]


def transform_stream(job_name: str, index: int, epoch: int) -> str:
    """`<job>/<instance-id>-<epoch>`: the container's output on one transform instance."""
    return f"{job_name}/{instance_id(job_name, index)}-{epoch}"


def data_log_stream(job_name: str, index: int, epoch: int) -> str:
    """`<job>/<instance-id>-<epoch>/data-log`: what SageMaker's agent on that instance sent and got back."""
    return transform_stream(job_name, index, epoch) + "/data-log"


def endpoint_group(endpoint_name: str) -> str:
    """`/aws/sagemaker/Endpoints/<endpoint>`: the group AWS's ModelError message links to (tests/reference/aws/endpoints.json)."""
    return ENDPOINT_GROUP_PREFIX + endpoint_name


def endpoint_stream(endpoint_name: str, variant: str, index: int) -> str:
    """`<variant>/<instance-id>` (AllTraffic/i-0123...): one stream per instance behind the endpoint's variant."""
    return f"{variant}/{instance_id('endpoint/' + endpoint_name, index)}"


def training_stream(job_name: str, host: int, epoch: int) -> str:
    """`<job>/algo-<n>-<epoch>`: the training container's output on host algo-<n> (n from 1)."""
    return f"{job_name}/algo-{host}-{epoch}"


def processing_stream(job_name: str, host: int, epoch: int) -> str:
    """`<job>/algo-<n>-<epoch>`: the processing container's output on host algo-<n>, as a real job's stream is named
    (`papermill-powers-2020-11-07-00-49-42/algo-1-1604710358`, aws-samples/sagemaker-run-notebook#11)."""
    return f"{job_name}/algo-{host}-{epoch}"


# -- line formats (each takes the service time of the line) -----------------------------------------------------------
def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def container_line(seconds: float, message: str, level: str = "INFO") -> str:
    """The container's own logger (algorithm_mode/integration.py): `[2024-11-10:14:22:54:INFO] message`."""
    return f"[{_utc(seconds):%Y-%m-%d:%H:%M:%S}:{level}] {message}"


def gunicorn_line(seconds: float, pid: int, message: str) -> str:
    """gunicorn's error log: `[2024-11-10 14:22:55 +0000] [18] [INFO] Starting gunicorn 19.10.0`."""
    return f"[{_utc(seconds):%Y-%m-%d %H:%M:%S} +0000] [{pid}] [INFO] {message}"


# Who sends the container its requests, as nginx logs them: a transform job's agent (169.254.255.130, Go client, in
# tests/reference/aws/transform-1.0-1-sdk2-2024-transform.txt), an endpoint's front end (10.32.0.2, "AHC/2.0", in
# tests/reference/aws/endpoints.json "access_line").
TRANSFORM_CLIENT = ("169.254.255.130", "Go-http-client/1.1")
ENDPOINT_CLIENT = ("10.32.0.2", "AHC/2.0")


def access_line(seconds: float, method: str, path: str, status: int, size: int,
                client: tuple[str, str] = TRANSFORM_CLIENT) -> str:
    """nginx's `combined` access log line for one request from SageMaker (a transform's agent by default)."""
    t = _utc(seconds)
    stamp = f"{t.day:02d}/{_MONTHS[t.month - 1]}/{t.year}:{t:%H:%M:%S} +0000"
    return f'{client[0]} - - [{stamp}] "{method} {path} HTTP/1.1" {status} {size} "-" "{client[1]}"'


def data_log_line(seconds: float, message: str) -> str:
    """SageMaker's data-log: `2024-11-10T14:23:01.484:[sagemaker logs]: message`."""
    return f"{_utc(seconds):%Y-%m-%dT%H:%M:%S}.{int(seconds * 1000) % 1000:03d}:[sagemaker logs]: {message}"


def render(seconds: float, event: tuple) -> list[str]:
    """One event an instance process reports, as the lines CloudWatch gets: ("container", level, text),
    ("gunicorn", pid, text), ("access", method, path, status, size), ("data", text) or ("raw", text)."""
    kind = event[0]
    if kind == "container":
        first, *rest = str(event[2]).split("\n")
        return [container_line(seconds, first, event[1])] + rest
    if kind == "gunicorn":
        return [gunicorn_line(seconds, event[1], event[2])]
    if kind == "access":
        return [access_line(seconds, *event[1:])]
    if kind == "endpoint-access":
        return [access_line(seconds, *event[1:], client=ENDPOINT_CLIENT)]
    if kind == "data":
        return [data_log_line(seconds, event[1])]
    return str(event[1]).split("\n")


class HeldLines:
    """A container's lines, stamped when written and put into its stream only when AWS would show them (publish)."""

    def __init__(self, stream: "LogStream"):
        self.stream = stream
        self._lines: list[tuple[float, str]] = []

    def write(self, line: str) -> None:
        self._lines.append((service_time(), line))

    def publish(self) -> None:
        for seconds, line in self._lines:
            self.stream.write_lines([line], seconds)
        self._lines.clear()


class LogStream:
    """One CloudWatch log stream of a job, created by its first write (as a container's first output creates it on
    AWS); thread-safe; events carry increasing millisecond timestamps on the service clock."""

    def __init__(self, account_id: str, region: str, group: str, stream: str):
        from moto.logs.models import logs_backends

        self._backend = logs_backends[account_id][region]
        self.group, self.stream = group, stream
        self._lock = threading.Lock()
        self._last_ms = 0
        self.created = False
        self.delivery_time: float | None = None  # when set, the CloudWatch timestamp of every event written from now

    def _create(self) -> None:
        if self.group not in self._backend.groups:
            try:
                self._backend.create_log_group(self.group, {})
            except Exception:  # created meanwhile by another job's thread
                pass
        self._backend.create_log_stream(self.group, self.stream)
        self.created = True

    def write(self, *messages: str, seconds: float | None = None) -> None:
        """Plain lines (CloudWatch keeps no empty event, so empty lines are dropped as on AWS)."""
        self.write_lines([line for message in messages for line in str(message).splitlines()], seconds)

    def write_lines(self, lines: list[str], seconds: float | None = None) -> None:
        with self._lock:
            if self.delivery_time is not None:
                seconds = self.delivery_time
            ms = max(int((service_time() if seconds is None else seconds) * 1000), self._last_ms)
            self._last_ms = ms
            events = [{"timestamp": ms, "message": line} for line in lines if line.strip()]
            if events:
                if not self.created:
                    self._create()
                self._backend.put_log_events(self.group, self.stream, events)

    def write_events(self, events: list[tuple], seconds: float | None = None) -> None:
        """Events as `render` takes them, all stamped with one service time."""
        seconds = service_time() if seconds is None else seconds
        self.write_lines([line for event in events for line in render(seconds, event)], seconds)  # text: real time
