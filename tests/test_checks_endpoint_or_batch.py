"""The check cells of notebook 07 pass on the solution, fail with a hint on wrong answers and wait on None."""
import numpy as np
import pytest

from helpers.connection.aws import costs
from helpers.checks import endpoint_or_batch as checks

# The notebook's numbers: a 168-row run billed 6 minutes on ml.m4.xlarge, and that instance as an endpoint all day.
RUN_COST = costs.transform_cost("ml.m4.xlarge", minutes=6)
ENDPOINT_DAY = costs.endpoint_cost("ml.m4.xlarge", hours=24)
HOURLY = costs.hourly_price("ml.m4.xlarge", kind="endpoint")
SOLUTION_3 = ["batch", "endpoint", "batch", "endpoint"]


def test_unanswered_waits_without_failing(capsys):
    checks.check_break_even_runs(None, RUN_COST, ENDPOINT_DAY)
    checks.check_forgotten_endpoint(None, HOURLY)
    checks.check_choices(None)
    assert capsys.readouterr().out.count("Not answered yet") == 3


def test_break_even_solution_and_its_rounded_forms(capsys):
    exact = ENDPOINT_DAY / RUN_COST
    assert round(exact) == 240  # 240 runs of 6 minutes fill the day: the batch instance would never stop
    for answer in (exact, 240, 241, np.float64(exact)):
        checks.check_break_even_runs(answer, RUN_COST, ENDPOINT_DAY)
    assert capsys.readouterr().out.count("Correct!") == 4


@pytest.mark.parametrize("wrong, hint", [
    (ENDPOINT_DAY / RUN_COST * costs.HOURS_PER_MONTH / 24, "per month"),
    (RUN_COST / ENDPOINT_DAY, "upside down"),
    (120, "Divide"),
    (0, "positive"),
    ("240", "number of runs"),
    (True, "number of runs"),
])
def test_break_even_wrong_answers_get_their_hint(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        checks.check_break_even_runs(wrong, RUN_COST, ENDPOINT_DAY)


def test_break_even_follows_the_prices_it_is_given(capsys):
    """A cheaper endpoint (ml.t2.medium) moves the break-even down; the check must follow, not hold 240."""
    cheap_day = costs.endpoint_cost("ml.t2.medium", hours=24)
    checks.check_break_even_runs(cheap_day / RUN_COST, RUN_COST, cheap_day)
    assert "Correct!" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        checks.check_break_even_runs(240, RUN_COST, cheap_day)


def test_forgotten_endpoint(capsys):
    assert checks.FORGOTTEN_HOURS == 64
    checks.check_forgotten_endpoint(costs.endpoint_cost("ml.m4.xlarge", hours=64), HOURLY)
    checks.check_forgotten_endpoint(15.36, HOURLY)
    assert capsys.readouterr().out.count("Correct!") == 2
    for wrong, hint in ((HOURLY * 72, "three whole days"), (HOURLY * 16, "every hour"), (HOURLY, "every hour"),
                        ("15.36", "US dollars")):
        with pytest.raises(AssertionError, match=hint):
            checks.check_forgotten_endpoint(wrong, HOURLY)


def test_choices(capsys):
    checks.check_choices(SOLUTION_3)
    checks.check_choices(("Batch transform", " endpoint", "BATCH", "real-time endpoint"))
    assert capsys.readouterr().out.count("Correct!") == 2


@pytest.mark.parametrize("wrong, hint", [
    (["endpoint", "endpoint", "batch", "endpoint"], "Scenario 1 .*S3"),
    (["batch", "batch", "batch", "endpoint"], "Scenario 2 .*waits"),
    (["batch", "endpoint", "endpoint", "endpoint"], "Scenario 3"),
    (["batch", "endpoint", "batch", "batch"], "Scenario 4"),
    (["batch", "endpoint", "batch"], "list of 4"),
    ("batch", "list of 4"),
    (["batch", "lambda", "batch", "endpoint"], "Scenario 2: write 'batch' or 'endpoint'"),
])
def test_choices_wrong_answers_name_the_scenario(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        checks.check_choices(wrong)


def test_serving_options_solution_and_its_spellings(capsys):
    checks.check_serving_options(["real-time", "serverless", "asynchronous", "batch"])
    checks.check_serving_options(["Realtime", "serverless inference", "async", "batch transform"])
    assert capsys.readouterr().out.count("Correct") == 2


@pytest.mark.parametrize("wrong, hint", [
    # real-time for the rare requests: an instance billed 24 hours a day for a few estimates
    (["real-time", "real-time", "asynchronous", "batch"], "Workload 2 .*cold start is acceptable"),
    # real-time for the 200 MB payloads: over the 6 MB limit of InvokeEndpoint
    (["real-time", "serverless", "real-time", "batch"], "Workload 3 .*payloads up to 1 GB"),
    (["real-time", "serverless", "asynchronous"], "a list of 4 strings"),
    (["real-time", "serverless", "lambda", "batch"], "Workload 3: write one of"),
])
def test_serving_options_wrong_answers_name_the_workload(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        checks.check_serving_options(wrong)
