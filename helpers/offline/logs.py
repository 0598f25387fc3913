"""Container-style log lines in offline CloudWatch Logs, named as SageMaker names them, so `wait(logs=True)` prints them."""
from __future__ import annotations

import hashlib
import threading
import time
from datetime import datetime, timezone

TRAINING_GROUP = "/aws/sagemaker/TrainingJobs"
TRANSFORM_GROUP = "/aws/sagemaker/TransformJobs"


def instance_id(job_name: str, index: int) -> str:
    """A stable EC2-like instance id per job and instance, so log stream names repeat from run to run."""
    return "i-" + hashlib.sha1(f"{job_name}/{index}".encode()).hexdigest()[:17]


def iso_now() -> str:
    """The timestamp format of SageMaker's data-log lines, e.g. 2024-01-02T03:04:05.678."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


class LogStream:
    """One CloudWatch log stream of a job; thread-safe, events carry increasing millisecond timestamps."""

    def __init__(self, account_id: str, region: str, group: str, stream: str):
        from moto.logs.models import logs_backends

        self._backend = logs_backends[account_id][region]
        self.group, self.stream = group, stream
        self._lock = threading.Lock()
        self._last_ms = 0
        if group not in self._backend.groups:
            try:
                self._backend.create_log_group(group, {})
            except Exception:  # created meanwhile by another job's thread
                pass
        self._backend.create_log_stream(group, stream)

    def write(self, *messages: str) -> None:
        with self._lock:
            events = []
            for message in messages:
                for line in str(message).splitlines() or [""]:
                    ms = max(int(time.time() * 1000), self._last_ms)
                    self._last_ms = ms
                    events.append({"timestamp": ms, "message": line})
            if events:
                self._backend.put_log_events(self.group, self.stream, events)


def stream_name(job_name: str, index: int, epoch: int) -> str:
    """`<job-name>/<instance-id>-<epoch>`, the container stream of one instance (for training: `<job>/algo-1-<epoch>`)."""
    return f"{job_name}/{instance_id(job_name, index)}-{epoch}"
