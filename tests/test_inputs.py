"""helpers.course.inputs: the objects notebook 04 uploads, and the mini-batch counts it predicts from them."""
import io

import pandas as pd
import pytest

from helpers.course import inputs
from sagemaker_offline.records import MIB, batches

FEATURES = pd.DataFrame({"a": [1.5, 2.25, 3.0], "b": [10, 20, 30]})


def test_repeated_body_cycles_through_the_lines_from_start():
    lines = inputs.csv_lines(FEATURES)
    assert lines == [b"1.5,10\n", b"2.25,20\n", b"3.0,30\n"]
    assert inputs.repeated_body(lines, 5, start=2) == b"3.0,30\n1.5,10\n2.25,20\n3.0,30\n1.5,10\n"


def test_no_rows_is_refused_with_advice():
    with pytest.raises(ValueError, match="test features"):
        inputs.csv_lines(FEATURES.iloc[:0])


def test_upload_makes_objects_that_continue_one_another(course):
    objects = inputs.upload_csv_objects(course, FEATURES, "test-inputs", [4, 2, 1])
    assert [o.name for o in objects] == ["part-1.csv", "part-2.csv", "part-3.csv"]
    assert all(o.uri.startswith(course.s3_uri("test-inputs") + "/") for o in objects)
    assert [o.first_row for o in objects] == [0, 1, 0]
    bodies = []
    for obj in objects:
        bucket, key = obj.uri[len("s3://"):].split("/", 1)
        body = course.s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert len(body) == obj.size == sum(obj.line_sizes)
        assert body.count(b"\n") == obj.rows == len(obj.line_sizes)
        bodies.append(body)
    # read in key order, the objects are the feature rows over and over
    assert b"".join(bodies) == inputs.repeated_body(inputs.csv_lines(FEATURES), 7)


def test_an_empty_object_is_refused(course):
    with pytest.raises(ValueError, match="at least one record"):
        inputs.upload_csv_objects(course, FEATURES, "test-inputs-empty", [2, 0])


def _object(lines: list[bytes]) -> inputs.InputObject:
    body = b"".join(lines)
    return inputs.InputObject("s3://b/p/x.csv", len(lines), len(body), 0, [len(line) for line in lines])


@pytest.mark.parametrize("line_bytes, count, mb", [(1000, 3000, 1), (70, 40000, 1), (70, 40000, 2), (4096, 256, 1),
                                                    (333, 10, 1)])
def test_planned_mini_batches_match_the_offline_runtime(line_bytes, count, mb):
    lines = [b"1" * (line_bytes - 1) + b"\n"] * count
    obj = _object(lines)
    sent = list(batches(io.BytesIO(b"".join(lines)), "Line", True, mb * MIB))
    assert inputs.planned_mini_batches(obj, mb) == len(sent)
    assert inputs.planned_mini_batches(obj, mb, "SingleRecord") == count == len(
        list(batches(io.BytesIO(b"".join(lines)), "Line", False, mb * MIB)))


def test_planned_mini_batches_never_exceed_the_limit_and_count_by_object():
    # 1.5 MiB and 0.5 MiB: pooled they would fit in two 1 MB requests, object by object they need three
    big, small = _object([b"x" * 1023 + b"\n"] * 1536), _object([b"x" * 1023 + b"\n"] * 512)
    assert inputs.planned_mini_batches(big, 1) == 2
    assert inputs.planned_mini_batches(small, 1) == 1


def test_planned_mini_batches_refuses_a_line_larger_than_the_payload():
    with pytest.raises(ValueError, match="MaxPayloadInMB=1"):
        inputs.planned_mini_batches(_object([b"x" * MIB + b"\n"]), 1)
    with pytest.raises(ValueError, match="SingleRecord"):
        inputs.planned_mini_batches(_object([b"1\n"]), 1, "Multi")
