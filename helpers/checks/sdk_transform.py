"""Check cells of notebook 02 (batch transform with the SDK)."""
from __future__ import annotations

import numpy as np

from helpers.checks.common import correct, unanswered


def check_output_lines(answer, test_rows: int, out_text: str) -> None:
    """Exercise 02.1: how many lines the .out has."""
    if unanswered(answer):
        return
    lines = len(out_text.splitlines())
    assert isinstance(answer, (int, np.integer)), "Answer with a whole number of lines."
    assert answer == lines, (f"Count the lines of the .out (len(out_text.splitlines())); compare with the {test_rows} "
                             "rows of test.csv.")
    correct("One prediction per input record, in input order.")


def check_same_output(answer, out_line: str, out_none: str) -> None:
    """Exercise 02.2: does SplitType None change the predictions for a file this small?"""
    if unanswered(answer):
        return
    assert isinstance(answer, bool), "Answer True or False."
    assert answer == (out_line == out_none), "Compare the two .out texts with ==."
    correct("test.csv is far below 6 MB, so with SplitType None it goes as one request and the container "
                    "answers the same bytes.")
