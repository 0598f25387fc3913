"""The offline AWS of the foundation issue: real jobs behind moto, no network, SDK behaviour as on SageMaker."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb
from botocore.exceptions import WaiterError

import helpers
from helpers.course import data, models
from tests.conftest import features_csv

ROOT = Path(__file__).resolve().parent.parent


def put(course, key: str, body: bytes) -> str:
    course.s3_client.put_object(Bucket=course.bucket, Key=key, Body=body)
    return f"s3://{course.bucket}/{key}"


def transform(course, model_name, job_name, input_uri, output_uri, **extra):
    request = dict(
        TransformJobName=job_name, ModelName=model_name,
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_uri}},
                        "ContentType": "text/csv", "SplitType": "Line"},
        TransformOutput={"S3OutputPath": output_uri, "AssembleWith": "Line"},
        TransformResources={"InstanceType": "ml.m4.xlarge", "InstanceCount": 1},
    )
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(request.get(key), dict):
            request[key] = {**request[key], **value}
        else:
            request[key] = value
    client = course.sagemaker_client
    client.create_transform_job(**request)
    try:
        client.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName=job_name,
                                                                     WaiterConfig={"Delay": 1, "MaxAttempts": 600})
    except WaiterError:  # the waiter gives up on Failed, as it does on AWS; the description says why
        pass
    return client.describe_transform_job(TransformJobName=job_name)


def keys_under(course, prefix: str) -> list[str]:
    listing = course.s3_client.list_objects_v2(Bucket=course.bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_training_artifact_is_a_tar_gz_with_an_xgboost_model_at_its_root(booster):
    assert booster.num_features() == len(data.FEATURES)
    assert booster.num_boosted_rounds() > 5


def test_training_job_reports_artifacts_metrics_and_status(course, model_data):
    name = model_data.split("/")[-3]
    described = course.sagemaker_client.describe_training_job(TrainingJobName=name)
    assert described["TrainingJobStatus"] == "Completed"
    assert described["ModelArtifacts"]["S3ModelArtifacts"] == model_data
    assert model_data == course.s3_uri("model", name, "output", "model.tar.gz")
    assert {m["MetricName"] for m in described["FinalMetricDataList"]} == {"train:rmse", "validation:rmse"}
    assert "FailureReason" not in described


def test_transform_predictions_equal_xgboost_own_predictions(course, course_data, xgb_model_name, booster):
    input_uri = put(course, "tests/equal/in/test.csv", features_csv(course_data.test))
    described = transform(course, xgb_model_name, "equal-predictions", input_uri, f"s3://{course.bucket}/tests/equal/out")
    assert described["TransformJobStatus"] == "Completed"
    body = course.s3_client.get_object(Bucket=course.bucket, Key="tests/equal/out/test.csv.out")["Body"].read()
    # the 1.7-1 container predicts with the best trees of an early-stopped model (best_ntree_limit), as xgboost 1.7 did
    best = int(booster.attr("best_ntree_limit"))
    assert best < booster.num_boosted_rounds()
    expected = booster.predict(xgb.DMatrix(course_data.test[data.FEATURES].to_numpy(dtype=np.float32)),
                               iteration_range=(0, best))
    assert body.decode().splitlines() == [str(p) for p in expected.tolist()]


def test_transform_job_goes_in_progress_then_completed(course, course_data, xgb_model_name):
    aws = helpers.offline.current()
    input_uri = put(course, "tests/status/in/test.csv", features_csv(course_data.test))
    aws.quick_finish_seconds = 0  # return from create at once, as AWS does
    try:
        course.sagemaker_client.create_transform_job(
            TransformJobName="status-job", ModelName=xgb_model_name,
            TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_uri}},
                            "ContentType": "text/csv", "SplitType": "Line"},
            TransformOutput={"S3OutputPath": f"s3://{course.bucket}/tests/status/out"},
            TransformResources={"InstanceType": "ml.m4.xlarge", "InstanceCount": 1})
        first = course.sagemaker_client.describe_transform_job(TransformJobName="status-job")
    finally:
        aws.quick_finish_seconds = 5.0
    assert first["TransformJobStatus"] == "InProgress"
    course.sagemaker_client.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName="status-job")
    last = course.sagemaker_client.describe_transform_job(TransformJobName="status-job")
    assert last["TransformJobStatus"] == "Completed"
    assert last["TransformStartTime"] <= last["TransformEndTime"]
    assert "FailureReason" not in last


def test_failing_job_ends_failed_as_on_aws_and_the_data_log_names_the_object(course, course_data, xgb_model_name):
    from helpers.course import results

    with_header = course_data.test[data.FEATURES].to_csv(index=False).encode()  # the common mistake: a header row
    input_uri = put(course, "tests/header/in/test.csv", with_header)
    described = transform(course, xgb_model_name, "header-row", input_uri, f"s3://{course.bucket}/tests/header/out")
    assert described["TransformJobStatus"] == "Failed"
    # AWS's words for an algorithm error during a transform (tests/reference/aws/sdk-failed-transform-issue586-2020.txt)
    assert described["FailureReason"] == "ClientError: See job logs for more information"
    assert keys_under(course, "tests/header/out") == []
    diagnosis = results.explain_failure(course, "header-row", quiet=True)
    assert diagnosis.stream.endswith("/data-log")
    assert "tests/header/in/test.csv" in diagnosis.evidence and "could not convert string to float" in diagnosis.evidence
    assert "header" in diagnosis.cause and "to_csv(header=False, index=False)" in diagnosis.fix


def test_sdk_reports_a_failed_job_as_on_aws(course, course_data, model_data):
    from sagemaker.exceptions import UnexpectedStatusException
    from sagemaker.model import Model

    input_uri = put(course, "tests/sdkfail/in/test.csv", course_data.test[data.FEATURES].to_csv(index=False).encode())
    model = Model(image_uri=models.image_uri(course), model_data=model_data, role=course.role,
                  sagemaker_session=course.session)
    transformer = model.transformer(instance_count=1, instance_type="ml.m4.xlarge",
                                    output_path=f"s3://{course.bucket}/tests/sdkfail/out")
    with pytest.raises(UnexpectedStatusException, match=r"Failed\. Reason: ClientError: See job logs for more "
                                                         r"information\. Check troubleshooting guide"):
        transformer.transform(data=input_uri, content_type="text/csv", split_type="Line", logs=False)


def test_wait_with_logs_prints_the_job_log_lines(course, course_data, model_data, capsys):
    from sagemaker.model import Model

    input_uri = put(course, "tests/logs/in/test.csv", features_csv(course_data.test))
    model = Model(image_uri=models.image_uri(course), model_data=model_data, role=course.role,
                  sagemaker_session=course.session)
    transformer = model.transformer(instance_count=1, instance_type="ml.m4.xlarge",
                                    output_path=f"s3://{course.bucket}/tests/logs/out")
    transformer.transform(data=input_uri, content_type="text/csv", split_type="Line", wait=False)
    transformer.wait(logs=True)
    printed = capsys.readouterr().out
    assert "[sagemaker logs]: MaxConcurrentTransforms=" in printed
    assert "Starting the built-in XGBoost inference server" not in printed  # the real container never says it
    assert '"POST /invocations HTTP/1.1" 200' in printed and "Booting worker with pid: 28" in printed


def test_fit_with_logs_prints_training_rounds(course, course_data, capsys):
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput

    estimator = Estimator(models.image_uri(course), course.role, instance_count=1, instance_type="ml.m4.xlarge",
                          output_path=course.s3_uri("tests-fit"), sagemaker_session=course.session)
    estimator.set_hyperparameters(num_round=3, max_depth=2)
    estimator.fit({"train": TrainingInput(course_data.train_uri, content_type="text/csv")})
    printed = capsys.readouterr().out
    assert "[2]#011train-rmse:" in printed
    assert "Completed - Training job completed" in printed


def test_case_30_training_without_num_round_fails_with_the_container_text(course, course_data):
    from sagemaker.estimator import Estimator
    from sagemaker.exceptions import UnexpectedStatusException
    from sagemaker.inputs import TrainingInput

    estimator = Estimator(models.image_uri(course), course.role, instance_count=1, instance_type="ml.m4.xlarge",
                          output_path=course.s3_uri("tests-fit"), sagemaker_session=course.session)
    estimator.set_hyperparameters(max_depth=2)
    with pytest.raises(UnexpectedStatusException, match="Missing required hyperparameter: num_round"):
        estimator.fit({"train": TrainingInput(course_data.train_uri, content_type="text/csv")}, logs=False)
    estimator.set_hyperparameters(num_round=2, objective="multi:softmax")
    with pytest.raises(UnexpectedStatusException, match="Require input for parameter 'num_class'"):
        estimator.fit({"train": TrainingInput(course_data.train_uri, content_type="text/csv")}, logs=False)


def test_case_31_artifact_key_is_output_path_job_name_output_model_tar_gz(course, course_data):
    client = course.sagemaker_client
    channel = {"ChannelName": "train", "ContentType": "text/csv",
               "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": course_data.train_uri}}}
    client.create_training_job(
        TrainingJobName="j", AlgorithmSpecification={"TrainingImage": models.image_uri(course), "TrainingInputMode": "File"},
        RoleArn=course.role, HyperParameters={"num_round": "2"}, InputDataConfig=[channel],
        OutputDataConfig={"S3OutputPath": f"s3://{course.bucket}/o"},
        ResourceConfig={"InstanceType": "ml.m4.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 600})
    client.get_waiter("training_job_completed_or_stopped").wait(TrainingJobName="j")
    assert client.describe_training_job(TrainingJobName="j")["ModelArtifacts"]["S3ModelArtifacts"] == \
        f"s3://{course.bucket}/o/j/output/model.tar.gz"
    assert keys_under(course, "o/") == ["o/j/output/model.tar.gz"]
    described = client.describe_training_job(TrainingJobName="j")
    # filled in by the service, and one transition per status keeping its last message, as in the real response
    # tests/reference/aws/describe-training-job-2022.json
    assert described["InputDataConfig"][0]["CompressionType"] == "None"
    assert described["InputDataConfig"][0]["RecordWrapperType"] == "None"
    assert described["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3DataDistributionType"] == "FullyReplicated"
    assert described["OutputDataConfig"]["KmsKeyId"] == ""
    assert described["EnableNetworkIsolation"] is False and described["EnableManagedSpotTraining"] is False
    assert described["EnableInterContainerTrafficEncryption"] is False
    transitions = described["SecondaryStatusTransitions"]
    assert [t["Status"] for t in transitions] == ["Starting", "Downloading", "Training", "Uploading", "Completed"]
    assert transitions[0]["StatusMessage"] == "Preparing the instances for training"
    assert all(a["EndTime"] == b["StartTime"] for a, b in zip(transitions, transitions[1:]))
    assert described["TrainingStartTime"] == transitions[1]["StartTime"]


def test_a_model_on_another_image_can_be_created_but_its_job_fails_naming_the_image(course, course_data, model_data):
    client = course.sagemaker_client
    client.create_model(ModelName="not-xgboost", ExecutionRoleArn=course.role,
                        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-west-2.amazonaws.com/my-own:1",
                                          "ModelDataUrl": model_data})
    input_uri = put(course, "tests/other/in/test.csv", features_csv(course_data.test))
    described = transform(course, "not-xgboost", "other-image", input_uri, f"s3://{course.bucket}/tests/other/out")
    assert described["TransformJobStatus"] == "Failed"
    assert "my-own:1" in described["FailureReason"] and "built-in XGBoost" in described["FailureReason"]


def test_latest_course_model_ignores_newer_variants_of_other_notebooks(course, course_data, model_data):
    from helpers.connection.aws.resources import find_latest_training_job

    variant = models.train_course_model(course, course_data, job_prefix="preprocess-no-b")  # newer, same tag
    latest_any = find_latest_training_job(course.sagemaker_client)
    latest_course = find_latest_training_job(course.sagemaker_client, name_prefix=models.COURSE_JOB_PREFIX)
    assert latest_any["ModelArtifacts"]["S3ModelArtifacts"] == variant
    assert latest_course["TrainingJobName"].startswith(models.COURSE_JOB_PREFIX)


def test_context_manager_routes_new_clients_to_moto_and_stops():
    import boto3

    helpers.offline.stop()  # this module's fixture may have one running; the context manager starts its own
    with helpers.offline() as aws:
        s3 = boto3.client("s3", region_name=aws.region)
        s3.create_bucket(Bucket="context-bucket", CreateBucketConfiguration={"LocationConstraint": aws.region})
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["context-bucket"]
        assert helpers.offline.is_running()
    assert not helpers.offline.is_running()


GUARD = textwrap.dedent('''
    import os, socket
    _log = os.environ["NETWORK_ATTEMPTS_FILE"]
    _loopback_log = os.environ["LOOPBACK_CONNECTIONS_FILE"]
    _LOOPBACK = ("127.0.0.1", "::1", "localhost")
    def _record(path, line):
        with open(path, "a") as f:
            f.write(f"{os.getpid()} {line}\\n")
    _connect = socket.socket.connect
    def _guarded(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            if address[0] not in _LOOPBACK:  # loopback only: the offline AWS's server for the AWS CLI
                _record(_log, address)
                raise OSError("network blocked by the offline test")
            _record(_loopback_log, address)
        return _connect(self, address, *args)
    socket.socket.connect = _guarded
    _getaddrinfo = socket.getaddrinfo
    def _lookup(host, *args, **kwargs):
        if host not in _LOOPBACK:
            _record(_log, f"lookup {host}")
            raise OSError("name lookup blocked by the offline test")
        return _getaddrinfo(host, *args, **kwargs)
    socket.getaddrinfo = _lookup
''')

FLOW = textwrap.dedent('''
    import os

    import helpers
    from helpers.course import data, models, results

    def main():
        course = helpers.connect()  # first, as in every notebook: nothing may create an AWS client before it
        from sagemaker.model import Model

        course_data = models.upload_course_data(course)
        model_data = models.train_course_model(course, course_data)
        model = Model(image_uri=models.image_uri(course), model_data=model_data, role=course.role,
                      sagemaker_session=course.session)
        transformer = model.transformer(instance_count=2, instance_type="ml.m4.xlarge",
                                        output_path=course.s3_uri("net-test"))
        transformer.transform(data=course_data.test_uri, content_type="text/csv", split_type="Line")
        outputs = results.list_outputs(course.s3_client, course.s3_uri("net-test"))
        print("OUTPUTS", len(results.read_predictions(course.s3_client, outputs[0])))
        # The AWS CLI in a child process, as `!aws ...` in a cell: it may reach the loopback server, nothing else.
        import subprocess
        listing = subprocess.run(["aws", "s3", "ls", course.s3_uri("net-test") + "/"], capture_output=True, text=True)
        print("CLI", listing.returncode, listing.stdout.split()[-1:], listing.stderr[-500:])
        helpers.offline.stop()
        print("PID", os.getpid())

    if __name__ == "__main__":
        main()
''')


def test_offline_mode_opens_no_network_connection(tmp_path):
    """A whole lesson flow in a fresh interpreter whose every process (instances too) refuses and records sockets."""
    (tmp_path / "sitecustomize.py").write_text(GUARD)
    (tmp_path / "flow.py").write_text(FLOW)
    attempts, loopback = tmp_path / "attempts.txt", tmp_path / "loopback.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]), NETWORK_ATTEMPTS_FILE=str(attempts),
               LOOPBACK_CONNECTIONS_FILE=str(loopback), COURSE_BACKEND="offline")
    result = subprocess.run([sys.executable, str(tmp_path / "flow.py")], env=env, capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"OUTPUTS {168}" in result.stdout
    assert "CLI 0 ['test.csv.out']" in result.stdout, result.stdout[-2000:]
    assert not attempts.exists(), attempts.read_text()
    # The CLI went through the guard too: its process connected to the loopback server. The flow's own process
    # did not: its clients are answered in-process by moto, without a socket.
    connecting = {line.split()[0] for line in loopback.read_text().splitlines()}
    flow_pid = result.stdout.split("PID ")[-1].split()[0]
    assert connecting and flow_pid not in connecting


SDK_INFO_LINES = textwrap.dedent('''
    import helpers
    from helpers.course import models
    from sagemaker.model import Model

    course = helpers.connect("offline", quiet=True)
    course_data = models.upload_course_data(course)
    model_data = models.course_model_data(course, course_data)
    model = Model(image_uri=models.image_uri(course), model_data=model_data, role=course.role,
                  sagemaker_session=course.session)
    print("FIRST TRANSFORMER", flush=True)
    transformer = model.transformer(instance_count=1, instance_type="ml.m4.xlarge", output_path=course.s3_uri("a"))
    transformer.transform(course_data.test_uri, content_type="text/csv", split_type="Line", logs=False)
    print("SECOND TRANSFORMER", flush=True)
    model.transformer(instance_count=1, instance_type="ml.m4.xlarge", output_path=course.s3_uri("b"))
    helpers.offline.stop()
''')


def test_the_sdks_creating_model_line_is_the_sdks_own(tmp_path):
    """Issue 21: "INFO:sagemaker:Creating model with name:" is printed by the real SDK once its logging is configured
    (sagemaker/experiments/_metrics.py calls logging.basicConfig(level=INFO) when first imported, inside the first
    transform or fit): not for a kernel's first model.transformer(), but for a model created after a transform."""
    (tmp_path / "flow.py").write_text(SDK_INFO_LINES)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PYTHONPATH=str(ROOT), COURSE_BACKEND="offline")
    result = subprocess.run([sys.executable, str(tmp_path / "flow.py")], env=env, capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.count("INFO:sagemaker:Creating model with name: ") == 1, result.stderr[-2000:]
    assert result.stderr.count("INFO:sagemaker:Creating transform job with name: ") == 1
    # the one model line comes from the second transformer, after the transform configured the SDK's logging
    assert result.stderr.index("Creating transform job") < result.stderr.index("Creating model with name")
