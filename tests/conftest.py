"""Shared fixtures: one offline AWS per test module, the course's data in it, and a trained model artifact."""
from __future__ import annotations

import pytest

import helpers
from helpers.course import data, models


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
    return models.load_model_artifact(course, model_data)


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
