"""CreateModel refuses model data that is not in S3, as SageMaker does (issue 21), through boto3 and the SDK; the
course's model reuse on AWS checks the artifact of the training job it reuses."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from helpers.course import models

MISSING = "s3://{bucket}/no-such-training-job/output/model.tar.gz"


def test_boto3_create_model_with_missing_model_data_is_a_validation_exception(course):
    url = MISSING.format(bucket=course.bucket)
    with pytest.raises(ClientError) as raised:
        course.sagemaker_client.create_model(ModelName="missing-artifact", ExecutionRoleArn=course.role,
                                             PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": url})
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == f"Could not find model data at {url}."
    assert "missing-artifact" not in [m["ModelName"] for m in course.sagemaker_client.list_models()["Models"]]


def test_a_bucket_that_does_not_exist_is_refused_the_same_way(course):
    url = "s3://no-such-bucket-for-the-course/model.tar.gz"
    with pytest.raises(ClientError, match="Could not find model data at s3://no-such-bucket-for-the-course/"):
        course.sagemaker_client.create_model(ModelName="missing-bucket", ExecutionRoleArn=course.role,
                                             PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": url})


def test_the_sdk_raises_it_when_the_transformer_creates_the_model(course):
    from sagemaker.model import Model

    url = MISSING.format(bucket=course.bucket)
    model = Model(image_uri=models.image_uri(course), model_data=url, role=course.role,
                  sagemaker_session=course.session)
    with pytest.raises(ClientError, match=r"CreateModel operation: Could not find model data at s3://"):
        model.transformer(instance_count=1, instance_type="ml.m4.xlarge",
                          output_path=f"s3://{course.bucket}/model-data/out")


def test_a_model_whose_artifact_exists_is_created(course, model_data):
    course.sagemaker_client.create_model(ModelName="artifact-present", ExecutionRoleArn=course.role,
                                         PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": model_data})
    assert course.sagemaker_client.describe_model(ModelName="artifact-present")["PrimaryContainer"][
        "ModelDataUrl"] == model_data


def test_an_artifact_deleted_after_create_model_fails_the_transform_job(course, model_data):
    """CreateModel checked the artifact; deleted afterwards, the job fails in CreateModel's words, without advice."""
    bucket, key = model_data.removeprefix("s3://").split("/", 1)
    copy_key = "model-data/deleted-later/model.tar.gz"
    course.s3_client.copy_object(Bucket=bucket, Key=copy_key, CopySource={"Bucket": bucket, "Key": key})
    url = f"s3://{bucket}/{copy_key}"
    course.sagemaker_client.create_model(ModelName="deleted-later", ExecutionRoleArn=course.role,
                                         PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": url})
    course.s3_client.delete_object(Bucket=bucket, Key=copy_key)
    course.s3_client.put_object(Bucket=bucket, Key="model-data/in/rows.csv", Body=b"1,2,3,4,5,6,7,8,9,10,11,12,13\n")
    client = course.sagemaker_client
    client.create_transform_job(
        TransformJobName="deleted-later", ModelName="deleted-later",
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                        "S3Uri": f"s3://{bucket}/model-data/in/"}},
                        "ContentType": "text/csv", "SplitType": "Line"},
        TransformOutput={"S3OutputPath": f"s3://{bucket}/model-data/out"},
        TransformResources={"InstanceType": "ml.m4.xlarge", "InstanceCount": 1})
    try:
        client.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName="deleted-later",
                                                                     WaiterConfig={"Delay": 1, "MaxAttempts": 100})
    except Exception:  # noqa: BLE001 - the waiter gives up on Failed
        pass
    described = client.describe_transform_job(TransformJobName="deleted-later")
    assert described["TransformJobStatus"] == "Failed"
    assert described["FailureReason"] == f"ClientError: Could not find model data at {url}"
