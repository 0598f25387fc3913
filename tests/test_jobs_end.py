"""Every offline job ends (issue 21): bad requests a learner can make and errors inside the runtime itself end the job
Failed within seconds, never InProgress; and the List calls filter, sort and page as the API reference says."""
from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

import helpers
from sagemaker_offline.service import QUICK_FINISH_SECONDS
from tests.test_transform_conformance import (ROWS, keys_under, log_lines, out_uri, put, request, small_booster,  # noqa: F401
                                              small_model)


def _create_and_wait(course, req: dict, seconds: float = 20) -> tuple[dict, float]:
    """Create the job without the waiter's pacing and poll describe until it leaves InProgress (or time runs out)."""
    aws = helpers.offline.current()
    aws.quick_finish_seconds = 0
    started = time.monotonic()
    try:
        course.sagemaker_client.create_transform_job(**req)
    finally:
        aws.quick_finish_seconds = QUICK_FINISH_SECONDS
    described = {}
    while time.monotonic() - started < seconds:
        described = course.sagemaker_client.describe_transform_job(TransformJobName=req["TransformJobName"])
        if described["TransformJobStatus"] not in ("InProgress", "Stopping"):
            break
        time.sleep(0.05)
    return described, time.monotonic() - started


def test_an_output_path_in_a_missing_bucket_fails_the_job(course, small_model):
    uri = put(course, "ends/bucket/in/rows.csv", ROWS)
    req = request(course, small_model, "ends-no-bucket", uri, "s3://no-such-bucket-for-the-course/out")
    described, took = _create_and_wait(course, req)
    assert described["TransformJobStatus"] == "Failed", described
    assert took < 15
    assert described["FailureReason"].startswith("ClientError: ")
    assert "no-such-bucket-for-the-course" in described["FailureReason"]


@pytest.mark.parametrize("bad_filter", ["$[1:", "$..[?(@.x", "features"])
def test_a_malformed_input_filter_fails_the_job(course, small_model, bad_filter):
    uri = put(course, "ends/filter/in/rows.csv", ROWS)
    name = f"ends-filter-{abs(hash(bad_filter)) % 10000}"
    req = request(course, small_model, name, uri, out_uri(course, "ends-filter"),
                  DataProcessing={"InputFilter": bad_filter})
    described, took = _create_and_wait(course, req)
    assert described["TransformJobStatus"] == "Failed", described
    assert took < 15
    assert described["FailureReason"].startswith("ClientError: DataProcessing InputFilter")
    assert keys_under(course, "conformance/ends-filter/out") == []


def test_an_error_inside_the_runtime_ends_the_job_failed_within_seconds(course, small_model, monkeypatch):
    from sagemaker_offline import transform

    def planted(self, uploaded):
        raise RuntimeError("planted by the test")

    monkeypatch.setattr(transform.TransformRun, "_run", planted)
    uri = put(course, "ends/planted/in/rows.csv", ROWS)
    described, took = _create_and_wait(course, request(course, small_model, "ends-planted", uri,
                                                       out_uri(course, "ends-planted")))
    assert described["TransformJobStatus"] == "Failed", described
    assert took < 10
    assert described["FailureReason"] == ("OfflineRuntimeError: the offline runtime failed (RuntimeError: planted by "
                                          "the test). This is a bug in the course kit; please report it")


def test_an_error_while_ending_the_job_still_ends_it(course, small_model, monkeypatch):
    from sagemaker_offline import transform

    def broken_finish(self, status, reason=None, uploaded=None):
        raise OSError("the end itself broke")

    monkeypatch.setattr(transform.TransformRun, "_finish", broken_finish)
    uri = put(course, "ends/finish/in/rows.csv", ROWS)
    described, _ = _create_and_wait(course, request(course, small_model, "ends-finish", uri,
                                                    out_uri(course, "ends-finish")))
    assert described["TransformJobStatus"] == "Failed"
    assert "OSError: the end itself broke" in described["FailureReason"]


# -- List calls -------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def three_jobs(course, small_model):
    uri = put(course, "ends/list/in/rows.csv", ROWS)
    names = ["list-b-job", "list-a-job", "list-c-job"]
    for name in names:  # created in this order, one second apart at least (a job never ends in its creation second)
        client = course.sagemaker_client
        client.create_transform_job(**request(course, small_model, name, uri, out_uri(course, name)))
        client.get_waiter("transform_job_completed_or_stopped").wait(
            TransformJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 600})
    return names


def _names(response) -> list[str]:
    return [s["TransformJobName"] for s in response["TransformJobSummaries"]]


def test_list_transform_jobs_sorts_newest_first_by_default(course, three_jobs):
    listed = _names(course.sagemaker_client.list_transform_jobs(NameContains="list-"))
    assert listed == list(reversed(three_jobs))


def test_list_transform_jobs_sorts_by_name_and_order(course, three_jobs):
    client = course.sagemaker_client
    assert _names(client.list_transform_jobs(NameContains="list-", SortBy="Name", SortOrder="Ascending")) == \
        sorted(three_jobs)
    assert _names(client.list_transform_jobs(NameContains="list-", SortBy="Name", SortOrder="Descending")) == \
        sorted(three_jobs, reverse=True)


def test_list_transform_jobs_filters_before_it_pages(course, three_jobs):
    client = course.sagemaker_client
    first = client.list_transform_jobs(NameContains="list-", SortBy="Name", SortOrder="Ascending", MaxResults=2)
    assert _names(first) == ["list-a-job", "list-b-job"]
    second = client.list_transform_jobs(NameContains="list-", SortBy="Name", SortOrder="Ascending", MaxResults=2,
                                        NextToken=first["NextToken"])
    assert _names(second) == ["list-c-job"] and "NextToken" not in second
    # the other jobs of this module (created earlier) never take a place in a filtered page
    assert _names(client.list_transform_jobs(NameContains="list-a", MaxResults=1)) == ["list-a-job"]


def test_list_transform_jobs_paginator_and_status_filter(course, three_jobs):
    pages = course.sagemaker_client.get_paginator("list_transform_jobs").paginate(
        NameContains="list-", StatusEquals="Completed", PaginationConfig={"PageSize": 1})
    assert sorted(name for p in pages for name in _names(p)) == sorted(three_jobs)


def test_list_transform_jobs_refuses_a_bad_sort_key_and_a_foreign_token(course, three_jobs):
    client = course.sagemaker_client
    with pytest.raises(ClientError) as raised:
        client.list_transform_jobs(SortBy="Size")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "sortBy" in str(raised.value)
    token = client.list_transform_jobs(NameContains="list-", MaxResults=1)["NextToken"]
    with pytest.raises(ClientError):
        client.list_transform_jobs(NameContains="other", MaxResults=1, NextToken=token)


def test_list_models_sorts_and_filters(course, small_model):
    client = course.sagemaker_client
    for name in ("zz-model", "aa-model"):
        client.create_model(ModelName=name, ExecutionRoleArn=course.role,
                            PrimaryContainer=client.describe_model(ModelName=small_model)["PrimaryContainer"])
    listed = [m["ModelName"] for m in client.list_models(NameContains="-model", SortBy="Name",
                                                        SortOrder="Ascending")["Models"]]
    assert listed == ["aa-model", "zz-model"]
    newest = client.list_models(NameContains="-model")["Models"]
    assert [m["ModelName"] for m in newest] == ["aa-model", "zz-model"]  # CreationTime, Descending by default
    assert set(newest[0]) == {"ModelName", "ModelArn", "CreationTime"}
