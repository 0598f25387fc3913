"""Notebook 06 on AWS reads notebook 02's predictions of test.csv instead of starting an instance for the same ones
(helpers/course/models.notebook_02_predictions), and waits for its own jobs where it reads them (jobs.completed).

The reuse holds only if the outputs are the same: 02's request (the SDK's transformer.transform: ContentType text/csv,
SplitType Line, no Accept, AssembleWith or DataProcessing) and 06's own (Accept text/csv, AssembleWith Line, the
default DataProcessing) give the same predictions from the same model and input, checked here by running both. The
AWS branch is exercised on the offline AWS with the course's backend set to "aws" (same clients, AWS code path)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from helpers.course import jobs, models, results

TRANSFORM = "transform_job_completed_or_stopped"


def _transform(course, model_name, name, source, output, **extra):
    """A transform job of test.csv as notebook 02 (no extras) or 06 (Accept, AssembleWith, DataProcessing) makes it."""
    accept = extra.pop("accept", None)
    request = dict(
        TransformJobName=name, ModelName=model_name,
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": source}},
                        "ContentType": "text/csv", "SplitType": "Line"},
        TransformOutput={"S3OutputPath": output, **({"Accept": accept, "AssembleWith": "Line"} if accept else {})},
        TransformResources={"InstanceType": course.instance_type, "InstanceCount": 1}, Tags=course.tags, **extra)
    course.sagemaker_client.create_transform_job(**request)
    return name


@pytest.fixture(scope="module")
def model_name(course, model_data):
    course.sagemaker_client.create_model(ModelName="reuse-course-model", ExecutionRoleArn=course.role, Tags=course.tags,
                                         PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": model_data})
    return "reuse-course-model"


@pytest.fixture(scope="module")
def notebook_02_job(course, course_data, model_data, model_name):
    """02's job, created after the course model's training job ended, as when a learner runs 01 and then 02."""
    return _transform(course, model_name, "sagemaker-xgboost-reuse-02", course_data.test_uri,
                      course.s3_uri(models.SDK_TRANSFORM_OUTPUT))


def test_02s_request_and_06s_give_the_same_predictions(course, course_data, model_name, notebook_02_job):
    ours = _transform(course, model_name, "reuse-06-own", course_data.test_uri, course.s3_uri("reuse", "own"),
                      accept="text/csv", DataProcessing={"InputFilter": "$", "JoinSource": "None", "OutputFilter": "$"})
    described = jobs.wait_for(course.sagemaker_client, notebook_02_job, ours)
    read = {name: results.read_predictions(course.s3_client, results.list_outputs(
        course.s3_client, job["TransformOutput"]["S3OutputPath"] + "/")[0]) for name, job in described.items()}
    assert len(read[ours]) == len(course_data.test)
    assert np.array_equal(read[notebook_02_job], read[ours])


def test_offline_nothing_is_reused(course, course_data, model_data, notebook_02_job):
    jobs.completed(course.sagemaker_client, notebook_02_job)
    assert models.notebook_02_predictions(course, course_data, model_data) is None  # each kernel has its own AWS


def test_on_aws_02s_completed_job_is_reused_and_says_so(course, course_data, model_data, notebook_02_job, capsys):
    on_aws = dataclasses.replace(course, backend="aws")
    jobs.completed(course.sagemaker_client, notebook_02_job)
    assert models.notebook_02_predictions(on_aws, course_data, model_data) == notebook_02_job
    predictions = course.s3_uri(models.SDK_TRANSFORM_OUTPUT, "test.csv.out")
    assert capsys.readouterr().out == f"reusing notebook 02's predictions: {predictions} ({notebook_02_job}, Completed)\n"


def test_another_model_or_a_deleted_output_is_not_reused(course, course_data, model_data, notebook_02_job):
    on_aws = dataclasses.replace(course, backend="aws")
    jobs.completed(course.sagemaker_client, notebook_02_job)
    assert models.notebook_02_predictions(on_aws, course_data, model_data + ".other") is None  # not the newest model
    bucket, key = course.s3_uri(models.SDK_TRANSFORM_OUTPUT, "test.csv.out")[5:].split("/", 1)
    body = course.s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
    course.s3_client.delete_object(Bucket=bucket, Key=key)  # notebook 99 deleted the course's S3 objects
    try:
        assert models.notebook_02_predictions(on_aws, course_data, model_data) is None
    finally:
        course.s3_client.put_object(Bucket=bucket, Key=key, Body=body)


def test_a_newer_course_model_is_not_the_one_02_used(course, course_data, notebook_02_job):
    """02's job was created before this training job ended, so it cannot have used its artifact."""
    on_aws = dataclasses.replace(course, backend="aws")
    jobs.completed(course.sagemaker_client, notebook_02_job)
    newer = models.train_course_model(course, course_data)
    assert models.notebook_02_predictions(on_aws, course_data, newer) is None


def test_a_failed_job_raises_its_failure_reason_where_it_is_read(course, model_name):
    bucket = course.bucket
    course.s3_client.put_object(Bucket=bucket, Key=f"{course.prefix}/reuse/bad/rows.csv", Body=b"not,a,number\n")
    name = _transform(course, model_name, "reuse-fails", course.s3_uri("reuse", "bad"), course.s3_uri("reuse", "bad-out"))
    with pytest.raises(RuntimeError, match=r"^Transform job reuse-fails ended Failed: \S"):
        jobs.completed(course.sagemaker_client, name)
    with pytest.raises(ValueError, match="kind must be one of"):
        jobs.completed(course.sagemaker_client, name, kind="batch")


def test_a_job_the_waiter_gave_up_on_says_it_still_runs(course, course_data, model_name, monkeypatch):
    monkeypatch.setattr(jobs, "WAITER_CONFIG", {"Delay": 1, "MaxAttempts": 1})  # one look, at once after the create
    name = _transform(course, model_name, "reuse-still-running", course_data.test_uri, course.s3_uri("reuse", "slow"))
    with pytest.raises(RuntimeError, match=r"^Transform job reuse-still-running is still InProgress after 1 s of waiting; run this cell again"):
        jobs.completed(course.sagemaker_client, name)
    monkeypatch.undo()
    assert jobs.completed(course.sagemaker_client, name)["TransformJobStatus"] == "Completed"  # waited on: it ends
