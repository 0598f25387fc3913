"""The check cells of notebook 09 pass on the solution, fail with a hint on wrong answers and wait on None."""
import boto3
import numpy as np
import pytest
from moto import mock_aws

from helpers.checks import pipeline


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-west-2")
        client.create_bucket(Bucket="b", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        rows = np.array([[24.0, -0.5, 1.25], [21.6, 0.5, -1.25]])
        client.put_object(Bucket="b", Key="batch/train.csv.out",
                          Body="\n".join(",".join(f"{v:.7g}" for v in row) for row in rows) + "\n")
        yield client, rows


def _put(client, key, rows):
    client.put_object(Bucket="b", Key=key, Body="\n".join(",".join(repr(float(v)) for v in row) for row in rows))
    return f"s3://b/{key}"


def test_unanswered_waits_without_failing(capsys, s3):
    client, _ = s3
    pipeline.check_processing_featurized(None, client, "s3://b/batch/train.csv.out")
    pipeline.check_b_ignored(None, [1.0], [1.0])
    assert capsys.readouterr().out.count("Not answered yet") == 2


def test_processing_featurized(capsys, s3):
    client, rows = s3
    batch = "s3://b/batch/train.csv.out"
    pipeline.check_processing_featurized(_put(client, "proc/train.csv", rows + 1e-6), client, batch)
    assert "Correct!" in capsys.readouterr().out
    wrong = [("s3://b/proc/", "the file"), ("proc/train.csv", "S3 URI"), ("s3://b/proc/missing.csv", "No object"),
             (_put(client, "proc/no-label.csv", rows[:, 1:]), "columns"),
             (_put(client, "proc/unscaled.csv", rows * [1, 3, 3]), "StandardScaler"),
             (_put(client, "proc/labels.csv", rows + [1, 0, 0]), "label")]
    for answer, hint in wrong:
        with pytest.raises(AssertionError, match=hint):
            pipeline.check_processing_featurized(answer, client, batch)


def test_b_ignored(capsys):
    pipeline.check_b_ignored(0, [20.0, 30.0], [20.0, 30.0])
    assert "Correct!" in capsys.readouterr().out
    for wrong in (1, "0", True, 0.0):
        with pytest.raises(AssertionError):
            pipeline.check_b_ignored(wrong, [20.0, 30.0], [20.0, 30.0])
    with pytest.raises(AssertionError, match="moved"):  # a run that did change predictions: the count is right
        pipeline.check_b_ignored(1, [20.0, 30.0], [20.0, 31.0])
