"""Several input objects for one transform job: the test features repeated to a chosen number of rows, one CSV object
each, so notebook 04 can show how objects are spread over instances and cut into mini-batches."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import pandas as pd

MIB = 1024 * 1024


@dataclass
class InputObject:
    """One uploaded CSV object: where it is, how many rows and bytes, and which test row it starts with."""

    uri: str
    rows: int
    size: int
    first_row: int  # the object's line 1 is test row first_row; later lines follow the test set cyclically
    line_sizes: list[int] = field(default_factory=list, repr=False)  # bytes of each line, newline included

    @property
    def name(self) -> str:
        return self.uri.rsplit("/", 1)[-1]

    @property
    def size_mib(self) -> float:
        return self.size / MIB


def csv_lines(features: pd.DataFrame) -> list[bytes]:
    """The rows in the CSV form batch transform sends to built-in XGBoost: no header, no index, one line each."""
    if len(features) == 0:
        raise ValueError("There are no feature rows to repeat: pass the test features (course_data.test[data.FEATURES]).")
    return features.to_csv(header=False, index=False).encode().splitlines(keepends=True)


def repeated_body(lines: list[bytes], rows: int, start: int = 0) -> bytes:
    """`rows` lines taken cyclically from line `start`: line i is lines[(start + i) % len(lines)]."""
    count = len(lines)
    return b"".join(lines[(start + i) % count] for i in range(rows))


def upload_csv_objects(course, features: pd.DataFrame, folder: str, rows_per_object: Sequence[int],
                       name: str = "part-{n}.csv") -> list[InputObject]:
    """Upload one CSV object per entry of `rows_per_object` under `course.s3_uri(folder)`, in key order.

    The objects continue one another: read in key order they are the feature rows repeated, so a `.out` that keeps
    the input order repeats its predictions with the period len(features)."""
    lines = csv_lines(features)
    bucket, prefix = course.bucket, f"{course.prefix}/{folder.strip('/')}"
    objects, start = [], 0
    for n, rows in enumerate(rows_per_object, start=1):
        if rows < 1:
            raise ValueError(f"Object {n} would have {rows} rows; every input object needs at least one record.")
        body = repeated_body(lines, rows, start)
        key = f"{prefix}/{name.format(n=n)}"
        course.s3_client.put_object(Bucket=bucket, Key=key, Body=body)
        line_sizes = [len(lines[(start + i) % len(lines)]) for i in range(rows)]
        objects.append(InputObject(f"s3://{bucket}/{key}", rows, len(body), start % len(lines), line_sizes))
        start += rows
    return objects


def planned_mini_batches(obj: InputObject, max_payload_mb: int, strategy: str = "MultiRecord") -> int:
    """How many requests SplitType=Line sends for one object: one per line for SingleRecord; for MultiRecord, whole
    lines packed in order while they fit in MaxPayloadInMB (mini-batches never span objects)."""
    if strategy == "SingleRecord":
        return len(obj.line_sizes)
    if strategy != "MultiRecord":
        raise ValueError(f"BatchStrategy is 'MultiRecord' or 'SingleRecord', not {strategy!r}.")
    limit, count, used = max_payload_mb * MIB, 0, 0
    for size in obj.line_sizes:
        if size > limit:
            raise ValueError(f"A line of {obj.name} has {size} bytes, more than MaxPayloadInMB={max_payload_mb}: "
                             "that object would fail. Raise MaxPayloadInMB.")
        if count == 0 or used + size > limit:
            count, used = count + 1, 0
        used += size
    return count
