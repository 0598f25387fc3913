"""helpers/course/jobs.py: jobs started side by side are waited for once, each where it is read (notebook 04), with
botocore's own waiters, so a failed job raises the waiter's WaiterError as in the lesson."""
from __future__ import annotations

import pytest
from botocore.exceptions import WaiterError

from helpers.course import jobs
from tests.test_transform_conformance import ROWS, out_uri, put, request, small_booster, small_model  # noqa: F401


def test_jobs_started_together_are_all_waited_for_and_described(course, small_model):
    uri = put(course, "wait/in/rows.csv", ROWS)
    names = [f"wait-together-{n}" for n in range(3)]
    for name in names:  # all started before any wait
        course.sagemaker_client.create_transform_job(**request(course, small_model, name, uri, out_uri(course, name)))
    described = jobs.wait_for(course.sagemaker_client, *names)
    assert list(described) == names
    assert {d["TransformJobStatus"] for d in described.values()} == {"Completed"}


def test_a_failed_job_raises_the_waiters_own_error(course, small_model):
    uri = put(course, "wait/whole/rows.csv", ROWS * 200000)  # 1.6 MB, larger than 1 MB, sent whole: the job fails
    name = "wait-fails"
    course.sagemaker_client.create_transform_job(**request(course, small_model, name, uri, out_uri(course, name),
                                                           split="None", MaxPayloadInMB=1))
    with pytest.raises(WaiterError, match="TransformJobCompletedOrStopped failed: Waiter encountered a terminal "
                                          "failure state"):
        jobs.wait_for(course.sagemaker_client, name)


def test_a_wrong_kind_or_no_name_is_refused_with_advice(course):
    with pytest.raises(ValueError, match="kind must be one of transform, training, endpoint"):
        jobs.wait_for(course.sagemaker_client, "x", kind="batch")
    with pytest.raises(ValueError, match="Name at least one job"):
        jobs.wait_for(course.sagemaker_client)
