"""The check cells of notebook 03 pass on the solution, fail on wrong answers with a hint, and wait on None."""
import copy

import pytest

from helpers.connection.names import COURSE_TAGS
from helpers.checks import boto3_transform as checks

MODEL = "boston-xgboost-2026-01-01-00-00-00-000"
INPUT = "s3://sagemaker-us-west-2-123456789012/batch-transform-course/test/test.csv"
OUTPUT = "s3://sagemaker-us-west-2-123456789012/batch-transform-course/nightly"


def solution() -> dict:
    return {
        "TransformJobName": "nightly-boston-2026-01-01-00-00-00-000",
        "ModelName": MODEL,
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": INPUT}},
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        "TransformOutput": {"S3OutputPath": OUTPUT, "AssembleWith": "Line"},
        "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
        "Tags": [dict(tag) for tag in COURSE_TAGS],
    }


def changed(path: str, value) -> dict:
    """The solution with one field replaced (value None deletes it)."""
    request = copy.deepcopy(solution())
    *parents, last = path.split(".")
    node = request
    for key in parents:
        node = node[key]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return request


def check(request: dict) -> None:
    checks.check_request(request, MODEL, INPUT, OUTPUT)


def test_unanswered_waits_without_failing(capsys):
    checks.check_request(None, MODEL, INPUT, OUTPUT)
    checks.check_header_fix(None)
    checks.check_partial_failure(None, good='good.csv', bad='bad.csv')
    assert capsys.readouterr().out.count("Not answered yet") == 3


def test_request_solution_passes(capsys):
    check(solution())
    check(changed("TransformOutput.S3OutputPath", OUTPUT + "/"))  # a trailing slash names the same output path
    assert capsys.readouterr().out.count("Correct!") == 2


@pytest.mark.parametrize("path, value, hint", [
    ("TransformJobName", "nightly_boston", "no underscores"),  # the lesson's my_job mistake: underscores
    ("TransformJobName", "boston-nightly", "nightly-boston-"),
    ("ModelName", "target-model-for-inference", "the model"),
    ("TransformInput.DataSource.S3DataSource.S3Uri", "s3://mybucket/inputfolder/", "input path"),
    ("TransformInput.ContentType", None, "libsvm"),
    ("TransformInput.SplitType", None, "SplitType"),
    ("TransformOutput.AssembleWith", None, "AssembleWith"),
    ("TransformOutput.S3OutputPath", "s3://mybucket/outputpath", "output path"),
    ("TransformOutput", None, "TransformOutput"),  # required by the API: what the lesson's second TransformInput was
    ("TransformResources.InstanceType", "ml.m4.xlarge", "compute resources"),
    ("TransformResources.InstanceType", "m5.xlarge", "not an allowed value"),
    ("TransformResources.InstanceCount", "1", "TransformResources.InstanceCount"),
    ("TransformResources.InstanceCount", 2, "compute resources"),
    ("Tags", None, "course.tags"),
])
def test_request_wrong_field_fails_with_hint(path, value, hint):
    with pytest.raises(AssertionError, match=hint):
        check(changed(path, value))


def test_request_unknown_field_is_refused():
    request = solution()
    request["TransformOuput"] = request.pop("TransformOutput")  # a typo: the API knows no such parameter
    with pytest.raises(AssertionError, match="Unknown parameter"):
        check(request)


def test_request_must_be_a_dict():
    with pytest.raises(AssertionError, match="dict"):
        check("create_transform_job(TransformJobName='nightly-boston-1')")


def test_header_fix(capsys):
    checks.check_header_fix("b")
    checks.check_header_fix(" (B) ")
    assert capsys.readouterr().out.count("Correct!") == 2
    for wrong, hint in (("a", "label_size"), ("c", "one request"), ("d", "6 MB"), ("e", "one letter")):
        with pytest.raises(AssertionError, match=hint):
            checks.check_header_fix(wrong)


def partial(answer):
    checks.check_partial_failure(answer, good="good.csv", bad="bad.csv")


def test_partial_failure(capsys):
    partial({"TransformJobStatus": "Failed", "outputs": ["good.csv.out"]})
    partial({"TransformJobStatus": "Failed", "outputs": ["s3://b/p/out/good.csv.out"]})
    assert capsys.readouterr().out.count("Correct!") == 2


@pytest.mark.parametrize("wrong, hint", [
    ({"TransformJobStatus": "Completed", "outputs": ["good.csv.out"]}, "marks it 'Failed'"),
    ({"TransformJobStatus": "Failed", "outputs": []}, "keeps its good.csv.out"),       # "a failed job writes nothing"
    ({"TransformJobStatus": "Failed", "outputs": ["good.csv.out", "bad.csv.out"]}, "no .out at all"),
    ({"TransformJobStatus": "failed", "outputs": ["good.csv.out"]}, "'Completed', 'Failed' or 'Stopped'"),
    ({"status": "Failed"}, "Answer with a dict"),
])
def test_partial_failure_rejects_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        partial(wrong)
