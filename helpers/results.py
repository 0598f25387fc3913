"""Reading what a transform job wrote: the `.out` objects under its output path, as text or as numbers.
Used by the transform notebooks after `transformer.wait()` or the boto3 waiter."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd


def _split(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"{uri!r} is not an S3 URI (s3://bucket/prefix).")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def list_outputs(s3_client, output_path: str) -> list[str]:
    """The `.out` objects under an output path, as s3:// URIs in key order."""
    bucket, prefix = _split(output_path)
    keys = []
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", []) if item["Key"].endswith(".out")]
    return [f"s3://{bucket}/{key}" for key in sorted(keys)]


def read_text(s3_client, uri: str) -> str:
    """One object's body as text."""
    bucket, key = _split(uri)
    return s3_client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def read_predictions(s3_client, uri: str) -> np.ndarray:
    """A built-in XGBoost `.out` (one prediction per line) as a float array, one value per input row."""
    text = read_text(s3_client, uri)
    return np.array([float(line) for line in text.splitlines() if line.strip()])


def read_csv_output(s3_client, uri: str, names: list[str] | None = None) -> pd.DataFrame:
    """A joined or filtered CSV `.out` (JoinSource / OutputFilter) as a table."""
    return pd.read_csv(io.StringIO(read_text(s3_client, uri)), header=None, names=names)


def rmse(actual, predicted) -> float:
    """Root mean squared error, in the label's unit ($1000s for MEDV)."""
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    return float(np.sqrt(np.mean((actual - predicted) ** 2)))
