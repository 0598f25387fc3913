"""The check cells of notebook 04 pass on the solution, fail with a hint on wrong answers and wait on None."""
import numpy as np
import pytest

from helpers.checks import parallel
from helpers.inputs import MIB, InputObject

LINE = 1024  # bytes per line, newline included


def obj(name: str, mib: float) -> InputObject:
    lines = int(mib * MIB / LINE)
    return InputObject(f"s3://b/in/{name}", lines, lines * LINE, 0, [LINE] * lines)


# the notebook's shape: 0.5, 1.5, 1.5 and 2.5 MiB
OBJECTS = [obj("part-1.csv", 0.5), obj("part-2.csv", 1.5), obj("part-3.csv", 1.5), obj("part-4.csv", 2.5)]


def test_unanswered_waits_without_failing(capsys):
    parallel.check_mini_batches(None, OBJECTS, 2)
    parallel.check_idle_instances(None, 4, 6)
    parallel.check_single_record_requests(None, 100, 8)
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


def test_idle_instances(capsys):
    parallel.check_idle_instances(2, 4, 6)
    parallel.check_idle_instances(0, 4, 2)  # more objects than instances: none idle
    assert capsys.readouterr().out.count("Correct!") == 2


@pytest.mark.parametrize("wrong, hint", [(0, "goes whole to one instance"), (6, "left over"), (4, "left over"),
                                         (2.0, "whole number")])
def test_idle_instances_wrong(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        parallel.check_idle_instances(wrong, 4, 6)


def test_single_record_requests(capsys):
    parallel.check_single_record_requests(96000, 96000, 8)
    assert "96000 requests instead of 8" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [(8, "MultiRecord"), (4, "one request per record"), (96001, "one request"),
                                         ("96000", "whole number")])
def test_single_record_requests_wrong(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        parallel.check_single_record_requests(wrong, 96000, 8)
