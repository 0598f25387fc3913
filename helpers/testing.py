"""pytest fixtures for a learner's own batch-transform code: the offline AWS with a bucket, a role and the course's
trained model, so a pipeline can be tested without an account (README, "Test your own code").

Installed with the kit as a pytest plugin (pyproject.toml's pytest11 entry point): any test run with the course's
environment can ask for these fixtures. One offline AWS serves the whole test session; give each test its own S3
prefix (`offline_prefix`) and job names so tests do not see each other's objects.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

import pytest


@dataclass
class CourseModel:
    """The course's XGBoost model on the offline AWS, ready for CreateTransformJob / Transformer(model_name=...)."""

    name: str  # the SageMaker model (CreateModel already done)
    model_data: str  # s3://.../model.tar.gz of the training job
    image_uri: str  # the built-in XGBoost 1.7-1 image
    test_uri: str  # s3://.../test.csv: the course's test rows, features only, no header (the transform input)
    test: Any  # the same rows as a pandas DataFrame, with the label MEDV, to check predictions against


@pytest.fixture(scope="session")
def offline_aws() -> Iterator[Any]:
    """The offline AWS for the test session, called as its role (so `get_execution_role()` answers it)."""
    from helpers import offline

    if offline.is_running():
        raise RuntimeError("The offline AWS is already running (started by other code in this test session); "
                           "use the offline_aws fixture alone, or stop it first with helpers.offline.stop().")
    aws = offline.start()
    aws.use_role_credentials()
    yield aws
    offline.stop()


@pytest.fixture(scope="session")
def offline_session(offline_aws):
    """A `sagemaker.Session()` on the offline AWS, as a notebook makes one."""
    import sagemaker

    return sagemaker.Session()


@pytest.fixture(scope="session")
def offline_role(offline_aws) -> str:
    """The ARN of the offline AWS's SageMaker execution role."""
    return offline_aws.role_arn


@pytest.fixture(scope="session")
def offline_bucket(offline_session) -> str:
    """The session's default bucket, `sagemaker-<region>-<account>`, created on first use as on AWS."""
    return offline_session.default_bucket()


@pytest.fixture
def offline_prefix(request, offline_bucket) -> str:
    """An S3 prefix of this test's own, e.g. `tests/test_scores_every_row`: objects of other tests are not under it."""
    return "tests/" + re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")


@pytest.fixture(scope="session")
def course_model(offline_session, offline_role, offline_bucket) -> CourseModel:
    """The course's model, trained once per session by a real offline training job (a few seconds), and its test data."""
    import boto3

    from helpers import data
    from helpers.backend import Course
    from helpers.models import image_uri, train_course_model, upload_course_data

    region = offline_session.boto_region_name
    course = Course(backend="offline", region=region, boto_session=offline_session.boto_session,
                    session=offline_session, role=offline_role, bucket=offline_bucket)
    course_data = upload_course_data(course)
    model_data = train_course_model(course, course_data)
    image = image_uri(course)
    name = "course-model"
    boto3.client("sagemaker", region_name=region).create_model(
        ModelName=name, ExecutionRoleArn=offline_role, PrimaryContainer={"Image": image, "ModelDataUrl": model_data})
    test = course_data.test[data.FEATURES + [data.TARGET]]
    return CourseModel(name=name, model_data=model_data, image_uri=image, test_uri=course_data.test_uri, test=test)
