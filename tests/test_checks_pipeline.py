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
        client.create_bucket(Bucket="check-bucket", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        rows = np.array([[24.0, -0.5, 1.25], [21.6, 0.5, -1.25]])
        client.put_object(Bucket="check-bucket", Key="batch/train.csv.out",
                          Body="\n".join(",".join(f"{v:.7g}" for v in row) for row in rows) + "\n")
        yield client, rows


def _put(client, key, rows):
    client.put_object(Bucket="check-bucket", Key=key, Body="\n".join(",".join(repr(float(v)) for v in row) for row in rows))
    return f"s3://check-bucket/{key}"


def test_unanswered_waits_without_failing(capsys, s3):
    client, _ = s3
    pipeline.check_processing_featurized(None, client, "s3://check-bucket/batch/train.csv.out")
    pipeline.check_standardized(None, client, "s3://check-bucket/batch/train.csv.out", "s3://check-bucket/batch/train.csv.out")
    assert capsys.readouterr().out.count("Not answered yet") == 2


def test_processing_featurized(capsys, s3):
    client, rows = s3
    batch = "s3://check-bucket/batch/train.csv.out"
    pipeline.check_processing_featurized(_put(client, "proc/train.csv", rows + 1e-6), client, batch)
    assert "Correct!" in capsys.readouterr().out
    wrong = [("s3://check-bucket/proc/", "the file"), ("proc/train.csv", "S3 URI"), ("s3://check-bucket/proc/missing.csv", "No object"),
             (_put(client, "proc/no-label.csv", rows[:, 1:]), "columns"),
             (_put(client, "proc/unscaled.csv", rows * [1, 3, 3]), "StandardScaler"),
             (_put(client, "proc/labels.csv", rows + [1, 0, 0]), "label")]
    for answer, hint in wrong:
        with pytest.raises(AssertionError, match=hint):
            pipeline.check_processing_featurized(answer, client, batch)


def test_standardized(capsys, s3):
    client, rows = s3  # column 1: [-0.5, 0.5] in the batch file; the validation file: [0.5, 1.5, 2.5]
    validation = _put(client, "batch/validation.csv.out", [[1, 0.5, 0], [2, 1.5, 0], [3, 2.5, 0]])
    train = "s3://check-bucket/batch/train.csv.out"
    pipeline.check_standardized((0.0, 0.5, 1.5, 0.82), client, train, validation, column=1)
    assert "Correct!" in capsys.readouterr().out
    for wrong, hint in (((0.0, 1.0, 0.0, 1.0), "ddof=0"), ((0.0, 0.5, 0.0, 1.0), "training rows' mean"),
                        ((0.0, 0.5, 1.5), "four numbers"), ("0, 1", "four numbers")):
        with pytest.raises(AssertionError, match=hint):
            pipeline.check_standardized(wrong, client, train, validation, column=1)
