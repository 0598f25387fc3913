"""aws_resources: the latest course training job, and a clean-up that removes exactly the course's resources."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from helpers.connection.aws import resources as aws_resources
from helpers.connection.backend import Course
from helpers.connection.names import COURSE_PREFIX, COURSE_TAGS

REGION = "us-west-2"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/BatchTransformCourseRole"
BUCKET = f"sagemaker-{REGION}-{ACCOUNT}"
OTHER_TAGS = [{"Key": "team", "Value": "pricing"}]


@pytest.fixture
def aws(monkeypatch):
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", REGION)):
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def make_course(boto_session):
    sm = boto_session.client("sagemaker")
    return Course(backend="offline", region=REGION, boto_session=boto_session,
                  session=SimpleNamespace(sagemaker_client=sm), role=ROLE, bucket=BUCKET)


def create_model(sm, name, tags, model_data=f"s3://{BUCKET}/model.tar.gz"):
    sm.create_model(ModelName=name, PrimaryContainer={"Image": "img", "ModelDataUrl": model_data},
                    ExecutionRoleArn=ROLE, Tags=tags)


def create_endpoint(sm, name, model, tags):
    sm.create_endpoint_config(EndpointConfigName=f"{name}-config", Tags=tags, ProductionVariants=[
        {"VariantName": "main", "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.t2.medium"}])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config", Tags=tags)


def summary(name, minute):
    return {"TrainingJobName": name, "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{name}",
            "CreationTime": dt.datetime(2026, 1, 1, 12, minute), "TrainingJobStatus": "Completed"}


# --- tags ------------------------------------------------------------------------------------------------------

def test_course_tags_are_a_fresh_copy():
    tags = aws_resources.course_tags()
    assert tags == COURSE_TAGS
    tags[0]["Value"] = "changed"
    assert aws_resources.course_tags() == COURSE_TAGS


# --- the latest training job ---------------------------------------------------------------------------------

def test_the_newest_tagged_job_wins_across_pages_whatever_order_the_api_returns():
    sm = boto3.Session(region_name=REGION, aws_access_key_id="testing",
                       aws_secret_access_key="testing").client("sagemaker")
    listing = {"StatusEquals": "Completed", "SortBy": "CreationTime", "SortOrder": "Descending"}
    with Stubber(sm) as stubber:
        stubber.add_response("list_training_jobs", {"TrainingJobSummaries": [summary("old", 1), summary("newest", 9)],
                                                    "NextToken": "page2"}, listing)
        stubber.add_response("list_training_jobs", {"TrainingJobSummaries": [summary("newer", 5)]},
                             {**listing, "NextToken": "page2"})
        # Tags are read newest first, and reading stops at the first course job: "old" is never asked about.
        stubber.add_response("list_tags", {"Tags": OTHER_TAGS}, {"ResourceArn": summary("newest", 9)["TrainingJobArn"]})
        stubber.add_response("list_tags", {"Tags": OTHER_TAGS + COURSE_TAGS},
                             {"ResourceArn": summary("newer", 5)["TrainingJobArn"]})
        stubber.add_response("describe_training_job", {
            "TrainingJobName": "newer", "TrainingJobArn": summary("newer", 5)["TrainingJobArn"],
            "TrainingJobStatus": "Completed", "SecondaryStatus": "Completed",
            "ModelArtifacts": {"S3ModelArtifacts": f"s3://{BUCKET}/{COURSE_PREFIX}/model/newer/output/model.tar.gz"},
            "AlgorithmSpecification": {"TrainingInputMode": "File"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "CreationTime": dt.datetime(2026, 1, 1, 12, 5)}, {"TrainingJobName": "newer"})
        job = aws_resources.find_latest_training_job(sm)
        stubber.assert_no_pending_responses()
    assert job["TrainingJobName"] == "newer"
    assert job["ModelArtifacts"]["S3ModelArtifacts"].endswith("newer/output/model.tar.gz")


def test_with_moto_only_completed_course_jobs_count(aws):
    sm = aws.client("sagemaker")
    for name, tags in (("course-first", COURSE_TAGS), ("course-second", COURSE_TAGS), ("someone-else", OTHER_TAGS)):
        sm.create_training_job(
            TrainingJobName=name, RoleArn=ROLE, Tags=tags,
            AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
            OutputDataConfig={"S3OutputPath": f"s3://{BUCKET}/{COURSE_PREFIX}/model"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            StoppingCondition={"MaxRuntimeInSeconds": 3600})
    assert aws_resources.find_latest_training_job(sm)["TrainingJobName"] == "course-second"


def test_artifact_exists_sees_a_deleted_model_tar_gz(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    uri = f"s3://{BUCKET}/{COURSE_PREFIX}/model/job/output/model.tar.gz"
    s3.put_object(Bucket=BUCKET, Key=uri.split("/", 3)[3], Body=b"model")
    assert aws_resources.artifact_exists(s3, uri)
    s3.delete_object(Bucket=BUCKET, Key=uri.split("/", 3)[3])
    assert not aws_resources.artifact_exists(s3, uri)
    assert not aws_resources.artifact_exists(s3, "s3://no-such-bucket-for-the-course/model.tar.gz")


def test_no_course_job_gives_none(aws):
    assert aws_resources.find_latest_training_job(aws.client("sagemaker")) is None


# --- clean-up ---------------------------------------------------------------------------------------------------

@pytest.fixture
def populated(aws):
    """The course's resources next to someone else's: untagged models and endpoints, objects outside the prefix."""
    sm, s3 = aws.client("sagemaker"), aws.client("s3")
    create_model(sm, "course-model", COURSE_TAGS)
    create_model(sm, "course-model-2", COURSE_TAGS)
    create_model(sm, "their-model", OTHER_TAGS)
    create_model(sm, "untagged-model", [])
    create_endpoint(sm, "course-endpoint", "course-model", COURSE_TAGS)
    create_endpoint(sm, "their-endpoint", "their-model", OTHER_TAGS)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.create_bucket(Bucket="their-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
    course_keys = [f"{COURSE_PREFIX}/input/test.csv", f"{COURSE_PREFIX}/output/test.csv.out",
                   f"{COURSE_PREFIX}/model/job/output/model.tar.gz"]
    for key in course_keys + [f"{COURSE_PREFIX}-old/keep.csv", "keep.csv", "other/keep.csv"]:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"1,2\n")
    s3.put_object(Bucket="their-bucket", Key=f"{COURSE_PREFIX}/input/test.csv", Body=b"1,2\n")
    return SimpleNamespace(course=make_course(aws), sm=sm, s3=s3, course_keys=course_keys)


def names(sm):
    return {
        "models": sorted(m["ModelName"] for m in sm.list_models()["Models"]),
        "configs": sorted(c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]),
        "endpoints": sorted(e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]),
    }


def keys(s3, bucket=BUCKET):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_a_dry_run_lists_the_course_resources_and_deletes_nothing(populated, capsys):
    before = (names(populated.sm), keys(populated.s3))
    report = aws_resources.clean_up(populated.course, dry_run=True)
    assert (names(populated.sm), keys(populated.s3)) == before
    assert report.models == ["course-model", "course-model-2"]
    assert report.endpoints == ["course-endpoint"] and report.endpoint_configs == ["course-endpoint-config"]
    assert sorted(report.s3_objects) == sorted(populated.course_keys)
    printed = capsys.readouterr().out
    assert printed.startswith("Clean-up: would delete") and "2 models: course-model, course-model-2" in printed
    assert "1 endpoint: course-endpoint" in printed
    assert f"3 S3 objects under s3://{BUCKET}/{COURSE_PREFIX}/" in printed


def test_clean_up_removes_exactly_the_course_resources(populated, capsys):
    report = aws_resources.clean_up(populated.course)
    assert names(populated.sm) == {"models": ["their-model", "untagged-model"], "configs": ["their-endpoint-config"],
                                   "endpoints": ["their-endpoint"]}
    assert keys(populated.s3) == sorted([f"{COURSE_PREFIX}-old/keep.csv", "keep.csv", "other/keep.csv"])
    assert keys(populated.s3, "their-bucket") == [f"{COURSE_PREFIX}/input/test.csv"]
    assert not report.dry_run and len(report.s3_objects) == 3
    assert capsys.readouterr().out.startswith("Clean-up: deleted the course's resources:")


def test_endpoints_go_before_their_configs_and_models(populated):
    calls = []
    populated.course.sagemaker_client.meta.events.register(
        "before-call.sagemaker", lambda model, **kwargs: calls.append(model.name))
    aws_resources.clean_up(populated.course, quiet=True)
    deletes = [name for name in calls if name.startswith("Delete")]
    assert deletes == ["DeleteEndpoint", "DeleteEndpointConfig", "DeleteModel", "DeleteModel"]


def test_an_untagged_endpoint_named_with_the_course_prefix_is_the_courses(populated):
    """A deploy() run without tags= still bills by the hour: the clean-up takes endpoints named for the course too."""
    name = aws_resources.ENDPOINT_NAME_PREFIX + "endpoint-2026-12-04"
    create_endpoint(populated.sm, name, "untagged-model", [])
    report = aws_resources.clean_up(populated.course, quiet=True)
    assert report.endpoints == sorted(["course-endpoint", name])
    assert report.endpoint_configs == sorted(["course-endpoint-config", name + "-config"])
    assert "untagged-model" in names(populated.sm)["models"]  # models still go by tag only


def test_a_second_clean_up_finds_nothing(populated, capsys):
    aws_resources.clean_up(populated.course, quiet=True)
    report = aws_resources.clean_up(populated.course)
    assert report.empty and "nothing to delete" in capsys.readouterr().out


def test_an_empty_prefix_is_refused(populated):
    populated.course.prefix = "/"
    with pytest.raises(ValueError, match="whole bucket"):
        aws_resources.clean_up(populated.course)
    assert len(keys(populated.s3)) == 6


def test_objects_are_deleted_in_batches_of_1000():
    s3 = boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing").client("s3")
    many = [f"{COURSE_PREFIX}/part-{i:04d}" for i in range(1001)]
    with Stubber(s3) as stubber:
        for batch in (many[:1000], many[1000:]):
            stubber.add_response("delete_objects", {}, {
                "Bucket": BUCKET, "Delete": {"Objects": [{"Key": k} for k in batch], "Quiet": True}})
        aws_resources._delete_objects(s3, BUCKET, many)
        stubber.assert_no_pending_responses()


def test_objects_s3_would_not_delete_are_reported():
    s3 = boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing").client("s3")
    with Stubber(s3) as stubber:
        stubber.add_response("delete_objects", {"Errors": [{"Key": "k", "Code": "AccessDenied",
                                                            "Message": "Access Denied"}]})
        with pytest.raises(RuntimeError, match="s3:DeleteObject"):
            aws_resources._delete_objects(s3, BUCKET, ["k"])


def test_clean_up_works_on_the_offline_backend(capsys):
    """The notebooks' Clean-up cell runs offline too: the kit's moto-backed SageMaker and S3."""
    import helpers
    import sagemaker_offline as offline

    course = helpers.connect("offline", quiet=True)
    try:
        sm, s3 = course.sagemaker_client, course.s3_client
        s3.put_object(Bucket=course.bucket, Key="model.tar.gz", Body=b"model")  # CreateModel checks it exists
        create_model(sm, "course-model", course.tags)
        create_model(sm, "their-model", OTHER_TAGS)
        s3.put_object(Bucket=course.bucket, Key=f"{course.prefix}/input/test.csv", Body=b"1,2\n")
        s3.put_object(Bucket=course.bucket, Key="elsewhere.csv", Body=b"1,2\n")
        report = aws_resources.clean_up(course)
        assert report.models == ["course-model"] and report.s3_objects == [f"{course.prefix}/input/test.csv"]
        assert [m["ModelName"] for m in sm.list_models()["Models"]] == ["their-model"]
        assert keys(s3, course.bucket) == ["elsewhere.csv", "model.tar.gz"]
        assert "1 model: course-model" in capsys.readouterr().out
    finally:
        offline.stop()
