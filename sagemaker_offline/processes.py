"""The runtime's instance processes (started by sagemaker_offline/transform.py): they never import the learner's main
module, so a plain script without `if __name__ == "__main__":` runs its body once, and they end with the kernel or
script that started them, even one that is killed (a kernel restart), as a job's instances end with its account."""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import multiprocessing.forkserver
import multiprocessing.popen_forkserver
import multiprocessing.spawn
import os
import signal
import threading

# The modules the fork server imports once, so each instance starts with the container's libraries loaded.
PRELOAD = ["sagemaker_offline.instance", "sagemaker_offline.xgboost_container"]

_launching = threading.local()  # set while this thread starts a runtime process: its preparation data skips main


def _without_main(original):
    """multiprocessing tells a new process to re-run the parent's main module (a script's whole body when it has no
    main guard); the runtime's processes run functions of sagemaker_offline.instance only, so they are told not to."""

    def get_preparation_data(name):
        data = original(name)
        if getattr(_launching, "runtime", False):
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    get_preparation_data.course_runtime = True
    return get_preparation_data


def _install() -> None:
    if not getattr(multiprocessing.spawn.get_preparation_data, "course_runtime", False):
        multiprocessing.spawn.get_preparation_data = _without_main(multiprocessing.spawn.get_preparation_data)


class _Popen(multiprocessing.popen_forkserver.Popen):
    def _launch(self, process_obj):
        _launching.runtime = True
        try:
            super()._launch(process_obj)
        finally:
            _launching.runtime = False


def _exit_with_parent() -> None:
    """End this process as soon as the process that started it is gone (killed kernel, Ctrl-C'd script): nothing else
    would, since its queues never close while it holds both of their ends."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class RuntimeProcess(multiprocessing.context.ForkServerProcess):
    """An instance's agent or container worker: forked from the fork server, without the learner's main module."""

    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)

    def run(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # if the fork server was started by other code, see below
        _exit_with_parent()
        super().run()


class RuntimeContext(multiprocessing.context.ForkServerContext):
    Process = RuntimeProcess


def context() -> RuntimeContext:
    """The multiprocessing context transform jobs start their instances with."""
    _install()
    ctx = RuntimeContext()
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start_fork_server() -> None:
    """Start the fork server from the main thread with SIGINT ignored, which it and every instance it forks inherit:
    Jupyter's "Interrupt kernel" and a terminal's Ctrl-C signal the kernel's whole process group, and on AWS a
    learner's interrupt never reaches a job's instances. Called by each create call (sagemaker_offline/jobs.py)."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may change signal handlers; RuntimeProcess.run still ignores SIGINT
    multiprocessing.forkserver.set_forkserver_preload(PRELOAD)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def import_problem() -> str | None:
    """Why a new process cannot import the runtime, or None: the last line of the error a fresh interpreter with this
    process's import path gets (a file or folder of the learner's named like the runtime, a broken install)."""
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "-c", "import " + ", ".join(PRELOAD)], capture_output=True, text=True,
                          env=env, cwd=os.getcwd(), timeout=120)
    if done.returncode == 0:
        return None
    lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {done.returncode}"


def ended_early_reason(processes, probe=import_problem) -> str:
    """The FailureReason of a job whose instance process ended before its objects did: the cause is this machine or the
    runtime, never the service, and the reason says so and what to change."""
    import signal

    ended = [p for p in processes if p.exitcode]
    if ended and ended[0].exitcode == 1 and (problem := probe()):
        return (f"OfflineRuntimeError: the offline runtime's process {ended[0].name} could not start: a new process "
                f"cannot import the runtime ({problem}). Check that no file or folder of yours is named like a module "
                "it imports, and that the kit is installed in this kernel's environment.")
    if not ended:
        how = "ended without a word"
    elif ended[0].exitcode < 0:
        number = -ended[0].exitcode
        name = signal.Signals(number).name if number in signal.valid_signals() else f"signal {number}"
        how = f"was killed by {name}"
        if number == signal.SIGKILL:
            how += ", most often because this machine ran out of memory"
    else:
        how = f"ended with exit code {ended[0].exitcode}"
    which = ended[0].name if ended else "an instance"
    return (f"OfflineRuntimeError: the offline runtime's process {which} {how} before finishing its objects. Offline, "
            "every instance shares this one machine's memory and CPUs: use fewer instances or smaller input objects, "
            "or run the job on AWS.")
