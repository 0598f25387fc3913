"""Check cells of notebook 04 (spread a batch transform over files and instances)."""
from __future__ import annotations

import math

import numpy as np

from helpers.checks.common import correct, unanswered
from helpers.inputs import MIB, InputObject, planned_mini_batches


def _whole_number(answer, what: str) -> None:
    assert isinstance(answer, (int, np.integer)) and not isinstance(answer, bool), f"Answer with a whole number of {what}."


def check_mini_batches(answer, objects: list[InputObject], max_payload_mb: int) -> None:
    """Exercise 04.1: how many requests MultiRecord sends for several objects at a given MaxPayloadInMB."""
    if unanswered(answer):
        return
    _whole_number(answer, "requests")
    per_object = {obj.name: planned_mini_batches(obj, max_payload_mb) for obj in objects}
    total_bytes = sum(obj.size for obj in objects)
    expected = sum(per_object.values())
    if answer == expected:
        correct(f"{', '.join(f'{k}: {v}' for k, v in per_object.items())}. Each object is cut on its own, so a "
                "small object or the tail of a large one makes a mini-batch of its own.")
        return
    pooled = math.ceil(total_bytes / (max_payload_mb * MIB))
    assert answer != pooled, (f"{answer} is the total size divided by {max_payload_mb} MB, as if mini-batches could "
                              "take records from several objects. They never span objects: count each object's "
                              "mini-batches (its size / MaxPayloadInMB, rounded up) and add them.")
    assert answer != len(per_object), ("One request per object would be SplitType None. With SplitType Line each "
                                       "object is cut into as many mini-batches as its size needs.")
    raise AssertionError(f"For each object, divide its size by MaxPayloadInMB={max_payload_mb} MB and round up "
                         "(records are whole lines, packed in order); then add the objects' counts.")


def check_idle_instances(answer, object_count: int, instance_count: int) -> None:
    """Exercise 04.2: how many instances get no object (objects are never split across instances)."""
    if unanswered(answer):
        return
    _whole_number(answer, "instances")
    expected = max(instance_count - object_count, 0)
    assert answer == expected, (
        "An object goes whole to one instance, and each instance takes whole objects: with more instances than "
        f"objects, only {object_count} of the {instance_count} instances can have work."
        if answer < expected else
        f"Each of the {object_count} objects keeps exactly one instance busy; count the instances left over.")
    correct(f"{expected} of {instance_count} instances start, get billed, and get no object. To use more instances, "
            "split the input into at least as many objects (of similar size).")


def check_single_record_requests(answer, lines: int, multi_record_requests: int) -> None:
    """Exercise 04.3: how many requests BatchStrategy SingleRecord sends (one per line)."""
    if unanswered(answer):
        return
    _whole_number(answer, "requests")
    assert answer != multi_record_requests, (f"{multi_record_requests} is what MultiRecord sends. SingleRecord puts one "
                                            "record, one line, in each request.")
    assert answer == lines, "SingleRecord sends one request per record: count the lines of all the objects together."
    correct(f"{lines} requests instead of {multi_record_requests}: each carries HTTP and parsing overhead for a "
            "single line, which is why MultiRecord is the faster choice for built-in XGBoost.")
