"""costs: the price table agrees with the SageMaker API, estimates round up, notices say what starts and its cost."""
from __future__ import annotations

import csv
import re

import pytest

from helpers.connection.aws import costs


def rows():
    with open(costs.PRICES_FILE, newline="") as f:
        return list(csv.DictReader(f))


def test_the_table_covers_the_course_instance_types_in_us_west_2():
    table = {(row["instance_type"], row["region"]) for row in rows()}
    for instance_type in ("ml.m4.xlarge", "ml.m5.xlarge", "ml.m5.large", "ml.c5.xlarge", "ml.t2.medium"):
        assert (instance_type, "us-west-2") in table


def test_every_row_says_whether_it_was_verified_and_when():
    for row in rows():
        assert row["status"] in ("verified", "unverified") and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", row["as_of"])


def test_every_row_names_its_source_and_an_unverified_row_says_why():
    for row in rows():
        assert row["source"].strip(), row["instance_type"]
        if row["status"] == "unverified":
            assert re.match(r"\d{4}-\d{2}-\d{2}: ", row["reason"]), (row["instance_type"], "the reason starts with its date")


def test_the_label_beside_a_cost_names_the_region_the_date_and_an_unverified_price(monkeypatch):
    assert costs.price_label("ml.m4.xlarge") == "on-demand us-west-2, as of 2024, unverified: see data/prices.md"
    assert "unverified" in costs.launch_notice("transform", "ml.m4.xlarge")
    verified = dict(costs._prices())
    verified[("ml.m4.xlarge", "us-west-2")] = {**verified[("ml.m4.xlarge", "us-west-2")], "status": "verified",
                                               "as_of": "2026-12-04"}
    monkeypatch.setattr(costs, "_prices", lambda: verified)
    assert costs.price_label("ml.m4.xlarge") == "on-demand us-west-2, as of 2026-12-04"
    assert costs.price_status("ml.m4.xlarge") == "verified" and costs.price_status("ml.m5.large") == "unverified"
    assert "unverified" not in costs.launch_notice("transform", "ml.m4.xlarge")


def test_a_price_exists_exactly_where_sagemaker_offers_the_instance_type():
    """An empty cell must mean the API refuses that type for that use, and a figure that it accepts it."""
    for row in rows():
        for kind in costs.KINDS:
            offered = row["instance_type"] in costs.offered_instance_types(kind)
            assert bool(row[kind].strip()) == offered, (row["instance_type"], kind)


def test_prices_are_plausible_hourly_figures():
    for row in rows():
        for kind in costs.KINDS:
            if row[kind].strip():
                assert 0.01 < float(row[kind]) < 5, row


def test_hourly_price_reads_the_table():
    assert costs.hourly_price("ml.m4.xlarge", "us-west-2") == 0.24
    assert costs.hourly_price("ml.t2.medium", "us-west-2", kind="endpoint") == 0.056
    assert costs.hourly_price("ml.m5.large") == costs.hourly_price("ml.m5.large", "us-west-2", "training")


def test_unknown_instance_types_and_regions_say_where_to_look():
    with pytest.raises(costs.PriceNotFound, match="pricing"):
        costs.hourly_price("ml.p3.2xlarge", "us-west-2")
    with pytest.raises(costs.PriceNotFound, match="covers us-west-2 only"):
        costs.hourly_price("ml.m4.xlarge", "eu-west-1")


def test_a_use_sagemaker_does_not_offer_is_refused_before_launch():
    with pytest.raises(ValueError, match="does not offer ml.t2.medium for a batch transform job.*ml.m5.large"):
        costs.hourly_price("ml.t2.medium", "us-west-2", kind="transform")
    with pytest.raises(ValueError, match="does not offer"):
        costs.launch_notice("training", "ml.t2.medium", 1)
    with pytest.raises(ValueError, match="kind must be one of"):
        costs.launch_notice("notebook", "ml.m5.large", 1)


def test_job_cost_is_price_times_instances_times_whole_minutes():
    assert costs.estimate_job_cost("ml.m4.xlarge", 1, 60) == pytest.approx(0.24)
    assert costs.estimate_job_cost("ml.m4.xlarge", 2, 30) == pytest.approx(0.24)
    # 90 seconds are billed here as two minutes, and a few seconds as one: estimates never under-state.
    assert costs.estimate_job_cost("ml.m5.large", 1, 1.5) == pytest.approx(0.115 * 2 / 60)
    assert costs.estimate_job_cost("ml.m5.large", 1, 0.1) == pytest.approx(0.115 / 60)
    with pytest.raises(ValueError):
        costs.estimate_job_cost("ml.m5.large", 0, 5)


def test_transform_and_endpoint_costs_for_notebook_07():
    assert costs.transform_cost("ml.m4.xlarge", 1, minutes=10, runs=3) == pytest.approx(3 * 0.24 * 10 / 60)
    assert costs.endpoint_cost("ml.t2.medium", hours=24) == pytest.approx(0.056 * 24)
    assert costs.endpoint_cost("ml.m5.large", hours=costs.HOURS_PER_MONTH, instance_count=2) == pytest.approx(
        0.115 * 730 * 2)
    # A nightly transform is far cheaper than keeping the same instance up all day.
    assert costs.transform_cost("ml.m5.large", runs=30) < costs.endpoint_cost("ml.m5.large", 24 * 30) / 10
    with pytest.raises(ValueError):
        costs.endpoint_cost("ml.m5.large", -1)


def test_the_transform_notice_says_what_starts_and_what_it_costs():
    notice = costs.launch_notice("transform", "ml.m4.xlarge", 1)
    assert notice.startswith("AWS: this starts a batch transform job on 1 x ml.m4.xlarge.")
    assert "about $0.03 for ~8 minutes" in notice  # 0.24 $/h x 8/60 h = 0.032
    assert "$0.24 per instance-hour" in notice and "estimate" in notice and "billed per second" in notice


def test_the_training_notice_uses_the_given_minutes_and_count():
    notice = costs.launch_notice("training", "ml.m5.xlarge", 2, minutes=30)
    assert "training job on 2 x ml.m5.xlarge" in notice and "about $0.23 for ~30 minutes" in notice


def test_a_tiny_job_is_not_shown_as_free():
    assert "less than $0.01" in costs.launch_notice("transform", "ml.m5.large", 1, minutes=2)


def test_the_endpoint_notice_warns_it_bills_until_deleted():
    notice = costs.launch_notice("endpoint", "ml.t2.medium", 1)
    assert "real-time endpoint on 1 x ml.t2.medium" in notice and "$0.06 per hour" in notice
    assert "$1.34 a day" in notice and "until you delete it" in notice and "Clean-up" in notice


def test_a_notice_outside_us_west_2_says_prices_differ():
    notice = costs.launch_notice("transform", "ml.m4.xlarge", 1, region="eu-west-1")
    assert "us-west-2 estimate" in notice and "prices in eu-west-1 differ" in notice


def test_a_notice_for_a_type_without_a_price_still_says_what_starts():
    notice = costs.launch_notice("transform", "ml.c5.2xlarge", 1)
    assert "batch transform job on 1 x ml.c5.2xlarge" in notice and "no price" in notice and "pricing" in notice
