"""Check cells of notebook 99 (clean up everything the course created)."""
from __future__ import annotations

from helpers.checks.common import correct, unanswered


def check_nothing_left(answer, report) -> None:
    """Exercise 99.1: after the clean-up, a dry run finds nothing under the prefix."""
    if unanswered(answer):
        return
    assert isinstance(answer, int), "Answer with a whole number of objects."
    assert answer == len(report.s3_objects), "Run clean_up(course, dry_run=True) and count report.s3_objects."
    correct("Nothing is left under the course prefix: the clean-up is complete.")
