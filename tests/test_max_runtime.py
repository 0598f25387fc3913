"""StoppingCondition.MaxRuntimeInSeconds offline (sagemaker_offline/stopping.py): a training or processing job that
runs past it is stopped as AWS stops it: status Stopped, a training job's SecondaryStatus MaxRuntimeExceeded, no
FailureReason, nothing uploaded, the script's process gone; SDK v2's fit() and run() return with the SDK's warning.

What AWS shows, and where it says so: sagemaker_offline/stopping.py (API reference StoppingCondition and
SecondaryStatusTransition, aws-samples/serverless-sagemaker-orchestration#2, the SDK's _check_job_status).
The limit counts from TrainingStartTime: the phases before the container (Downloading, the image download: 55 service
seconds, jobs.TRAINING_PHASES) count, then the container's real seconds (docs/offline-runtime.md, "Stopped jobs and
MaxRuntimeInSeconds")."""
from __future__ import annotations

import json
import logging
import os
import re
import textwrap
import time
from pathlib import Path

import pytest

from helpers.course import models, results
from sagemaker_offline.jobs import TRAINING_PHASES
from sagemaker_offline.stopping import MAX_RUNTIME_MESSAGE

BEFORE_CONTAINER = TRAINING_PHASES["training"] - TRAINING_PHASES["downloading"]  # counted before the script starts
REFERENCE = json.loads((Path(__file__).parent / "reference" / "aws" / "stopped-jobs.json").read_text())["response"]
SDK_WARNING = REFERENCE["sdk_v2_on_a_stopped_job"]["warning"]  # sagemaker/session.py, _check_job_status
# what a real fit() printed for a stopped job, its timestamp left out: "Stopping - ...", "Stopped - ..."
REAL_LINES = [line.split(" ", 2)[2] for line in REFERENCE["sdk_status_lines_of_a_stopped_training_job"]["lines"][1:3]]

SLEEPER = textwrap.dedent('''
    """Write a model file that looks finished, then run far past the job's MaxRuntimeInSeconds."""
    import os, time
    open({pid_file!r}, "w").write(str(os.getpid()))
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"), "w") as f:
        f.write("half a model")
    print("sleeping past max_run", flush=True)
    time.sleep(600)
''')


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _keys(course, prefix: str) -> list[str]:
    listing = course.s3_client.list_objects_v2(Bucket=course.bucket, Prefix=prefix)
    return sorted(o["Key"] for o in listing.get("Contents", []))


def _sklearn(course, tmp_path: Path, script: str, max_run: int, name: str):
    from sagemaker.sklearn import SKLearn

    source = tmp_path / name
    source.mkdir()
    (source / "train.py").write_text(script)
    return SKLearn(entry_point="train.py", source_dir=str(source), framework_version="1.2-1", role=course.role,
                   instance_type="ml.m5.large", instance_count=1, sagemaker_session=course.session,
                   output_path=course.s3_uri("max-runtime", name), max_run=max_run)


def _log_text(course, job_name: str) -> str:
    logs = course.session.boto_session.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                        logStreamNamePrefix=job_name + "/")["logStreams"]
    return "\n".join(e["message"] for s in streams for e in logs.get_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=s["logStreamName"], startFromHead=True)["events"])


def test_a_script_running_past_max_run_is_stopped_as_max_runtime_exceeded(course, course_data, tmp_path, capsys,
                                                                          caplog):
    pid_file = tmp_path / "script.pid"
    max_run = BEFORE_CONTAINER + 3  # the script gets 3 real seconds
    estimator = _sklearn(course, tmp_path, SLEEPER.format(pid_file=str(pid_file)), max_run, "sleeper")
    with caplog.at_level(logging.WARNING, logger="sagemaker"):
        estimator.fit({"train": course_data.train_uri})  # wait=True, logs=True: a Stopped job is no error
    printed = capsys.readouterr().out
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d " + re.escape(REAL_LINES[0]) + "$", printed, re.M), printed
    assert f"MaxRuntimeExceeded - {MAX_RUNTIME_MESSAGE}" in printed
    assert SDK_WARNING in caplog.text

    job = estimator.latest_training_job.describe()
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "MaxRuntimeExceeded")
    assert "FailureReason" not in job
    assert [t["Status"] for t in job["SecondaryStatusTransitions"]] == [
        "Starting", "Downloading", "Training", "Stopping", "MaxRuntimeExceeded"]
    assert job["SecondaryStatusTransitions"][-1]["StatusMessage"] == MAX_RUNTIME_MESSAGE
    assert job["StoppingCondition"]["MaxRuntimeInSeconds"] == max_run
    assert job["BillableTimeInSeconds"] >= max_run - 1  # TrainingStartTime to the stop
    # the script ran, was killed, and its model file that looks finished was not uploaded
    assert "sleeping past max_run" in _log_text(course, job["TrainingJobName"])
    assert _gone(int(pid_file.read_text()))
    assert not job.get("ModelArtifacts")
    assert _keys(course, f"{course.prefix}/max-runtime/sleeper/") == []
    # the kit's helper says so in the lesson's terms
    found = results.explain_failure(course, job["TrainingJobName"], quiet=True)
    assert f"MaxRuntimeInSeconds ({max_run} s)" in found.cause and "max_run=" in found.fix


def test_a_max_run_of_one_second_stops_the_job_before_its_script_starts(course, course_data, tmp_path, caplog):
    pid_file = tmp_path / "script.pid"
    estimator = _sklearn(course, tmp_path, SLEEPER.format(pid_file=str(pid_file)), 1, "one-second")
    with caplog.at_level(logging.WARNING, logger="sagemaker"):
        estimator.fit({"train": course_data.train_uri}, logs=False)
    assert SDK_WARNING in caplog.text
    job = estimator.latest_training_job.describe()
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "MaxRuntimeExceeded")
    # MaxPendingTimeInSeconds, not MaxRuntimeInSeconds, limits the time before TrainingStartTime
    assert [t["Status"] for t in job["SecondaryStatusTransitions"]] == [
        "Starting", "Downloading", "Stopping", "MaxRuntimeExceeded"]
    assert job["TrainingEndTime"] - job["TrainingStartTime"] >= __import__("datetime").timedelta(seconds=1)
    assert not pid_file.exists()
    assert _keys(course, f"{course.prefix}/max-runtime/one-second/") == []


def test_builtin_xgboost_past_max_run_stops_between_rounds_and_keeps_no_model(course, course_data):
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput

    estimator = Estimator(models.image_uri(course), course.role, instance_count=1, instance_type="ml.m4.xlarge",
                          output_path=course.s3_uri("max-runtime", "xgb"), sagemaker_session=course.session,
                          max_run=BEFORE_CONTAINER + 3)
    estimator.set_hyperparameters(num_round=1_000_000, max_depth=6)  # far more rounds than three seconds hold
    estimator.fit({"train": TrainingInput(course_data.train_uri, content_type="text/csv")}, logs=False)
    job = estimator.latest_training_job.describe()
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "MaxRuntimeExceeded")
    assert "#011train-rmse:" in _log_text(course, job["TrainingJobName"])  # it was training
    assert not job.get("ModelArtifacts") and _keys(course, f"{course.prefix}/max-runtime/xgb/") == []


@pytest.mark.parametrize("instances", [1, 2])
def test_a_processing_script_past_max_runtime_is_stopped_and_uploads_nothing(course, tmp_path, caplog, instances):
    from sagemaker.processing import ProcessingOutput
    from sagemaker.sklearn.processing import SKLearnProcessor

    pids = tmp_path / "pids"
    pids.mkdir()
    script = tmp_path / "sleeper.py"
    script.write_text(textwrap.dedent(f'''
        import os, time
        os.makedirs("/opt/ml/processing/output/train", exist_ok=True)
        open("/opt/ml/processing/output/train/train.csv", "w").write("1,2\\n")
        open(os.path.join({str(pids)!r}, str(os.getpid())), "w").close()
        time.sleep(600)
    '''))
    processor = SKLearnProcessor(framework_version="1.2-1", role=course.role, instance_type="ml.m5.xlarge",
                                 instance_count=instances, sagemaker_session=course.session, max_runtime_in_seconds=2)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="sagemaker"):
        processor.run(code=str(script), outputs=[ProcessingOutput(
            source="/opt/ml/processing/output/train", destination=course.s3_uri("max-runtime", "processing"))])
    assert time.monotonic() - started < 300  # stopped, not the script's 600 seconds
    assert SDK_WARNING in caplog.text
    job = processor.latest_job.describe()
    assert job["ProcessingJobStatus"] == "Stopped"
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 2}
    assert "FailureReason" not in job and "ExitMessage" not in job
    assert (job["ProcessingEndTime"] - job["ProcessingStartTime"]).total_seconds() >= 2
    started_scripts = [int(p.name) for p in pids.iterdir()]
    assert len(started_scripts) == instances and all(_gone(pid) for pid in started_scripts)  # every instance's
    assert _keys(course, f"{course.prefix}/max-runtime/processing") == []


def test_a_job_that_ends_within_max_run_completes(course, course_data, tmp_path):
    script = "import os\nopen(os.path.join(os.environ['SM_MODEL_DIR'], 'm.txt'), 'w').write('done')\n"
    estimator = _sklearn(course, tmp_path, script, BEFORE_CONTAINER + 60, "quick")
    estimator.fit({"train": course_data.train_uri}, logs=False)
    job = estimator.latest_training_job.describe()
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Completed", "Completed")
    assert job["ModelArtifacts"]["S3ModelArtifacts"].endswith("/output/model.tar.gz")


def test_stop_training_job_stops_builtin_xgboost_between_rounds_as_the_real_transcript_shows(course, course_data):
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput

    estimator = Estimator(models.image_uri(course), course.role, instance_count=1, instance_type="ml.m4.xlarge",
                          output_path=course.s3_uri("max-runtime", "xgb-stop"), sagemaker_session=course.session)
    estimator.set_hyperparameters(num_round=1_000_000, max_depth=6)
    estimator.fit({"train": TrainingInput(course_data.train_uri, content_type="text/csv")}, wait=False, logs=False)
    name = estimator.latest_training_job.name
    client = course.sagemaker_client
    deadline = time.monotonic() + 120
    while client.describe_training_job(TrainingJobName=name)["SecondaryStatus"] != "Training":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    time.sleep(1)  # some rounds
    client.stop_training_job(TrainingJobName=name)
    while (job := client.describe_training_job(TrainingJobName=name))["TrainingJobStatus"] != "Stopped":
        assert time.monotonic() < deadline, job["TrainingJobStatus"]  # before: the rounds ran on to Completed
        time.sleep(0.2)
    assert job["SecondaryStatus"] == "Stopped" and "FailureReason" not in job
    assert [f"{t['Status']} - {t['StatusMessage']}" for t in job["SecondaryStatusTransitions"][-2:]] == REAL_LINES
    assert not job.get("ModelArtifacts") and _keys(course, f"{course.prefix}/max-runtime/xgb-stop/") == []
