"""Shared fixtures: one offline AWS per test module, the course's data in it, and a trained model artifact."""
from __future__ import annotations

import io
import tarfile

import pytest

import helpers
from helpers import data, models


@pytest.fixture(scope="module")
def course():
    """A course connected to a fresh offline AWS, stopped when the module's tests end."""
    course = helpers.connect("offline", quiet=True)
    yield course
    helpers.offline.stop()


@pytest.fixture(scope="module")
def course_data(course):
    return models.upload_course_data(course)


@pytest.fixture(scope="module")
def model_data(course, course_data):
    return models.train_course_model(course, course_data)


@pytest.fixture(scope="module")
def booster(course, model_data):
    """The trained artifact loaded with xgboost itself, to compare the runtime's predictions with."""
    import xgboost as xgb

    bucket, key = model_data[len("s3://"):].split("/", 1)
    body = course.s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        raw = tar.extractfile("xgboost-model").read()
    model = xgb.Booster()
    model.load_model(bytearray(raw))
    return model


@pytest.fixture(scope="module")
def xgb_model_name(course, model_data):
    """A SageMaker model on the course's XGBoost image and artifact."""
    name = "test-model"
    course.sagemaker_client.create_model(
        ModelName=name, ExecutionRoleArn=course.role,
        PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": model_data})
    return name


def features_csv(frame) -> bytes:
    return frame[data.FEATURES].to_csv(header=False, index=False).encode()
