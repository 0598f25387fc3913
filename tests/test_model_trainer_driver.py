"""SDK v3's script mode offline (sagemaker_offline/model_trainer_driver.py): `ModelTrainer(source_code=SourceCode(...))`
on the scikit-learn image runs the learner's entry script through the SDK's own driver, as the framework container
would; a raising script fails the job with the driver's failure text; SourceCode that would pip-install is refused.

One .venv-v3 subprocess runs every job (v2 and v3 cannot share one environment); the tests read its report."""
from __future__ import annotations

import json

import pytest

from tests.test_sdk_v3 import run_v3

SCRIPT = r'''
import io, json, os, tarfile, tempfile
from pathlib import Path

from helpers.connection import sdk_v3
from helpers.course import models

course = sdk_v3.connect(quiet=True)
course_data = models.upload_course_data(course)
from botocore.exceptions import ClientError
from sagemaker.core import image_uris
from sagemaker.core.resources import TrainingJob
from sagemaker.train import ModelTrainer
from sagemaker.train.configs import Compute, InputData, OutputDataConfig, SourceCode

FEATURIZE = """
import argparse, os, sys
import joblib, pandas as pd
from sklearn.preprocessing import StandardScaler
if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--with_mean", type=int)
    parser.add_argument("--fail")
    args = parser.parse_args()
    train = os.environ["SM_CHANNEL_TRAIN"]
    frame = pd.concat(pd.read_csv(os.path.join(train, n), header=None) for n in sorted(os.listdir(train)))
    print(f"fitted on {len(frame)} rows, with_mean={args.with_mean}, hosts={os.environ['SM_HOSTS']}, cwd={os.path.basename(os.getcwd())}")
    if args.fail:
        raise ValueError("planted failure in featurize.py")
    joblib.dump(StandardScaler().fit(frame.iloc[:, 1:]), os.path.join(os.environ["SM_MODEL_DIR"], "scaler.joblib"))
"""
image = image_uris.retrieve(framework="sklearn", region=course.region, version="1.2-1", instance_type="ml.m5.large")
work = Path(tempfile.mkdtemp())
(work / "src").mkdir()
(work / "src" / "featurize.py").write_text(FEATURIZE)
report = {}


def train(name, hyperparameters, **source):
    trainer = ModelTrainer(training_image=image, source_code=SourceCode(**source), role=course.role,
                           compute=Compute(instance_type="ml.m5.large", instance_count=1),
                           output_data_config=OutputDataConfig(s3_output_path=course.s3_uri("v3-driver", "models")),
                           base_job_name=name, hyperparameters=hyperparameters, sagemaker_session=course.session)
    try:
        trainer.train(input_data_config=[InputData(channel_name="train", data_source=course_data.train_uri,
                                                   content_type="text/csv")], logs=False)
        error = None
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    newest = next(iter(TrainingJob.get_all(name_contains=name, sort_by="CreationTime", sort_order="Descending",
                                           session=course.boto_session, region=course.region)), None)
    if newest is None:
        return {"error": error}
    job = course.sagemaker_client.describe_training_job(TrainingJobName=newest.training_job_name)
    logs = course.boto_session.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                        logStreamNamePrefix=job["TrainingJobName"] + "/")["logStreams"]
    lines = [e["message"] for s in streams for e in logs.get_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=s["logStreamName"], startFromHead=True)["events"]]
    files = []
    if job["TrainingJobStatus"] == "Completed":
        bucket, key = job["ModelArtifacts"]["S3ModelArtifacts"][5:].split("/", 1)
        body = course.s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
        files = tarfile.open(fileobj=io.BytesIO(body)).getnames()
    return {"error": error, "status": job["TrainingJobStatus"], "reason": job.get("FailureReason"),
            "entrypoint": job["AlgorithmSpecification"].get("ContainerEntrypoint"),
            "channels": [c["ChannelName"] for c in job["InputDataConfig"]], "log": lines, "files": files}


report["directory"] = train("v3-driver-dir", {"with_mean": 1}, source_dir=str(work / "src"),
                            entry_script="featurize.py")
with tarfile.open(work / "sourcedir.tar.gz", "w:gz") as tar:
    tar.add(work / "src" / "featurize.py", arcname="featurize.py")
code_uri = course.session.upload_data(str(work / "sourcedir.tar.gz"), bucket=course.bucket,
                                      key_prefix=f"{course.prefix}/v3-driver/code")
report["tarball"] = train("v3-driver-tar", {"with_mean": 0}, source_dir=code_uri, entry_script="featurize.py")
report["raising"] = train("v3-driver-fail", {"fail": "yes"}, source_dir=str(work / "src"), entry_script="featurize.py")
(work / "src" / "requirements.txt").write_text("scikit-learn\n")
report["requirements"] = train("v3-driver-req", {}, source_dir=str(work / "src"), entry_script="featurize.py",
                               requirements="requirements.txt")
print("REPORT" + json.dumps(report))
'''


@pytest.fixture(scope="module")
def report():
    done = run_v3(SCRIPT, timeout=900)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return json.loads(done.stdout.split("REPORT", 1)[1])


def test_model_trainer_source_code_sends_the_sdk_driver_and_runs_the_entry_script(report):
    """v3 sends no sagemaker_program: the driver replaces the entry point, the code and drivers come as channels."""
    job = report["directory"]
    assert job["error"] is None and job["status"] == "Completed", job
    assert job["entrypoint"] == ["/bin/bash"]
    assert job["channels"] == ["train", "code", "sm_drivers"]
    assert "fitted on 226 rows, with_mean=1, hosts=[\"algo-1\"], cwd=code" in job["log"]
    command = next(line for line in job["log"] if line.startswith("Executing command: "))
    assert command.endswith(" featurize.py --with_mean 1")  # common/utils.py hyperparameters_to_cli_args
    assert job["log"][0] == "Starting training script" and job["log"][-1] == "Training Container Execution Completed"
    assert "SM_ENTRY_SCRIPT=featurize.py" in job["log"]
    assert job["files"] == ["scaler.joblib"]


def test_a_sourcedir_tarball_in_s3_is_unpacked_in_the_code_channel_as_sm_train_sh_does(report):
    job = report["tarball"]
    assert job["status"] == "Completed", job
    assert "fitted on 226 rows, with_mean=0, hosts=[\"algo-1\"], cwd=code" in job["log"]
    assert job["files"] == ["scaler.joblib"]


def test_a_raising_entry_script_fails_the_job_with_the_drivers_failure_text_and_its_traceback_in_the_log(report):
    job = report["raising"]
    assert job["status"] == "Failed" and "FailedStatusError" in job["error"]
    assert job["reason"].startswith("AlgorithmError: Traceback (most recent call last):")
    assert "featurize.py', '--fail', 'yes']' returned non-zero exit status 1" in job["reason"]  # CalledProcessError
    log = "\n".join(job["log"])
    assert "ValueError: planted failure in featurize.py" in log
    assert "An error occurred with exit code 1" in log
    assert "Training Container Execution Completed" not in log
    assert job["files"] == []


def test_source_code_with_requirements_is_refused_before_anything_runs(report):
    job = report["requirements"]
    assert "NotSupportedOffline" in job["error"] and "requirements" in job["error"]
    assert "status" not in job  # no job was created
