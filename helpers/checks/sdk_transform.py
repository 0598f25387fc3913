"""Check cells of notebook 02 (batch transform with the SDK): predict the .out layout of a changed job, and whether
SplitType None changes the output."""
from __future__ import annotations

from typing import Mapping

from helpers.checks.common import correct, unanswered

MIB = 1024 * 1024
DEFAULT_MAX_PAYLOAD_MB = 6  # MaxPayloadInMB's default (API reference, CreateTransformJob)


def check_out_layout(answer, input_rows: Mapping[str, int]) -> None:
    """Exercise 02.1: the .out objects (name -> lines) a job over an S3 prefix with several CSV objects writes."""
    if unanswered(answer):
        return
    expected = {f"{name}.out": rows for name, rows in input_rows.items()}
    assert isinstance(answer, Mapping), ("Answer with a dict of output object name -> number of lines, "
                                         "e.g. {'a.csv.out': 10}.")
    names = {str(name).rsplit("/", 1)[-1] for name in answer}
    total = sum(input_rows.values())
    if len(answer) == 1 and total in answer.values():
        raise AssertionError("Batch transform never merges input objects: each input object gets its own output "
                             "object.")
    misnamed = sorted(names - set(expected))
    assert not misnamed, (f"{misnamed}: an output object is named after its input object, the whole name with "
                          "'.out' added (test.csv -> test.csv.out).")
    assert names == set(expected), (f"The prefix holds {len(input_rows)} input objects, and each gets its own "
                                    "<object>.out.")
    counts = {str(name).rsplit("/", 1)[-1]: lines for name, lines in answer.items()}
    for name, rows in expected.items():
        assert counts[name] == rows, (f"{name}: one prediction per input line, so as many lines as "
                                      f"{name[:-4]} has rows.")
    correct("One .out per input object, named <object>.out, one line per input line, in input order.")


def check_same_output(answer, input_bytes: int, max_payload_mb: int = DEFAULT_MAX_PAYLOAD_MB) -> None:
    """Exercise 02.2: does a job without split_type (SplitType None) write the same .out bytes for this file?"""
    if unanswered(answer):
        return
    assert isinstance(answer, bool), "Answer True or False (a prediction, before you run the job)."
    fits = input_bytes <= max_payload_mb * MIB
    # Fits: the whole file is one request, the container answers one prediction per line, so the bytes are equal.
    # Too big: SplitType None sends the object as one request larger than MaxPayloadInMB, and the job fails.
    assert fits, "This file is larger than MaxPayloadInMB: without split_type the job fails, so there is no .out."
    assert answer is True, (f"test.csv is {input_bytes / 1024:.0f} KiB, far below the {max_payload_mb} MB payload: "
                            "with SplitType None it goes as one request, and the container still answers one "
                            "prediction per line, in order. What would differ?")
    correct(f"test.csv is far below {max_payload_mb} MB, so with SplitType None it goes as one request and the "
            "container answers the same bytes. Run the solution to see it.")
