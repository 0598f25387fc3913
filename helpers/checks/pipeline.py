"""Check cells of notebook 09 (preprocessing inside batch transform): the same featurizing run as a Processing job,
and what a scaler fitted on the training rows does to other data."""
from __future__ import annotations

import io

import numpy as np

from helpers.checks.common import correct, unanswered


def _read_csv(s3_client, uri: str) -> np.ndarray:
    """A headerless CSV in S3 as a float array (one row per line)."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    body = s3_client.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return np.loadtxt(io.StringIO(body), delimiter=",", ndmin=2)


def check_processing_featurized(answer, s3_client, batch_output_uri: str) -> None:
    """Exercise 09.1: the S3 URI of the Processing job's featurized train.csv, equal to batch transform's train.csv.out
    (label first, then the 12 standardized features) up to float32 rounding."""
    if unanswered(answer):
        return
    assert isinstance(answer, str) and answer.startswith("s3://"), (
        "Answer with the S3 URI of the file your Processing job wrote, e.g. "
        "processor.latest_job.outputs[0].destination + '/train.csv'.")
    assert not answer.endswith("/"), "Name the file, not its folder: add '/train.csv' to the output's destination."
    try:
        mine = _read_csv(s3_client, answer)
    except s3_client.exceptions.NoSuchKey:
        raise AssertionError(f"No object at {answer}: did the job complete, and did your script write train.csv "
                             "into /opt/ml/processing/output?") from None
    expected = _read_csv(s3_client, batch_output_uri)
    assert mine.shape == expected.shape, (
        f"Your file has {mine.shape[0]} rows of {mine.shape[1]} columns; batch transform's has {expected.shape[0]} "
        f"of {expected.shape[1]} (the label, then the 12 features other than B, standardized; no header).")
    assert np.allclose(mine[:, 0], expected[:, 0]), "Column 0 should be the label (MEDV), as in train.csv."
    assert np.allclose(mine, expected, atol=1e-4), (
        "The labels match but the features do not: fit StandardScaler on the 12 features other than B (column 12 "
        "of train.csv, 11 among the features) of every training row, as float32, and write its transform.")
    correct(f"The Processing job wrote the same {mine.shape[0]} featurized rows as the batch transform job: the same "
            "code, run once over a file instead of record by record inside a model.")


def check_standardized(answer, s3_client, train_output_uri: str, validation_output_uri: str, column: int = 5) -> None:
    """Exercise 09.2: mean and standard deviation of one featurized column in the training and the validation file:
    the scaler is fitted on the training rows only and applied unchanged to any other data."""
    if unanswered(answer):
        return
    assert isinstance(answer, (tuple, list)) and len(answer) == 4 and all(
        isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool) for v in answer), (
        "Answer with a tuple of four numbers: (training mean, training std, validation mean, validation std).")
    stats = []
    for uri in (train_output_uri, validation_output_uri):
        values = _read_csv(s3_client, uri)[:, column]
        stats += [values.mean(), values.std()]
    expected = tuple(round(float(v), 2) for v in stats)
    close = [abs(float(a) - e) <= 0.011 for a, e in zip(answer, expected)]
    assert all(close[:2]), (f"Read column {column} of the training file's train.csv.out: the featurizer standardized it "
                            "on these very rows (numpy's std, ddof=0, as StandardScaler uses).")
    assert all(close[2:]), (f"Read column {column} of validation.csv.out: the validation rows were scaled with the "
                            "training rows' mean and standard deviation, so they need not come out at 0 and 1.")
    correct(f"Training {expected[:2]}, validation {expected[2:]}: the scaler learned its mean and deviation from the "
            "training rows only and applies them unchanged to any other records, exactly as the pipeline does to "
            "every record it scores later.")
