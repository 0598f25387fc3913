"""What a job or endpoint costs on a real account, from data/prices.csv (on-demand us-west-2 estimates).

AWS-mode notebooks print `launch_notice(...)` before their first job; notebook 07 compares batch transform with
an endpoint using `transform_cost` and `endpoint_cost`. data/prices.md says where the figures come from.
"""
from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path


# helpers/datasets is the repository's data/ folder (a link there; a copy in an installed wheel)
PRICES_FILE = Path(__file__).resolve().parents[2] / "datasets" / "prices.csv"
PRICE_REGION = "us-west-2"
PRICING_PAGE = "https://aws.amazon.com/sagemaker/pricing/"
KINDS = ("training", "transform", "endpoint")
KIND_NAMES = {"training": "training job", "transform": "batch transform job", "endpoint": "real-time endpoint"}
# Generous on purpose (most of it is instance start-up); see data/prices.md.
DEFAULT_MINUTES = {"training": 6, "transform": 8}
HOURS_PER_MONTH = 730
# The API's own lists of instance types accepted for each use.
_INSTANCE_ENUMS = {
    "training": "TrainingInstanceType",
    "transform": "TransformInstanceType",
    "endpoint": "ProductionVariantInstanceType",
}


class PriceNotFound(LookupError):
    """The kit's price table has no figure for this instance type, use or region."""


def hourly_price(instance_type: str, region: str = PRICE_REGION, kind: str | None = None) -> float:
    """On-demand USD per instance-hour; `kind` (training/transform/endpoint) is needed only where uses differ."""
    if kind is not None:
        _check_kind(kind)
        _check_offered(kind, instance_type)
    row = _prices().get((instance_type, region))
    if row is None:
        regions = sorted({r for _, r in _prices()})
        where = "" if region in regions else f" (the table covers {', '.join(regions)} only)"
        raise PriceNotFound(
            f"No price for {instance_type} in {region} in data/prices.csv{where}; see {PRICING_PAGE}."
        )
    if kind is not None:
        if row[kind] is None:
            raise PriceNotFound(f"No {kind} price for {instance_type} in data/prices.csv; see {PRICING_PAGE}.")
        return row[kind]
    figures = {price for name, price in row.items() if name in KINDS and price is not None}
    if len(figures) != 1:
        raise PriceNotFound(
            f"{instance_type} has different prices per use; pass kind= one of {', '.join(KINDS)}."
        )
    return figures.pop()


def price_status(instance_type: str, kind: str | None = None, region: str = PRICE_REGION) -> str:
    """'verified' or 'unverified' (data/prices.csv's status column), for the mark beside a cost built on it."""
    row = _prices().get((instance_type, region))
    return row["status"] if row is not None else "unverified"


def price_label(instance_type: str, kind: str | None = None, region: str = PRICE_REGION) -> str:
    """Where a price comes from, for the line beside a cost: region, date, and whether the kit could verify it
    (notebook 07, the run plan and the AWS-mode cost notices)."""
    row = _prices().get((instance_type, region))
    if row is None:
        return f"no {region} price for {instance_type} in the kit; see {PRICING_PAGE}"
    mark = "" if row["status"] == "verified" else ", unverified: see data/prices.md"
    return f"on-demand {region}, as of {row['as_of']}{mark}"


def price_dates(region: str = PRICE_REGION) -> str:
    """The dates and statuses of the whole table, e.g. 'as of 2024, unverified' (the run plan's header)."""
    pairs = sorted({(row["as_of"], row["status"]) for (_, r), row in _prices().items() if r == region})
    return "; ".join(f"as of {as_of}, {status}" for as_of, status in pairs)


def estimate_job_cost(instance_type: str, instance_count: int, minutes: float, kind: str = "transform",
                      region: str = PRICE_REGION) -> float:
    """USD for a job of `minutes` on `instance_count` instances, rounded up to whole minutes (at least one)."""
    if instance_count < 1:
        raise ValueError(f"instance_count must be at least 1, not {instance_count}.")
    billed_minutes = max(1, math.ceil(minutes))
    return hourly_price(instance_type, region, kind) * instance_count * billed_minutes / 60


def transform_cost(instance_type: str, instance_count: int = 1, minutes: float = DEFAULT_MINUTES["transform"],
                   runs: int = 1, region: str = PRICE_REGION) -> float:
    """USD for `runs` batch transform jobs of `minutes` each (notebook 07: transform vs endpoint)."""
    return runs * estimate_job_cost(instance_type, instance_count, minutes, "transform", region)


def endpoint_cost(instance_type: str, hours: float, instance_count: int = 1, region: str = PRICE_REGION) -> float:
    """USD for an endpoint kept up `hours`, billed whether or not it receives requests (notebook 07)."""
    if hours < 0:
        raise ValueError(f"hours must not be negative, not {hours}.")
    return hourly_price(instance_type, region, "endpoint") * instance_count * hours


def launch_notice(kind: str, instance_type: str, instance_count: int = 1, minutes: float | None = None,
                  region: str = PRICE_REGION) -> str:
    """The line an AWS-mode notebook prints before it starts a job or endpoint: what, on what, and what it costs."""
    _check_kind(kind)
    _check_offered(kind, instance_type)
    what = f"a {KIND_NAMES[kind]} on {instance_count} x {instance_type}"
    try:
        price = hourly_price(instance_type, PRICE_REGION, kind)
    except PriceNotFound:
        return (f"AWS: this starts {what}. The kit has no price for {instance_type}; "
                f"check {PRICING_PAGE} before you run it.")
    row = _prices()[(instance_type, PRICE_REGION)]
    checked = "" if row["status"] == "verified" else ", unverified"
    source = f"${price:g} per instance-hour, an on-demand {PRICE_REGION} estimate as of {row['as_of']}{checked}, from data/prices.md"
    if region != PRICE_REGION:
        source += f"; prices in {region} differ, see {PRICING_PAGE}"
    if kind == "endpoint":
        hourly = price * instance_count
        return (f"AWS: this starts {what}, which costs about {_money(hourly)} per hour ({_money(hourly * 24)} a day) "
                f"until you delete it ({source}). The Clean-up section deletes it.")
    minutes = DEFAULT_MINUTES[kind] if minutes is None else minutes
    cost = estimate_job_cost(instance_type, instance_count, minutes, kind)
    return (f"AWS: this starts {what}. Estimated cost: about {_money(cost)} for ~{max(1, math.ceil(minutes))} "
            f"minutes including start-up, billed per second while the instances run ({source}).")


def _money(amount: float) -> str:
    return f"${amount:.2f}" if amount >= 0.005 else "less than $0.01"


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}.")


def _check_offered(kind: str, instance_type: str) -> None:
    """Refuse an instance type SageMaker does not accept for this use, before anything is launched."""
    if instance_type not in offered_instance_types(kind):
        cheaper = "ml.m5.large" if kind != "endpoint" else "ml.t2.medium"
        raise ValueError(
            f"SageMaker does not offer {instance_type} for a {KIND_NAMES[kind]}; choose another instance type, "
            f"e.g. instance_type='{cheaper}'."
        )


@lru_cache(maxsize=None)
def offered_instance_types(kind: str) -> frozenset[str]:
    """Instance types the SageMaker API accepts for a use, from botocore's service model (no network)."""
    _check_kind(kind)
    from sagemaker_offline.service_rules import service_model

    return frozenset(service_model().shape_for(_INSTANCE_ENUMS[kind]).enum)


@lru_cache(maxsize=1)
def _prices() -> dict[tuple[str, str], dict]:
    table = {}
    with open(PRICES_FILE, newline="") as f:
        for row in csv.DictReader(f):
            for kind in KINDS:
                row[kind] = float(row[kind]) if row[kind].strip() else None
            table[(row["instance_type"], row["region"])] = row
    return table
