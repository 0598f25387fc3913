"""The course's data in S3 and its trained model, so every notebook after 01 can stand on its own: on AWS it reuses
the newest completed training job of the course; offline (a fresh moto per kernel) it retrains in about a second."""
from __future__ import annotations

import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.course import data

XGBOOST_VERSION = "1.7-1"  # an explicit image version: notebook 01 shows why not 'latest'
COURSE_JOB_PREFIX = "course-xgboost"  # the course model's training jobs (notebook 01's base_job_name, and retraining)
HYPERPARAMETERS = {"max_depth": "5", "eta": "0.2", "gamma": "4", "min_child_weight": "6", "subsample": "0.8",
                   "objective": "reg:squarederror", "early_stopping_rounds": "10", "num_round": "200"}


@dataclass
class CourseData:
    """The split data as tables and where each CSV lives in S3."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    train_uri: str
    validation_uri: str
    test_uri: str


def upload_course_data(course) -> CourseData:
    """Split the Boston data as notebook 01 does and upload the three CSVs under the course prefix."""
    train, validation, test = data.split(data.load_boston())
    with tempfile.TemporaryDirectory(prefix="course-data-") as folder:  # private: notebooks may run side by side
        folder = Path(folder)
        paths = {
            "train": data.write_csv(data.label_first(train), folder / "train.csv"),
            "validation": data.write_csv(data.label_first(validation), folder / "validation.csv"),
            "test": data.write_csv(test[data.FEATURES], folder / "test.csv"),
        }
        uris = {name: course.session.upload_data(str(path), bucket=course.bucket, key_prefix=f"{course.prefix}/{name}")
                for name, path in paths.items()}
    return CourseData(train, validation, test, uris["train"], uris["validation"], uris["test"])


def image_uri(course) -> str:
    try:
        from sagemaker import image_uris
    except ImportError:  # SDK v3 (the appendix's .venv-v3) moved it
        from sagemaker.core import image_uris

    return image_uris.retrieve("xgboost", course.region, XGBOOST_VERSION)


def train_course_model(course, course_data: CourseData, job_prefix: str = COURSE_JOB_PREFIX) -> str:
    """Run the course's training job with boto3 (the SDK version is notebook 01) and return its model.tar.gz URI."""
    try:
        from sagemaker.utils import name_from_base
    except ImportError:  # SDK v3 (the appendix's .venv-v3) moved it
        from sagemaker.core.common_utils import name_from_base

    client = course.sagemaker_client
    name = name_from_base(course.named(job_prefix))
    channel = lambda uri: {"ChannelName": uri.rsplit("/", 2)[-2], "ContentType": "text/csv",  # noqa: E731
                           "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri,
                                                           "S3DataDistributionType": "FullyReplicated"}}}
    client.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": image_uri(course), "TrainingInputMode": "File"},
        RoleArn=course.role,
        HyperParameters=HYPERPARAMETERS,
        InputDataConfig=[channel(course_data.train_uri), channel(course_data.validation_uri)],
        OutputDataConfig={"S3OutputPath": course.s3_uri("model")},
        ResourceConfig={"InstanceType": course.instance_type, "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
        Tags=course.tags,
    )
    client.get_waiter("training_job_completed_or_stopped").wait(TrainingJobName=name, WaiterConfig={"Delay": 15})
    description = client.describe_training_job(TrainingJobName=name)
    if description["TrainingJobStatus"] != "Completed":
        raise RuntimeError(f"The course's training job {name} ended {description['TrainingJobStatus']}: "
                           f"{description.get('FailureReason', '')}")
    return description["ModelArtifacts"]["S3ModelArtifacts"]


def course_model_data(course, course_data: CourseData) -> str:
    """The model.tar.gz the notebook uses: the course's newest on AWS (no new cost), else a fresh training job."""
    if not course.offline:
        from helpers.connection.aws.resources import artifact_exists, find_latest_training_job

        latest = find_latest_training_job(course.sagemaker_client, name_prefix=course.named(COURSE_JOB_PREFIX),
                                          learner=course.learner or None)  # this learner's, in a shared account
        if latest is not None:
            artifact = latest["ModelArtifacts"]["S3ModelArtifacts"]
            if artifact_exists(course.s3_client, artifact):
                print(f"Reusing the course's newest training job {latest['TrainingJobName']}.")
                return artifact
            # CreateModel would refuse it ("Could not find model data at s3://..."): train again instead
            print(f"The course's newest training job {latest['TrainingJobName']} has no model artifact any more "
                  "(notebook 99 deletes the course's S3 objects); training the course model again.")
    model_data = train_course_model(course, course_data)
    print(f"Trained the course model ({'offline, ' if course.offline else ''}built-in XGBoost {XGBOOST_VERSION}).")
    return model_data


def load_model_artifact(course, model_data: str):
    """The xgboost Booster inside a model.tar.gz in S3, as the container loads it: the tests and `make bench` compare
    the offline runtime's predictions with its own (notebook 01 shows the same steps one by one)."""
    import io
    import tarfile

    import xgboost as xgb

    bucket, key = model_data[len("s3://"):].split("/", 1)
    body = course.s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        raw = tar.extractfile("xgboost-model").read()
    booster = xgb.Booster()
    booster.load_model(bytearray(raw))
    return booster


SDK_TRANSFORM_OUTPUT = "batch-transform-sdk"  # notebook 02's output folder under the course prefix (both tracks)
# The newest transform jobs looked at: in an account a class shares, every learner's jobs since the model was trained
# are listed, and each is described before its output path is known
MAX_JOBS_LOOKED_AT = 200
_DEFAULT_FILTERS = {"InputFilter": "$", "JoinSource": "None", "OutputFilter": "$"}


def notebook_02_predictions(course, course_data: CourseData, model_data: str) -> str | None:
    """On AWS, the name of notebook 02's transform job of test.csv with this same model, when it completed (or still
    runs) and its predictions are in S3, so a later notebook reads them instead of starting an instance for the same
    predictions; else None (always offline: each kernel has its own fresh AWS, where 02 never ran).

    Same model: 02 deletes its SageMaker model in Clean up, so the artifact is known from the order of events: 02's
    job was created after the training job of `model_data` ended, and that job is still the course's newest
    (course_model_data: 02 took the newest one with an artifact, and any retraining since would be newer)."""
    if course.offline:
        return None
    from helpers.connection.aws.resources import artifact_exists, find_latest_training_job, has_course_tag

    client = course.sagemaker_client
    trained = find_latest_training_job(client, name_prefix=course.named(COURSE_JOB_PREFIX), learner=course.learner or None)
    if trained is None or trained["ModelArtifacts"]["S3ModelArtifacts"] != model_data:
        return None
    listing = dict(CreationTimeAfter=trained["TrainingEndTime"], SortBy="CreationTime", SortOrder="Descending")
    output = course.s3_uri(SDK_TRANSFORM_OUTPUT)
    summaries = (summary for page in client.get_paginator("list_transform_jobs").paginate(**listing)
                 for summary in page["TransformJobSummaries"])
    for summary in itertools.islice(summaries, MAX_JOBS_LOOKED_AT):
        if summary["TransformJobStatus"] not in ("Completed", "InProgress"):
            continue
        job = client.describe_transform_job(TransformJobName=summary["TransformJobName"])
        source = job["TransformInput"]
        same = (job["TransformOutput"]["S3OutputPath"].rstrip("/") == output
                and source["DataSource"]["S3DataSource"]["S3Uri"] == course_data.test_uri
                and source.get("ContentType") == "text/csv" and source.get("SplitType") == "Line"
                and source.get("CompressionType", "None") == "None"
                and {**_DEFAULT_FILTERS, **job.get("DataProcessing", {})} == _DEFAULT_FILTERS
                and has_course_tag(client, job["TransformJobArn"], course.learner or None))
        if not same:
            continue
        predictions = f"{output}/{course_data.test_uri.rsplit('/', 1)[-1]}.out"
        if job["TransformJobStatus"] == "Completed" and not artifact_exists(course.s3_client, predictions):
            continue  # notebook 99 deleted the course's S3 objects
        print(f"reusing notebook 02's predictions: {predictions} ({job['TransformJobName']}, "
              f"{job['TransformJobStatus']})")
        return job["TransformJobName"]
    return None
