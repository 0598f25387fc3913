"""Check cells of notebook 07 (choose between batch transform and an endpoint): break-even, a forgotten endpoint,
and which way to serve each scenario."""
from __future__ import annotations

import math
import numbers

from helpers.checks.common import correct, unanswered

# Exercise 07.2: deployed on Friday at 17:00 to try it, deleted on Monday at 09:00.
FORGOTTEN_HOURS = 7 + 24 + 24 + 9

# Exercise 07.3: the scenarios, in the order the notebook lists them, and the right way to serve each.
SCENARIOS = (
    ("every night, score 1,000,000 listings in S3 for the next morning's report", "batch"),
    ("a web form shows one house's estimated price within a second of the user pressing 'estimate'", "endpoint"),
    ("once, after retraining, score the 168 test rows to compute the RMSE", "batch"),
    ("a mobile app asks for one house's price about 100 times a minute, all day", "endpoint"),
)
_ALIASES = {"batch": "batch", "batch transform": "batch", "transform": "batch",
            "endpoint": "endpoint", "real-time endpoint": "endpoint", "realtime endpoint": "endpoint"}


def _is_number(answer) -> bool:
    return isinstance(answer, numbers.Real) and not isinstance(answer, bool)


def check_break_even_runs(answer, run_cost: float, endpoint_cost_per_day: float) -> None:
    """Exercise 07.1: runs a day at which daily batch jobs cost as much as an endpoint kept up all day."""
    if unanswered(answer):
        return
    assert _is_number(answer), "Answer with a number of runs per day, e.g. 12 or 12.5."
    expected = endpoint_cost_per_day / run_cost
    assert answer > 0, "A number of runs per day is positive."
    assert not 29 <= answer / expected <= 32, ("That is a number of runs per month: compare the endpoint's cost per "
                                               "day with the cost of one run.")
    assert not math.isclose(answer, run_cost / endpoint_cost_per_day, rel_tol=0.01), (
        "The ratio is upside down: runs per day = the endpoint's cost per day ÷ the cost of one batch run.")
    assert abs(answer - expected) <= 1, (
        "Divide the endpoint's cost for 24 hours (costs.endpoint_cost(..., hours=24)) by the cost of one batch run "
        "(batch_run_cost(rows)).")
    correct(f"At about {expected:.0f} runs a day the two cost the same; with fewer runs batch transform is cheaper.")


def check_forgotten_endpoint(answer, hourly_price: float) -> None:
    """Exercise 07.2: what an endpoint costs from Friday 17:00 to Monday 09:00, in US dollars."""
    if unanswered(answer):
        return
    assert _is_number(answer), "Answer with an amount in US dollars, e.g. 1.23."
    expected = hourly_price * FORGOTTEN_HOURS
    assert not math.isclose(answer, hourly_price * 72, rel_tol=1e-3), (
        "Friday 17:00 to Monday 09:00 is less than three whole days: count the hours.")
    assert abs(answer - expected) <= 0.01, (
        f"An endpoint is billed every hour it exists, used or not: count the hours from Friday 17:00 to Monday 09:00 "
        f"and multiply by the endpoint's price per hour "
        f"(${hourly_price:g}), or call costs.endpoint_cost(instance_type, hours=...).")
    from helpers.connection.aws import costs

    correct(f"{FORGOTTEN_HOURS} hours of an idle endpoint: ${expected:.2f} (on-demand {costs.PRICE_REGION}, "
            f"{costs.price_dates()}). A batch transform job would have cost nothing while nobody used it.")


def check_choices(answer) -> None:
    """Exercise 07.3: "batch" or "endpoint" for each scenario, as a list in the notebook's order."""
    if unanswered(answer):
        return
    assert isinstance(answer, (list, tuple)) and len(answer) == len(SCENARIOS), (
        f"Answer with a list of {len(SCENARIOS)} strings, one per scenario, each 'batch' or 'endpoint'.")
    for number, (given, (scenario, expected)) in enumerate(zip(answer, SCENARIOS), start=1):
        choice = _ALIASES.get(str(given).strip().lower())
        assert choice is not None, f"Scenario {number}: write 'batch' or 'endpoint', not {given!r}."
        if expected == "batch":
            hint = ("the data is already in S3 and nobody waits for one answer: a job that starts, scores everything "
                    "and stops costs minutes of instance time instead of a month of an endpoint.")
        else:
            hint = ("someone waits for each single answer, and a transform job needs minutes just to start: "
                    "this needs a persistent endpoint that serves individual requests over time.")
        assert choice == expected, f"Scenario {number} ({scenario}): {hint}"
    correct("Batch transform for datasets you score on a schedule or once; an endpoint when individual requests "
            "arrive over time and someone waits for each answer.")


# Exercise 07.4: the four ways SageMaker serves a model, and the workload each suits, in the words of the Developer
# Guide's "Model deployment options" (https://docs.aws.amazon.com/sagemaker/latest/dg/how-it-works-deployment.html).
SERVING_OPTIONS = ("real-time", "serverless", "asynchronous", "batch")
WORKLOADS = (
    ("a price estimate on a web page, about 100 requests a minute all day, each answered within a second",
     "real-time", "steady traffic and someone waiting for each answer: a persistent endpoint that makes one prediction "
                  "at a time, billed by the hour but busy all day"),
    ("an internal tool asked for a few estimates a day, where the first answer may take a few seconds",
     "serverless", "long idle periods between requests, and a cold start is acceptable: you pay per request instead "
                   "of 24 hours a day for an instance that sits idle"),
    ("each request is a 200 MB file of listings (over InvokeEndpoint's 6 MB limit), answers wanted within minutes, "
     "requests arriving at random", "asynchronous",
     "payloads up to 1 GB and near real-time answers: requests queue, the result lands in S3, and the instances can "
     "scale to zero between requests"),
    ("every night, score the 1,000,000 listings already in S3 for the morning report", "batch",
     "a whole dataset, scored on a schedule with nobody waiting for one answer: a job that starts, scores everything "
     "and stops"),
)
_OPTION_ALIASES = {
    "real-time": "real-time", "realtime": "real-time", "real time": "real-time", "endpoint": "real-time",
    "real-time endpoint": "real-time", "serverless": "serverless", "serverless inference": "serverless",
    "asynchronous": "asynchronous", "async": "asynchronous", "asynchronous inference": "asynchronous",
    "batch": "batch", "batch transform": "batch", "transform": "batch",
}


def check_serving_options(answer) -> None:
    """Exercise 07.4: one of "real-time", "serverless", "asynchronous", "batch" per workload, in the notebook's order."""
    if unanswered(answer):
        return
    assert isinstance(answer, (list, tuple)) and len(answer) == len(WORKLOADS), (
        f"Answer with a list of {len(WORKLOADS)} strings, one per workload, each one of {', '.join(SERVING_OPTIONS)}.")
    for number, (given, (workload, expected, why)) in enumerate(zip(answer, WORKLOADS), start=1):
        choice = _OPTION_ALIASES.get(str(given).strip().lower())
        assert choice is not None, f"Workload {number}: write one of {', '.join(SERVING_OPTIONS)}, not {given!r}."
        assert choice == expected, f"Workload {number} ({workload}): not {choice}. Look again: {why}."
    correct("Real-time for steady traffic that waits for each answer, serverless for rare requests that can wait for "
            "a cold start, asynchronous for large payloads answered within minutes, batch transform for whole "
            "datasets on a schedule.")
