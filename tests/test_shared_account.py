"""A class of learners in one account (issue 22): each learner's prefix, tags and names carry their learner id, model
reuse finds their own model only, and each one's clean-up deletes their own resources only; the instructor's
clean-up across learners deletes the whole class's and nothing else."""
from __future__ import annotations

import dataclasses
import json

import pytest

import helpers
from helpers.course import models
from helpers.connection.aws import resources as aws_resources
from helpers.connection.aws.resources import find_latest_training_job
from helpers.connection.names import (COURSE_PREFIX, LEARNER_TAG_KEY, LEARNER_VARIABLE, CourseSetupError, learner_id,
                                      learner_prefix, learner_tags, sanitize_learner)


# --- the learner id -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("Ana", "ana"),
    ("ana.lopez@example.com", "ana-lopez"),
    ("  Ben_O'Neil  ", "ben-o-neil"),
    ("student 07", "student-07"),
    ("a-very-long-user-profile-name-from-studio", "a-very-long-user-pro"),
    ("x" * 19 + "-yz", "x" * 19),  # cut at 20 characters, and never ending in a hyphen
])
def test_a_learner_id_is_valid_in_s3_keys_tags_and_sagemaker_names(raw, expected):
    learner = sanitize_learner(raw)
    assert learner == expected
    name = f"course-xgboost-{learner}-2026-12-01-22-29-28-100"  # the longest name the course makes from it
    assert len(name) <= 63 and all(c.isalnum() or c == "-" for c in name) and "--" not in learner


def test_a_learner_id_without_letters_or_digits_is_refused_with_advice():
    with pytest.raises(CourseSetupError, match=LEARNER_VARIABLE):
        sanitize_learner("__@@__")


def test_the_learner_id_comes_from_the_argument_then_the_variable_then_studio_then_the_os_user(tmp_path, monkeypatch):
    metadata = tmp_path / "resource-metadata.json"
    metadata.write_text(json.dumps({"DomainId": "d-abc123", "UserProfileName": "Student-07"}))
    monkeypatch.setenv(LEARNER_VARIABLE, "Ben")
    assert learner_id("Ana", metadata_file=metadata) == "ana"
    assert learner_id(metadata_file=metadata) == "ben"
    monkeypatch.delenv(LEARNER_VARIABLE)
    assert learner_id(metadata_file=metadata) == "student-07"
    metadata.write_text(json.dumps({"DomainId": "d-abc123", "SpaceName": "ana-private-space"}))
    assert learner_id(metadata_file=metadata) == "ana-private-space"
    monkeypatch.setattr("getpass.getuser", lambda: "Carla")
    assert learner_id(metadata_file=tmp_path / "missing.json") == "carla"


# --- two learners in one offline account -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def classroom():
    """Ana's and Ben's courses on the same offline account: each trains, creates a model and uploads data."""
    ana = helpers.connect("offline", quiet=True, learner="ana")
    ben = dataclasses.replace(ana, learner="ben", prefix=learner_prefix("ben"), tags=learner_tags("ben"))
    made = {}
    for course in (ana, ben):
        course_data = models.upload_course_data(course)
        model_data = models.train_course_model(course, course_data)
        model = course.named("boston-xgboost")
        course.sagemaker_client.create_model(
            ModelName=model, ExecutionRoleArn=course.role, Tags=course.tags,
            PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": model_data})
        made[course.learner] = {"course": course, "model": model, "model_data": model_data}
    sm = ana.sagemaker_client
    sm.create_model(ModelName="someone-elses-model", ExecutionRoleArn=ana.role,
                    PrimaryContainer={"Image": models.image_uri(ana), "ModelDataUrl": made["ana"]["model_data"]})
    ana.s3_client.put_object(Bucket=ana.bucket, Key="not-the-course/keep.csv", Body=b"1\n")
    yield made
    helpers.offline.stop()


def _models(course) -> set[str]:
    return {m["ModelName"] for m in course.sagemaker_client.list_models()["Models"]}


def _keys(course, prefix: str = "") -> set[str]:
    listed = course.s3_client.list_objects_v2(Bucket=course.bucket, Prefix=prefix)
    return {item["Key"] for item in listed.get("Contents", [])}


def test_each_learner_writes_under_their_own_prefix_with_their_own_tag(classroom):
    for learner, made in classroom.items():
        course = made["course"]
        assert course.prefix == f"{COURSE_PREFIX}/{learner}"
        assert made["model_data"].startswith(f"s3://{course.bucket}/{COURSE_PREFIX}/{learner}/model/")
        arn = course.sagemaker_client.describe_model(ModelName=made["model"])["ModelArn"]
        tags = course.sagemaker_client.list_tags(ResourceArn=arn)["Tags"]
        assert {"Key": LEARNER_TAG_KEY, "Value": learner} in tags
        assert made["model"] == f"boston-xgboost-{learner}"


def test_model_reuse_finds_the_learners_own_newest_model(classroom):
    """Ben trained after Ana: "the newest course model" must still be Ana's own for Ana."""
    for learner, made in classroom.items():
        course = made["course"]
        job = find_latest_training_job(course.sagemaker_client, name_prefix=course.named(models.COURSE_JOB_PREFIX),
                                       learner=course.learner)
        assert job["ModelArtifacts"]["S3ModelArtifacts"] == made["model_data"], learner


def test_each_learners_clean_up_deletes_only_their_own(classroom):
    ana, ben = classroom["ana"]["course"], classroom["ben"]["course"]
    bens_keys = _keys(ben, ben.prefix + "/")
    assert bens_keys and _keys(ana, ana.prefix + "/")

    report = aws_resources.clean_up(ana, quiet=True)
    assert report.models == ["boston-xgboost-ana"]
    assert _models(ana) == {"boston-xgboost-ben", "someone-elses-model"}
    assert _keys(ana, ana.prefix + "/") == set()
    assert _keys(ben, ben.prefix + "/") == bens_keys, "Ana's clean-up touched Ben's objects"

    report = aws_resources.clean_up(ben, quiet=True)
    assert report.models == ["boston-xgboost-ben"]
    assert _models(ben) == {"someone-elses-model"}
    assert _keys(ben, COURSE_PREFIX + "/") == set()
    assert _keys(ben) == {"not-the-course/keep.csv"}


def test_the_instructors_clean_up_removes_every_learners_resources_and_nothing_else(classroom):
    ana = classroom["ana"]["course"]
    carla = dataclasses.replace(ana, learner="carla", prefix=learner_prefix("carla"), tags=learner_tags("carla"))
    for course in (ana, carla):
        course.s3_client.put_object(Bucket=course.bucket, Key=f"{course.prefix}/notes.txt", Body=b"notes")
        # an artifact of the learner's own: ana's trained one may be gone (her clean-up ran), and CreateModel, as on
        # AWS, refuses model data that is not there
        artifact = f"{course.prefix}/late-model/model.tar.gz"
        course.s3_client.put_object(Bucket=course.bucket, Key=artifact, Body=b"a model archive")
        course.sagemaker_client.create_model(
            ModelName=course.named("late-model"), ExecutionRoleArn=course.role, Tags=course.tags,
            PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": f"s3://{course.bucket}/{artifact}"})
    dry = aws_resources.clean_up(carla, dry_run=True, quiet=True)
    assert dry.models == ["late-model-carla"]
    assert dry.s3_objects == [f"{carla.prefix}/late-model/model.tar.gz", f"{carla.prefix}/notes.txt"]
    report = aws_resources.clean_up(ana, all_learners=True, quiet=True)
    assert report.models == ["late-model-ana", "late-model-carla"]
    assert report.s3_location.endswith(f"/{COURSE_PREFIX}/")
    assert _models(ana) == {"someone-elses-model"} and _keys(ana) == {"not-the-course/keep.csv"}
