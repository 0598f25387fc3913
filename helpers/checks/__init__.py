"""The exercises' check cells, one module per notebook: `from helpers.checks import training as checks`.
Each check prints "Correct!" for a right answer, raises AssertionError with a hint for a wrong one, and waits
politely while the answer is still None. tests/test_checks_*.py run them on right, wrong and copied answers."""
