"""Why a job's run ends before its container does: StopTrainingJob / StopProcessingJob, or its
StoppingCondition.MaxRuntimeInSeconds passing. The job's thread raises these; jobs.py turns them into the Stopped
status AWS shows.

Sources for MaxRuntimeInSeconds (what the kit could find; docs/offline-runtime.md says what it could not):
- API reference, StoppingCondition
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StoppingCondition.html): "if the job does not
  complete during this time, SageMaker ends the job"; "To stop a training job, SageMaker sends the algorithm the
  SIGTERM signal, which delays job termination for 120 seconds"; "The maximum time that a TrainingJob can run in
  total, including any time spent publishing metrics or archiving and uploading models after it has been stopped, is
  30 days" (the upload after a stop is not part of MaxRuntimeInSeconds); minimum value 1.
- API reference, DescribeTrainingJob / SecondaryStatusTransition
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_SecondaryStatusTransition.html): under the primary
  status Stopped, "MaxRuntimeExceeded - The job stopped because it exceeded the maximum allowed runtime." and
  "Stopped - The training job has stopped."; under Stopping, "Stopping - Stopping the training job."
- aws-samples/serverless-sagemaker-orchestration#2 (2019): "In the event the training job times out the
  TrainingJobStatus will be set to Stopped."; comic/grand-challenge.org amazon_sagemaker_training.py
  (_handle_stopped_job, on the job events of a service that sets MaxRuntimeInSeconds): a Stopped job's SecondaryStatus
  is MaxRuntimeExceeded when its time limit passed, Stopped after its own StopTrainingJob.
- MaxPendingTimeInSeconds ("The maximum length of time, in seconds, that a training or compilation job can be pending
  before it is stopped.", same API page) is a limit of its own, so the pending time before TrainingStartTime is taken
  not to count against MaxRuntimeInSeconds.
- aws/sagemaker-training-toolkit#125 (open): "SIGTERM from StopTrainingJob doesn't appear to be passed to the
  training subprocess", so a script-mode entry point gets no chance to save anything; the toolkit
  (src/sagemaker_training at 33839372) installs no SIGTERM handler.
- The SDK v2 (sagemaker/session.py, _check_job_status, 2.257): a Stopped job is no error; it logs a warning, "Job
  ended with status 'Stopped' rather than 'Completed'. This could mean the job timed out or stopped early for some
  other reason: Consider checking whether it completed as you expect."
The facts with their sources, and what no source shows: tests/reference/aws/stopped-jobs.json.
"""
from __future__ import annotations

import time

# SecondaryStatusTransitions of a stopped training job. "Stopping the training job" and "Training job stopped" are
# the messages a real SDK fit() printed, 2019-10-11, for a job a Lambda function stopped with StopTrainingJob (a
# SageMaker security workshop's page "Lab 4: Detective and Corrective Controls", search index file id 8076537481,
# repository not named by the index): "Stopping - Stopping the training job", "Stopped - Training job stopped".
# The message AWS writes for MaxRuntimeExceeded we could not find: it is the API reference's description of it.
STOPPING_MESSAGE = "Stopping the training job"
STOPPED_MESSAGE = "Training job stopped"
MAX_RUNTIME_MESSAGE = "The job stopped because it exceeded the maximum allowed runtime."


class Stopped(Exception):
    """StopTrainingJob / StopProcessingJob arrived (or the offline AWS stopped) while the job ran."""


class RuntimeExceeded(Stopped):
    """The job's MaxRuntimeInSeconds passed: SageMaker ended it."""


def max_runtime(params: dict) -> float | None:
    """The request's StoppingCondition.MaxRuntimeInSeconds, or None (no limit given)."""
    value = (params.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
    return float(value) if value is not None else None


def container_deadline(params: dict, used: float) -> float | None:
    """The time.monotonic() moment the job's container must have ended by: its limit less the `used` seconds the
    phases before the container already counted, or None without a limit."""
    limit = max_runtime(params)
    return None if limit is None else time.monotonic() + limit - used


def check(stop_requested=None, deadline: float | None = None) -> None:
    """Raise Stopped when a stop was asked for, RuntimeExceeded when the deadline (time.monotonic()) has passed."""
    if stop_requested is not None and stop_requested.is_set():
        raise Stopped()
    if deadline is not None and time.monotonic() >= deadline:
        raise RuntimeExceeded()
