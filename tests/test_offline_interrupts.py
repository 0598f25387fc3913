"""Interrupting and restarting a real kernel, as a learner does: "Interrupt kernel" during transform()'s create call
and during wait() stops the code, never the job (it runs on, findable, as on AWS), with one line; a restart or a
shutdown ends every process the offline AWS started."""
from __future__ import annotations

import re
import time
from pathlib import Path

import psutil
import pytest
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
import os, threading, time
import pandas as pd
import helpers
from helpers.course import data, models
from sagemaker.transformer import Transformer

course = helpers.connect("offline", quiet=True)
# PACING (set per test): paced jobs (the default) make the create call return at once, as on AWS; unpaced, it waits
# up to 5 s for a quick finish, the window in which an interrupt lands inside the create call.
helpers.offline.current().pace_jobs = PACING
course_data = models.upload_course_data(course)
model_data = models.train_course_model(course, course_data)
sm = course.sagemaker_client
sm.create_model(ModelName="slow-model", ExecutionRoleArn=course.role,
                PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": model_data})
# one request per record: a job that runs for many seconds on a few thousand rows
rows = pd.concat([course_data.test[data.FEATURES]] * 200)
course.s3_client.put_object(Bucket=course.bucket, Key="slow/in.csv", Body=rows.to_csv(header=False, index=False).encode())

def slow_transformer():
    return Transformer(model_name="slow-model", instance_count=1, instance_type="ml.m4.xlarge",
                       output_path=f"s3://{course.bucket}/slow/out", sagemaker_session=course.session,
                       strategy="SingleRecord", max_concurrent_transforms=1)

def say_when_created(name):  # test instrumentation: a line once the offline AWS holds the job
    def watch():
        while not any(key[-1] == name for key in helpers.offline.current().jobs):
            time.sleep(0.02)
        print("job-created", flush=True)
    threading.Thread(target=watch, daemon=True).start()

def statuses():
    return {j["TransformJobName"]: j["TransformJobStatus"] for j in sm.list_transform_jobs()["TransformJobSummaries"]}

print(os.getpid())
"""


class Kernel:
    """A real IPython kernel of this environment, driven as Jupyter drives it."""

    def __init__(self):
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=str(ROOT),
                                                     extra_arguments=["--IPKernelApp.log_level=ERROR"])

    def run(self, code: str, interrupt_after: str | None = None, delay: float = 0.0, timeout: float = 240) -> dict:
        """Execute a cell; with `interrupt_after`, interrupt the kernel `delay` s after that text appears in its output.
        Returns {"stdout": ..., "error": (ename, traceback lines) or None}."""
        msg_id = self.client.execute(code)
        stdout, error, deadline = "", None, time.time() + timeout
        while True:
            message = self.client.get_iopub_msg(timeout=max(deadline - time.time(), 1))
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream" and content["name"] == "stdout":
                stdout += content["text"]
                if interrupt_after and interrupt_after in stdout:
                    interrupt_after = None
                    time.sleep(delay)
                    self.manager.interrupt_kernel()
            elif kind == "error":
                error = (content["ename"], content["traceback"])
            elif kind == "status" and content["execution_state"] == "idle":
                return {"stdout": stdout, "error": error}

    def processes(self, pid: int) -> list[psutil.Process]:
        return psutil.Process(pid).children(recursive=True)

    def close(self):
        self.client.stop_channels()
        if self.manager.is_alive():
            self.manager.shutdown_kernel(now=True)


def all_gone(processes: list[psutil.Process], timeout: float = 20) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


@pytest.fixture(scope="module")
def kernel():
    kernel = Kernel()
    yield kernel
    kernel.close()


def one_line_interrupt(result: dict, job: str) -> None:
    assert result["error"] is not None, result
    ename, traceback = result["error"]
    assert ename == "KeyboardInterrupt"
    assert len(traceback) == 1, [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in traceback][-12:]  # one line, no traceback into the SDK or the kit
    assert f"the transform job '{job}' did not" in traceback[0] and "runs on, as on AWS" in traceback[0]


def test_interrupts_stop_the_code_not_the_job_and_a_restart_leaves_no_process(kernel):
    pid = int(kernel.run("PACING = False\n" + SETUP)["stdout"].split()[-1])

    # "Interrupt kernel" while transform() is inside its create call (the offline create waits for a quick finish)
    result = kernel.run('transformer = slow_transformer(); say_when_created("interrupted-create")\n'
                        'transformer.transform(f"s3://{course.bucket}/slow/in.csv", content_type="text/csv", '
                        'split_type="Line", job_name="interrupted-create", logs=False)',
                        interrupt_after="job-created", delay=0.5)
    one_line_interrupt(result, "interrupted-create")
    found = kernel.run("print(transformer.latest_transform_job.name, helpers.offline.current().interrupts.deferred, "
                       "statuses())")
    assert found["stdout"] == "interrupted-create 1 {'interrupted-create': 'InProgress'}\n", found

    # during the create call of transform(wait=False): the cell ends as it would on AWS, and one line says so
    result = kernel.run('second = slow_transformer(); say_when_created("interrupted-wait")\n'
                        'second.transform(f"s3://{course.bucket}/slow/in.csv", content_type="text/csv", '
                        'split_type="Line", job_name="interrupted-wait", wait=False, logs=False)',
                        interrupt_after="job-created", delay=0.5)
    assert result["error"] is None, result
    assert result["stdout"].splitlines()[-1].startswith(
        "KeyboardInterrupt: your code stopped, the transform job 'interrupted-wait' did not"), result

    # ... and during wait(): the SDK's handle waits again afterwards
    result = kernel.run('print("waiting", flush=True); second.wait(logs=False)', interrupt_after="waiting", delay=1.0)
    one_line_interrupt(result, "interrupted-wait")
    found = kernel.run("print(helpers.offline.current().interrupts.deferred, statuses()['interrupted-wait'])")
    assert found["stdout"] == "2 InProgress\n", found  # the last interrupt came during wait(), not a create call

    # a restart (the kernel is killed) while both jobs run: every process the offline AWS started ends with it
    started = kernel.processes(pid)
    assert len(started) >= 3, started  # the fork server and each job's instance agent and container worker
    kernel.manager.restart_kernel(now=True)
    assert all_gone(started) == []


@pytest.mark.parametrize("end", ["shutdown", "killed alone"])
def test_a_kernel_that_ends_while_a_job_runs_leaves_no_process(end):
    """Jupyter's "Shut Down Kernel" (a shutdown request), or the kernel killed by itself (the out-of-memory killer, a
    frontend that signals the kernel only): the offline processes end with it."""
    kernel = Kernel()
    try:
        pid = int(kernel.run("PACING = False\n" + SETUP)["stdout"].split()[-1])
        kernel.run('slow_transformer().transform(f"s3://{course.bucket}/slow/in.csv", content_type="text/csv", '
                   'split_type="Line", job_name="running-at-the-end", wait=False, logs=False)')
        started = kernel.processes(pid)
        assert len(started) >= 3, started
        if end == "shutdown":
            kernel.manager.shutdown_kernel(now=False)
        else:
            psutil.Process(pid).kill()
        assert all_gone(started) == []
    finally:
        kernel.close()


def test_an_interrupt_of_a_paced_transform_leaves_the_job_running_and_its_handle_set():
    """With the default pacing the create call returns at once (as on AWS), so "Interrupt kernel" lands in the SDK's
    wait(): the job runs on, transformer.latest_transform_job names it, and one line says so."""
    kernel = Kernel()
    try:
        kernel.run("PACING = True\n" + SETUP)
        result = kernel.run('transformer = slow_transformer(); say_when_created("paced-job")\n'
                            'transformer.transform(f"s3://{course.bucket}/slow/in.csv", content_type="text/csv", '
                            'split_type="Line", job_name="paced-job", logs=False)',
                            interrupt_after="job-created", delay=0.5)
        one_line_interrupt(result, "paced-job")
        found = kernel.run("print(transformer.latest_transform_job.name, helpers.offline.current().interrupts.deferred, "
                           "statuses())")
        assert found["stdout"] == "paced-job 0 {'paced-job': 'InProgress'}\n", found
    finally:
        kernel.close()
