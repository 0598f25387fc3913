"""The course's trained XGBoost model on the offline AWS, with its test rows, for a learner's own tests: what the
`course_model` fixture gives (README, "Test your own code"; the fixture is in batch_transform_course_fixtures.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

@dataclass
class CourseModel:
    """The course's XGBoost model on the offline AWS, ready for CreateTransformJob / Transformer(model_name=...)."""

    name: str  # the SageMaker model (CreateModel already done)
    model_data: str  # s3://.../model.tar.gz of the training job
    image_uri: str  # the built-in XGBoost 1.7-1 image
    test_uri: str  # s3://.../test.csv: the course's test rows, features only, no header (the transform input)
    test: Any  # the same rows as a pandas DataFrame, with the label MEDV, to check predictions against


def course_model(offline_session, offline_role, offline_bucket) -> CourseModel:
    """The course's model, trained once per session by a real offline training job (a few seconds), and its test data."""
    import boto3

    from helpers.course import data
    from helpers.connection.backend import Course
    from helpers.course.models import image_uri, train_course_model, upload_course_data

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
