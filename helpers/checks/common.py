"""What every exercise check shares: "not answered yet" while the answer is None, "Correct!" when it is right.
A wrong answer raises AssertionError with a hint."""
from __future__ import annotations


def unanswered(answer) -> bool:
    """True (after saying so) while the learner's answer is still the placeholder."""
    if answer is None or answer is ...:
        print("Not answered yet: replace None with your answer above, then run this cell again.")
        return True
    return False


def correct(message: str = "") -> None:
    print("Correct!" + (f" {message}" if message else ""))
