"""The offline service clock: pollers skip time, jobs wait on it, and it never runs backwards."""
from __future__ import annotations

import threading
import time

from sagemaker_offline.service import ServiceClock


def _poll_while_a_job_works(clock: ServiceClock, work_seconds: float) -> tuple[float, float]:
    """A poller sleeps 30 s while a job spends real time on a step and stamps its end: (the job's stamp, the time after)."""
    stamped = []
    clock.job_started()

    def job():
        time.sleep(work_seconds)
        stamped.append(clock.time())  # e.g. TransformEndTime
        clock.job_ended()

    thread = threading.Thread(target=job)
    thread.start()
    clock.advance(30, 0.001)
    after = clock.time()
    thread.join()
    return stamped[0], after


def test_a_time_read_after_a_poll_is_never_before_a_stamp_made_during_it():
    """A job created right after a waiter saw another end gets a later CreationTime, as on AWS (before, the real seconds
    the poller waited were taken back off and the clock stood up to that long behind the end stamp)."""
    ended, after = _poll_while_a_job_works(ServiceClock(time), 0.3)
    assert after >= ended


def test_the_pollers_schedule_stays_on_its_grid_however_long_the_jobs_took():
    clock = ServiceClock(time)
    start = clock.time()
    _poll_while_a_job_works(clock, 0.3)
    time.sleep(0.35)  # real time makes up the wait
    clock.advance(30, 0.001)
    assert 60 <= clock.time() - start < 61.5  # two 30 s sleeps, plus the real time this test took
