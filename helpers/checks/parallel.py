"""Check cells of notebook 04 (spread a batch transform over files and instances)."""
from __future__ import annotations

import math

import numpy as np

from helpers.checks.common import correct, unanswered
from helpers.course.inputs import MIB, InputObject, planned_mini_batches


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


# Exercise 04.2: the nightly scoring job the learner sizes (a stated data size, not the notebook's four objects).
NIGHTLY_GB = 12
NIGHTLY_LINE_BYTES = 100
NIGHTLY_INSTANCES = 4
# The API reference's limits: MaxPayloadInMB 0-100 (the XGBoost container needs at least 1), and
# MaxConcurrentTransforms x MaxPayloadInMB must not exceed 100 MB (CreateTransformJob, MaxPayloadInMB).
MAX_PAYLOAD_LIMIT_MB = 100
SETTINGS_KEYS = ("objects", "SplitType", "BatchStrategy", "MaxPayloadInMB", "MaxConcurrentTransforms")


def check_settings_for_size(answer, data_gb: float = NIGHTLY_GB, instance_count: int = NIGHTLY_INSTANCES) -> None:
    """Exercise 04.2: settings that let one large CSV keep every instance busy without failing the job."""
    if unanswered(answer):
        return
    assert isinstance(answer, dict) and set(SETTINGS_KEYS) <= set(answer), (
        f"Answer with a dict of {', '.join(SETTINGS_KEYS)}.")
    objects = answer["objects"]
    _whole_number(objects, "objects")
    assert objects >= instance_count, (
        f"With {objects} object(s) on {instance_count} instances, {instance_count - objects} instance(s) get no work "
        "and are billed anyway: an object goes whole to one instance. Split the file into at least as many objects.")
    assert objects % instance_count == 0, (
        f"{objects} objects on {instance_count} instances: some instances get one object more than others and the "
        f"job waits for them. Use a multiple of {instance_count} objects of similar size.")
    object_mb = data_gb * 1024 / objects
    split = str(answer["SplitType"])
    assert split == "Line", (
        f"With SplitType {split!r} each object ({object_mb:.0f} MB) would go as one request, far above "
        f"MaxPayloadInMB's {MAX_PAYLOAD_LIMIT_MB} MB limit, and the job fails. Cut the objects into records: 'Line'."
        if split == "None" else f"SplitType is 'None', 'Line', 'RecordIO' or 'TFRecord'; a CSV is cut into 'Line's.")
    assert answer["BatchStrategy"] == "MultiRecord", (
        "SingleRecord sends each 100-byte line as its own request: over 100 million requests. MultiRecord packs "
        "lines into mini-batches of up to MaxPayloadInMB.")
    payload, concurrent = answer["MaxPayloadInMB"], answer["MaxConcurrentTransforms"]
    _whole_number(payload, "MB for MaxPayloadInMB")
    _whole_number(concurrent, "concurrent requests for MaxConcurrentTransforms")
    assert 1 <= payload <= MAX_PAYLOAD_LIMIT_MB, "MaxPayloadInMB is between 1 and 100 (6 is the default)."
    assert concurrent >= 1, "MaxConcurrentTransforms is at least 1 request at a time per instance."
    assert payload * concurrent <= MAX_PAYLOAD_LIMIT_MB, (
        f"MaxConcurrentTransforms x MaxPayloadInMB = {payload * concurrent} MB: SageMaker refuses a request above "
        f"{MAX_PAYLOAD_LIMIT_MB} MB (the API reference's limit). Lower one of the two.")
    correct(f"{objects} objects of about {object_mb:,.0f} MB keep all {instance_count} instances busy; MultiRecord "
            f"mini-batches of up to {payload} MB, {concurrent} at a time per instance, stay within the 100 MB limit.")


def check_single_record_requests(answer, objects: int, lines_per_object: int, line_bytes: int,
                                 seen: tuple[int, ...] = ()) -> None:
    """Exercise 04.3: how many requests BatchStrategy SingleRecord sends for a stated dataset (one per line);
    `seen` holds the counts printed in the notebook, which are not this dataset's."""
    if unanswered(answer):
        return
    _whole_number(answer, "requests")
    lines = objects * lines_per_object
    multi_record_requests = objects * math.ceil(lines_per_object * line_bytes / MIB)  # 1 MB mini-batches
    assert answer not in seen, ("That number is from the notebook's four objects; the task is the dataset it "
                                "describes.")
    assert answer != multi_record_requests, (f"{multi_record_requests} is what MultiRecord sends at 1 MB. SingleRecord "
                                            "puts one record, one line, in each request.")
    assert answer != objects, "One request per object would be SplitType None, not SingleRecord."
    assert answer == lines, ("SingleRecord sends one request per record, whatever the objects: count the lines of all "
                             "the objects together.")
    correct(f"{lines:,} requests instead of {multi_record_requests:,}: each carries HTTP and parsing overhead for a "
            "single line, which is why MultiRecord is the faster choice for built-in XGBoost.")
