"""How the runtime's processes end: an instance that dies early fails its job with a reason naming this machine."""
from __future__ import annotations

import signal

from sagemaker_offline import processes


def test_an_instance_killed_by_the_machine_fails_the_job_naming_the_machine_not_the_service():
    process = processes.context().Process(target=signal.raise_signal, args=(signal.SIGKILL,),
                                          name="job-instance-1", daemon=True)
    process.start()
    process.join(60)
    reason = processes.ended_early_reason([process])
    assert reason.startswith("OfflineRuntimeError: the offline runtime's process job-instance-1 was killed by SIGKILL, "
                             "most often because this machine ran out of memory")
    assert "InternalServerError" not in reason and "fewer instances" in reason


def test_runtime_processes_ignore_the_interrupts_of_their_process_group():
    process = processes.context().Process(target=signal.raise_signal, args=(signal.SIGINT,), daemon=True)
    process.start()
    process.join(60)
    assert process.exitcode == 0  # a process that took the SIGINT would end with KeyboardInterrupt (exit code 1)


def test_an_instance_that_cannot_import_the_runtime_is_reported_as_such_not_as_memory():
    from types import SimpleNamespace

    from sagemaker_offline.processes import ended_early_reason

    ended = [SimpleNamespace(exitcode=1, name="agent-0")]
    reason = ended_early_reason(ended, probe=lambda: "ModuleNotFoundError: No module named 'sagemaker_offline'")
    assert "could not start" in reason and "No module named 'sagemaker_offline'" in reason
    assert "memory" not in reason and "fewer instances" not in reason
    assert "fewer instances" in ended_early_reason(ended, probe=lambda: None)  # importable: the old advice stands


def test_the_import_probe_finds_the_runtime_importable_here():
    from sagemaker_offline.processes import import_problem

    assert import_problem() is None
