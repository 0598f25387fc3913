"""Check cells of notebook 09 (preprocessing inside batch transform): the same featurizing run as a Processing job,
and the pipeline model ignoring feature B."""
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


def check_b_ignored(answer, pipeline_predictions, b_zero_predictions) -> None:
    """Exercise 09.2: how many test predictions of the pipeline model changed when every B was set to 0."""
    if unanswered(answer):
        return
    assert isinstance(answer, (int, np.integer)) and not isinstance(answer, bool), "Answer with a whole number."
    changed = int(np.sum(~np.isclose(np.asarray(pipeline_predictions), np.asarray(b_zero_predictions))))
    assert answer == changed, ("Count the rows whose prediction differs between the pipeline's run on test.csv "
                               "(one_job) and its run on the copy with B set to 0.")
    assert changed == 0, ("Your run's predictions moved: did the copy keep all 13 columns, with only column 11 (B) "
                          "set to 0, and did you score it with the pipeline model?")
    correct("None changed: the featurizer drops B before XGBoost sees a record, and the pipeline carries that step "
            "into every job that uses the model.")
