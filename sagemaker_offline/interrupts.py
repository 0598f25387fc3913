"""Ctrl-C and "Interrupt kernel" as on AWS: they stop the learner's code (an SDK create call, its wait), never a job,
which runs on and stays findable (list_transform_jobs, the SDK's latest_transform_job); one line says so.

Offline a create call also waits a few seconds for a small job to end (sagemaker_offline/jobs.py), which AWS does not:
an interrupt there ends that wait, the create returns as it would on AWS, and the interrupt is raised at the next
describe of the job (the SDK's wait(), once it holds the job's handle) or reported when the cell ends."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


class Interrupts:
    """The interrupts of one offline AWS: those held back during create calls, and the one-line report."""

    def __init__(self, aws):
        self.aws = aws
        self.pending: tuple[int, str, str] | None = None  # (thread, kind, job name) of a create that was interrupted
        self.deferred = 0  # how many interrupts arrived during a create call (the tests read it)

    @contextmanager
    def held(self, kind: str, name: str) -> Iterator[threading.Event]:
        """Hold back SIGINT for the body of a create call, so the job is created whole; the event tells the body an
        interrupt came (to stop waiting for a quick finish)."""
        interrupted = threading.Event()
        if threading.current_thread() is not threading.main_thread():  # signals only ever interrupt the main thread
            yield interrupted
            return
        previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, lambda *_: interrupted.set())
        try:
            yield interrupted
        finally:
            signal.signal(signal.SIGINT, previous)
        if interrupted.is_set():
            self.deferred += 1
            self.pending = (threading.get_ident(), kind, name)

    def deliver(self) -> None:
        """Raise the interrupt held back during this thread's create call (called as a describe call starts)."""
        if self.pending is not None and self.pending[0] == threading.get_ident():
            self.pending = None
            raise KeyboardInterrupt

    def running_jobs(self) -> list[tuple[str, str]]:
        """(kind, name) of the offline jobs still running, newest last."""
        return [(kind, name) for (kind, _, _, name), runner in list(self.aws.jobs.items()) if runner.thread.is_alive()]

    def report(self, jobs: list[tuple[str, str]]) -> str:
        kind, name = jobs[-1]
        again = {"transform": "transformer.wait()", "processing": "processor.latest_job.wait()"}.get(
            kind, "estimator.latest_training_job.wait()")
        stop = f"stop_{kind}_job({kind.title()}JobName='{name}')"
        others = f" ({len(jobs) - 1} more still running)" if len(jobs) > 1 else ""
        return (f"KeyboardInterrupt: your code stopped, the {kind} job {name!r} did not{others}: it runs on, as on AWS. "
                f"{again} waits again; sagemaker_client.{stop} stops it.")


def install_in_ipython(interrupts: Interrupts):
    """In IPython, the one-line report for an interrupt while offline jobs run (other errors keep their handlers);
    returns the undo, or None outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None:
        return None
    previous_types, previous_handler = shell.custom_exceptions, shell.CustomTB

    def show(shell, etype, evalue, tb, tb_offset=None):
        jobs = interrupts.running_jobs() if issubclass(etype, KeyboardInterrupt) else []
        if jobs:
            interrupts.pending = None
            shell._showtraceback(etype, evalue, [interrupts.report(jobs)])
        elif previous_types and issubclass(etype, previous_types):
            previous_handler(etype, evalue, tb, tb_offset)
        else:
            shell.showtraceback((etype, evalue, tb), tb_offset=tb_offset)

    def after_cell(result) -> None:
        """An interrupted create whose cell ended with no wait: say that the job was created and runs on."""
        pending, interrupts.pending = interrupts.pending, None
        if pending is not None and result.error_in_exec is None and pending[1] == "endpoint":
            print(f"KeyboardInterrupt: the endpoint {pending[2]!r} was created before your interrupt, as it would be "
                  "on AWS: it goes on to InService, and on AWS bills by the hour until you delete it.")
        elif pending is not None and result.error_in_exec is None:
            jobs = interrupts.running_jobs()
            print(interrupts.report(jobs) if jobs else f"KeyboardInterrupt: the {pending[1]} job {pending[2]!r} was "
                  "created before your interrupt, as it would be on AWS, and has already ended.")

    shell.set_custom_exc(tuple(previous_types) + (KeyboardInterrupt,), show)
    shell.events.register("post_run_cell", after_cell)

    def undo() -> None:
        shell.events.unregister("post_run_cell", after_cell)
        if shell.custom_exceptions and KeyboardInterrupt in shell.custom_exceptions:
            shell.custom_exceptions, shell.CustomTB = previous_types, previous_handler

    return undo
