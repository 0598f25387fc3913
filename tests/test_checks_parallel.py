"""The check cells of notebook 04 pass on the solution, fail with a hint on wrong answers and wait on None."""
import numpy as np
import pytest

from helpers.checks import parallel
from helpers.course.inputs import MIB, InputObject

LINE = 1024  # bytes per line, newline included


def obj(name: str, mib: float) -> InputObject:
    lines = int(mib * MIB / LINE)
    return InputObject(f"s3://b/in/{name}", lines, lines * LINE, 0, [LINE] * lines)


# the notebook's shape: 0.5, 1.5, 1.5 and 2.5 MiB
OBJECTS = [obj("part-1.csv", 0.5), obj("part-2.csv", 1.5), obj("part-3.csv", 1.5), obj("part-4.csv", 2.5)]


def test_unanswered_waits_without_failing(capsys):
    parallel.check_mini_batches(None, OBJECTS, 2)
    parallel.check_settings_for_size(None)
    parallel.check_single_record_requests(None, 10, 25_000, 100)
    assert capsys.readouterr().out.count("Not answered yet") == 3


def test_mini_batches(capsys):
    parallel.check_mini_batches(5, OBJECTS, 2)  # 1 + 1 + 1 + 2
    parallel.check_mini_batches(np.int64(8), OBJECTS, 1)  # 1 + 2 + 2 + 3
    assert capsys.readouterr().out.count("Correct!") == 2


@pytest.mark.parametrize("wrong, hint", [(3, "never span objects"),   # 6 MiB pooled into 2 MB requests
                                         (4, "SplitType None"),       # one request per object
                                         (7, "round up"), (5.0, "whole number"), ("5", "whole number"),
                                         (True, "whole number")])
def test_mini_batches_wrong(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        parallel.check_mini_batches(wrong, OBJECTS, 2)


def test_mini_batches_pooled_answer_at_one_mb_gets_the_span_hint():
    with pytest.raises(AssertionError, match="never span objects"):
        parallel.check_mini_batches(6, OBJECTS, 1)


SETTINGS = {"objects": 8, "SplitType": "Line", "BatchStrategy": "MultiRecord", "MaxPayloadInMB": 6,
            "MaxConcurrentTransforms": 4}


def test_settings_for_size(capsys):
    parallel.check_settings_for_size(SETTINGS, data_gb=12, instance_count=4)
    parallel.check_settings_for_size({**SETTINGS, "objects": 4, "MaxPayloadInMB": 10, "MaxConcurrentTransforms": 10})
    assert capsys.readouterr().out.count("Correct!") == 2


@pytest.mark.parametrize("change, hint", [
    ({"objects": 1}, "get no work"),                       # the file as it is: three instances idle
    ({"objects": 3}, "get no work"),
    ({"objects": 6}, "multiple of 4"),                     # two instances do twice the work
    ({"SplitType": "None"}, "far above"),                  # 1.5 GB per request
    ({"SplitType": "line"}, "'Line'"),
    ({"BatchStrategy": "SingleRecord"}, "100 million requests"),
    ({"MaxPayloadInMB": 50, "MaxConcurrentTransforms": 4}, "100 MB"),
    ({"MaxPayloadInMB": 0}, "between 1 and 100"),
    ({"MaxPayloadInMB": 6.0}, "whole number"),
    ({"MaxConcurrentTransforms": 0}, "at least 1"),
])
def test_settings_for_size_rejects_wrong_answers(change, hint):
    with pytest.raises(AssertionError, match=hint):
        parallel.check_settings_for_size({**SETTINGS, **change}, data_gb=12, instance_count=4)


def test_settings_for_size_needs_every_key():
    with pytest.raises(AssertionError, match="dict of objects"):
        parallel.check_settings_for_size({"objects": 8})


def test_single_record_requests(capsys):
    parallel.check_single_record_requests(250_000, 10, 25_000, 100, seen=(96000, 8))
    assert "250,000 requests instead of 30" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [(30, "MultiRecord"), (10, "SplitType None"), (25_000, "one request per"),
                                         (96000, "notebook's four objects"), ("250000", "whole number")])
def test_single_record_requests_wrong(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        parallel.check_single_record_requests(wrong, 10, 25_000, 100, seen=(96000, 8))
