"""helpers/checks/jsonpath.py: the filters' JSONPath subset the exercise checks apply, and its agreement with the
offline runtime's own implementation (two independent readings of the Developer Guide's operator table)."""
import json

import pytest

from helpers.checks.jsonpath import PathError, select, select_columns

ROW = ["id", "f1", "f2", "f3", "label"]
RECORD = {"tract": "T1", "x": [1.0, 2.0], "MEDV": 24.0}


@pytest.mark.parametrize("path, expected", [
    ("$", ROW), ("$[0]", ["id"]), ("$[0,-1]", ["id", "label"]), ("$[1:]", ROW[1:]), ("$[-2:]", ROW[-2:]),
    ("$[0:2]", ["id", "f1"]), ("$[*]", ROW), ("$[ 1 , 2 ]", ["f1", "f2"]),
])
def test_csv_rows(path, expected):
    assert select_columns(path, ROW) == expected


@pytest.mark.parametrize("path, expected", [
    ("$", RECORD), ("$.x", [1.0, 2.0]), ("$['tract','MEDV']", {"tract": "T1", "MEDV": 24.0}),
    ('$["x"]', [1.0, 2.0]), ("$.x[1]", 2.0),
])
def test_json_records(path, expected):
    assert select(path, RECORD) == expected


@pytest.mark.parametrize("path, record, hint", [
    ("$[5]", ROW, "only 5 columns"), ("$..x", RECORD, "recursive descent"), ("$.features", RECORD, "'features'"),
    ("$[0]", RECORD, "JSON object"), ("$.x", ROW, "by name"), ("[0]", ROW, "start with"),
    ("$[?(@.a)]", ROW, "filter expression"), ("$[" + ",".join(["1"] * 40) + "]", ROW, "at most 63"),
])
def test_refused_paths_say_why(path, record, hint):
    with pytest.raises(PathError, match=hint):
        select(path, record)


@pytest.mark.parametrize("path", ["$", "$[0]", "$[0,-1]", "$[1:]", "$[-2:]", "$[0,14,15]", "$[3,1]"])
def test_agrees_with_the_offline_runtime_on_csv_output_filters(path):
    from sagemaker_offline.data_processing import DataProcessing

    row = [f"c{n}" for n in range(15)]
    runtime = DataProcessing(join_source="Input", output_filter=path).process_output(
        [",".join(row).encode()], b"p\n", "text/csv", "text/csv")
    assert runtime[0].decode().strip().split(",") == select_columns(path, row + ["p"])


@pytest.mark.parametrize("path", ["$.x", "$['tract','MEDV','SageMakerOutput']", "$"])
def test_agrees_with_the_offline_runtime_on_json_output_filters(path):
    from sagemaker_offline.data_processing import DataProcessing

    jsonl = "application/jsonlines"
    runtime = DataProcessing(join_source="Input", output_filter=path).process_output(
        [json.dumps(RECORD).encode()], b"0.5\n", jsonl, jsonl)
    assert json.loads(runtime[0]) == select(path, {**RECORD, "SageMakerOutput": 0.5})
