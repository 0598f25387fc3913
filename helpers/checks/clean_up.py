"""Check cells of notebook 99 (clean up everything the course created): predict what a dry run finds."""
from __future__ import annotations

from helpers.checks.common import correct, unanswered


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_dry_run_prediction(answer, report, tagged_models: int, untagged_models: int) -> None:
    """Exercise 99.1: (models, S3 objects) a dry run would delete after the exercise's set-up cell.

    `report` is the dry run the check makes; `tagged_models`/`untagged_models` say how many models the set-up made
    with and without the course's exact tag, so the hints can name the usual mistakes.
    """
    if unanswered(answer):
        return
    assert isinstance(answer, (tuple, list)) and len(answer) == 2 and all(_whole(v) for v in answer), (
        "Answer with a tuple of two whole numbers: (models, S3 objects).")
    models, objects = answer
    expected_models, expected_objects = len(report.models), len(report.s3_objects)
    if models == tagged_models + untagged_models and models != expected_models:
        raise AssertionError("Clean-up deletes a model only if its tags include course=sagemaker-batch-transform and "
                             "your learner tag, key AND value: a model tagged with another value is someone else's.")
    assert models == expected_models, ("Count the models whose tags include your tags exactly, course.tags "
                                       "(ListTags on each model's ARN).")
    assert objects == expected_objects, ("Count the objects whose key starts with your prefix and a slash "
                                         "(ListObjectsV2 with Prefix=course.prefix + '/'): only those are "
                                         "deleted.")
    correct(f"{expected_models} model(s) and {expected_objects} object(s): the clean-up matches the tag's key and "
            "value, and the prefix as a folder.")
