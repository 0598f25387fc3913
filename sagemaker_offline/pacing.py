"""How offline jobs move through time: the thread a job runs in, the service-clock gate between AWS's phases, and the
creation-second hold. Shared by the job handlers (jobs.py) and the transform runtime (transform.py)."""
from __future__ import annotations

import calendar
import threading
import time
from typing import Callable


def offline_images_message() -> str:
    return ("The offline runtime runs the built-in XGBoost images only: image_uris.retrieve('xgboost', region, "
            "version) with a version such as '1.7-1' (the legacy 'latest'/'1' too).")


def hold_past_creation_second(created: float) -> None:
    """A job never ends in the second it was created in. On AWS a job lasts minutes, so a name made to the second after
    wait() (public notebooks' "Batch-Transform-" + strftime("%Y-%m-%d-%H-%M-%S", gmtime())) is always new; offline a
    small job ends within the second, and the next cell's name would be refused as already in use. `created` is real
    time (time.time()), never the service clock. gmtime() and strftime() without a time read C's time(), which glibc
    serves from a coarse clock up to a tick (a few ms) behind time.time(), so the hold waits until that clock too has
    passed the second."""
    boundary = int(created) + 1
    while (remaining := boundary - time.time()) > 0:
        time.sleep(remaining + 0.001)
    while calendar.timegm(time.gmtime()) < boundary:
        time.sleep(0.002)


class JobThread:
    """The background run of one job; `abandon` lets a stopping offline AWS end it without waiting."""

    def __init__(self, target: Callable[[], None], name: str, clock=None, paced: bool = True):
        self.stop_requested = threading.Event()
        # an unpaced job runs straight through: the service clock neither waits for it nor gates it
        self._target, self._clock = target, (clock if paced else None)
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.paced = paced  # read by gate(), which runs in this thread

    def _run(self) -> None:
        try:
            self._target()
        finally:
            if self._clock is not None:
                self._clock.job_ended()

    def start(self, wait_seconds: float, interrupted: threading.Event | None = None) -> None:
        """Start the job and wait up to `wait_seconds` for it to end, unless the learner interrupts the wait."""
        if self._clock is not None:
            self._clock.job_started()  # before the create call returns, so the SDK's first sleep waits for it
        self.thread.start()
        deadline = time.monotonic() + wait_seconds
        while wait_seconds and self.thread.is_alive() and not (interrupted is not None and interrupted.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.thread.join(min(left, 0.05))


    def abandon(self) -> None:
        self.stop_requested.set()


def is_paced(aws, response) -> bool:
    """Whether a new job goes through AWS's phases on the service clock. A request that came through the loopback
    server (the AWS CLI, whose waiter sleeps 60 real seconds between checks in its own process, so nothing in this
    process moves the clock) runs unpaced: its create call waits up to quick_finish_seconds for the end, so the CLI's
    first check already sees it, as the SDK's does. So does every job when pacing is off (make bench)."""
    return aws.pace_jobs and not getattr(response, "is_werkzeug_request", False)


def gate(aws, when: float, stop: threading.Event | None = None) -> None:
    """Wait for service time `when` when jobs are paced (the default), else go on at once."""
    if aws.pace_jobs and getattr(threading.current_thread(), "paced", True):
        aws.clock.wait_until(when, stop)
