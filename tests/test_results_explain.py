"""results.explain_failure (the kit's diagnosis, notebooks 03-05) on each kind of failure the offline runtime
produces: it must find the log line that shows the cause and name the one change that fixes it."""
from __future__ import annotations

import io
import tarfile

import pytest
from botocore.exceptions import WaiterError

from helpers.course import data, models, results
from tests.conftest import features_csv


def put(course, key: str, body: bytes) -> str:
    course.s3_client.put_object(Bucket=course.bucket, Key=key, Body=body)
    return f"s3://{course.bucket}/{key}"


def transform(course, model: str, name: str, body: bytes, **extra) -> None:
    uri = put(course, f"explain/{name}/in/rows.csv", body)
    t_input = {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}}, "SplitType": "Line",
               "ContentType": "text/csv", **extra.pop("TransformInput", {})}
    t_input = {key: value for key, value in t_input.items() if value is not None}
    client = course.sagemaker_client
    client.create_transform_job(TransformJobName=name, ModelName=model, TransformInput=t_input,
                                TransformOutput={"S3OutputPath": f"s3://{course.bucket}/explain/{name}/out",
                                                 **extra.pop("TransformOutput", {})},
                                TransformResources={"InstanceType": "ml.m4.xlarge", "InstanceCount": 1}, **extra)
    try:
        client.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName=name,
                                                                     WaiterConfig={"Delay": 5, "MaxAttempts": 200})
    except WaiterError:
        pass


@pytest.fixture(scope="module")
def test_rows(course_data):
    return course_data.test


def test_header_row(course, xgb_model_name, test_rows):
    transform(course, xgb_model_name, "x-header", test_rows[data.FEATURES].to_csv(index=False).encode())
    found = results.explain_failure(course, "x-header", quiet=True)
    assert found.failure_reason == "ClientError: See job logs for more information"
    assert found.stream.endswith("/data-log") and "x-header/i-" in found.stream
    assert "could not convert string to float: 'CRIM'" in found.evidence and "header row" in found.cause
    assert "to_csv(header=False, index=False)" in found.fix


def test_missing_content_type_reads_libsvm(course, xgb_model_name, test_rows):
    transform(course, xgb_model_name, "x-no-type", features_csv(test_rows), TransformInput={"ContentType": None})
    found = results.explain_failure(course, "x-no-type", quiet=True)
    assert "Loading libsvm data failed" in found.evidence and "content_type='text/csv'" in found.fix


def test_label_column_left_in(course, xgb_model_name, test_rows):
    with_label = test_rows[data.FEATURES + [data.TARGET]].to_csv(header=False, index=False).encode()
    transform(course, xgb_model_name, "x-label", with_label)
    found = results.explain_failure(course, "x-label", quiet=True)
    assert "Number of columns does not match number of features" in found.evidence
    assert "label column" in found.cause and "without the label column" in found.fix


def test_unsupported_accept(course, xgb_model_name, test_rows):
    transform(course, xgb_model_name, "x-accept", features_csv(test_rows), TransformOutput={"Accept": "text/plain"})
    found = results.explain_failure(course, "x-accept", quiet=True)
    assert "Accept type text/plain is not supported" in found.evidence and "accept='text/csv'" in found.fix


def test_object_larger_than_max_payload(course, xgb_model_name, test_rows):
    transform(course, xgb_model_name, "x-large", features_csv(test_rows) * 200, MaxPayloadInMB=1,
              TransformInput={"SplitType": "None"})
    found = results.explain_failure(course, "x-large", quiet=True)
    assert "MaxPayloadInMB" in found.evidence and "split_type='Line'" in found.fix


def test_mini_batch_over_the_containers_limit(course, xgb_model_name, test_rows):
    body = features_csv(test_rows)
    transform(course, xgb_model_name, "x-413", body * (7 * 1024 * 1024 // len(body) + 1), MaxPayloadInMB=8)
    found = results.explain_failure(course, "x-413", quiet=True)
    assert found.evidence.endswith("ClientError: 413") and "6 MiB" in found.cause
    assert "max_payload=6" in found.fix and "MAX_CONTENT_LENGTH" in found.fix


def test_model_that_cannot_be_loaded(course, test_rows):
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        info = tarfile.TarInfo("xgboost-model")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"junk!"))
    model_data = put(course, "explain/bad-model/model.tar.gz", archive.getvalue())
    course.sagemaker_client.create_model(ModelName="x-bad-model", ExecutionRoleArn=course.role, PrimaryContainer={
        "Image": models.image_uri(course), "ModelDataUrl": model_data})
    transform(course, "x-bad-model", "x-bad-model", features_csv(test_rows))
    found = results.explain_failure(course, "x-bad-model", quiet=True)
    assert found.failure_reason == "AlgorithmError: See job logs for more information"
    assert "cannot be loaded" in found.evidence and "model.tar.gz" in found.fix


def test_training_without_num_round(course, course_data):
    channel = {"ChannelName": "train", "ContentType": "text/csv",
               "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": course_data.train_uri}}}
    client = course.sagemaker_client
    client.create_training_job(
        TrainingJobName="x-train", RoleArn=course.role, HyperParameters={"max_depth": "2"},
        AlgorithmSpecification={"TrainingImage": models.image_uri(course), "TrainingInputMode": "File"},
        InputDataConfig=[channel], OutputDataConfig={"S3OutputPath": f"s3://{course.bucket}/explain/train"},
        ResourceConfig={"InstanceType": "ml.m4.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 600})
    with pytest.raises(WaiterError):
        client.get_waiter("training_job_completed_or_stopped").wait(TrainingJobName="x-train")
    found = results.explain_failure(course, "x-train", quiet=True)
    assert found.status == "Failed" and "num_round" in found.evidence and "set_hyperparameters" in found.fix


def test_a_completed_job_has_nothing_to_explain(course, xgb_model_name, test_rows, capsys):
    transform(course, xgb_model_name, "x-ok", features_csv(test_rows))
    found = results.explain_failure(course, "x-ok")
    assert found.status == "Completed" and found.cause == "nothing failed" and not found.fix
    assert "x-ok: Completed" in capsys.readouterr().out
