"""Wait for jobs a notebook started earlier: on AWS each job spends minutes starting its instances, so a notebook starts
its independent jobs side by side and waits for each only where it reads the result (notebook 04; tools/aws_run_plan.py
and tests/test_notebook_requests.py check that no job waits for one it does not need).

Built on boto3 and botocore's own waiters only, so the SDK v2 and v3 notebooks call the same functions:
`wait_for(course.sagemaker_client, name, ...)`. A job that fails raises the waiter's own WaiterError, as the waiter
does when called directly (AWS: botocore/data/sagemaker/2017-07-24/waiters-2.json, TransformJobCompletedOrStopped);
`completed` raises the job's own FailureReason instead, for notebooks whose lesson is not the waiter (06).
"""
from __future__ import annotations

from botocore.exceptions import WaiterError

# botocore's waiter and the name it is called with, per kind of job
WAITERS = {
    "transform": ("transform_job_completed_or_stopped", "TransformJobName"),
    "training": ("training_job_completed_or_stopped", "TrainingJobName"),
    "endpoint": ("endpoint_in_service", "EndpointName"),
}
# The delays the course's own waits use (30 s between describes; an hour at most for a transform job).
WAITER_CONFIG = {"Delay": 30, "MaxAttempts": 120}


def wait_for(sagemaker_client, *names: str, kind: str = "transform") -> dict[str, dict]:
    """Wait until every named job has ended and return its description; the first failed job raises WaiterError.

    The jobs already run side by side, so waiting for them one after another takes as long as the slowest of them."""
    if kind not in WAITERS:
        raise ValueError(f"kind must be one of {', '.join(WAITERS)}, not {kind!r}.")
    if not names:
        raise ValueError("Name at least one job to wait for, e.g. wait_for(course.sagemaker_client, job_name).")
    waiter_name, parameter = WAITERS[kind]
    waiter = sagemaker_client.get_waiter(waiter_name)
    describe = getattr(sagemaker_client, {"transform": "describe_transform_job", "training": "describe_training_job",
                                          "endpoint": "describe_endpoint"}[kind])
    described = {}
    for name in names:
        waiter.wait(**{parameter: name}, WaiterConfig=WAITER_CONFIG)
        described[name] = describe(**{parameter: name})
    return described


STATUS = {"transform": "TransformJobStatus", "training": "TrainingJobStatus", "endpoint": "EndpointStatus"}
_LABEL = {"transform": "Transform job", "training": "Training job", "endpoint": "Endpoint"}
_GOOD_END = {"transform": "Completed", "training": "Completed", "endpoint": "InService"}


def completed(sagemaker_client, name: str, kind: str = "transform") -> dict:
    """Wait for one job started earlier and return its description; a job that did not complete raises RuntimeError
    with its status and FailureReason, where its output is read (a stopped job has no complete output either)."""
    try:
        described = wait_for(sagemaker_client, name, kind=kind)[name]
    except WaiterError as error:  # the job failed (its description says why), or the waiter gave up on it
        described = getattr(sagemaker_client, {"transform": "describe_transform_job", "training": "describe_training_job",
                                               "endpoint": "describe_endpoint"}[kind])(**{WAITERS[kind][1]: name})
        if described[STATUS[kind]] in ("InProgress", "Stopping", "Creating", "Updating"):
            raise RuntimeError(f"{_LABEL[kind]} {name} is still {described[STATUS[kind]]} after "
                               f"{WAITER_CONFIG['Delay'] * WAITER_CONFIG['MaxAttempts']} s of waiting; "
                               "run this cell again to wait on, or stop the job.") from error
    status = described[STATUS[kind]]
    if status != _GOOD_END[kind]:
        raise RuntimeError(f"{_LABEL[kind]} {name} ended {status}: "
                           f"{described.get('FailureReason') or 'no FailureReason given'}")
    return described
