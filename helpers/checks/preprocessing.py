"""Check cells of notebook 06 (preprocess training data with batch transform): the residual rule, the OutputFilter
that keeps label and prediction, and how far predictions moved without feature B."""
from __future__ import annotations

import numpy as np

from helpers.checks.common import correct, unanswered
from helpers.course.data import PRICE_CAP, TARGET


def _is_whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_strict_rule(answer, scored) -> None:
    """Exercise 06.1: (records dropped, censored among them) for |residual| > 2 x training RMSE.

    `scored` is the joined output as a table with (at least) the columns MEDV and prediction.
    """
    if unanswered(answer):
        return
    residual = scored[TARGET] - scored["prediction"]
    strict = residual.abs() > 2 * float(np.sqrt(np.mean(residual ** 2)))
    dropped, censored = int(strict.sum()), int((scored.loc[strict, TARGET] == PRICE_CAP).sum())
    assert isinstance(answer, (tuple, list)) and len(answer) == 2 and all(_is_whole(v) for v in answer), (
        "Answer with a tuple of two whole numbers: (records dropped, censored among them).")
    assert answer[0] == dropped, ("Count the records with scored['residual'].abs() > 2 * train_rmse "
                                  "(the training RMSE of Step 2, not 2.0 itself).")
    assert answer[1] == censored, "Of those records, count the ones whose MEDV is 50.0 (the 'censored' column)."
    correct(f"A stricter rule drops {dropped} records, and only {censored} of them are censored: the rest are real "
            "prices the model finds hard, which is why the notebook uses 3 x RMSE.")


def _apply_output_filter(path: str, record: list[str], prediction: str) -> list[str] | None:
    """What Batch Transform writes for one joined CSV record under OutputFilter `path` (None if the path is refused).

    The joined record is the input row with the prediction appended (the DataProcessing API reference, JoinSource);
    helpers/checks/jsonpath.py applies the path, apart from the offline runtime's own code."""
    from helpers.checks.jsonpath import PathError, select_columns

    try:
        return select_columns(path, record + [prediction], "OutputFilter")
    except PathError:
        return None


def check_label_and_prediction_filter(answer, joined_width: int = 15) -> None:
    """Exercise 06.2: an OutputFilter that keeps the label (input column 0) and the prediction (the last column)."""
    if unanswered(answer):
        return
    assert isinstance(answer, str) and answer.strip().startswith("$"), (
        "An OutputFilter is a JSONPath string starting with '$', e.g. '$[0,3]' for columns 0 and 3.")
    # distinct values, so the check can tell which columns a path picked
    values = ["24.5"] + [f"{i}.25" for i in range(1, joined_width - 1)] + ["23.75"]
    names = ["the label"] + [f"feature {i}" for i in range(1, joined_width - 1)] + ["the prediction"]
    kept = _apply_output_filter(answer.strip(), values[:-1], values[-1])
    assert kept is not None, ("A job with this OutputFilter would fail: it names a column the joined record does not "
                              "have, or uses syntax outside Batch Transform's JSONPath subset. Use an index list "
                              "like '$[0,1]'; a negative index counts from the end.")
    kept_names = [names[values.index(v)] if v in values else v for v in kept]
    assert kept == [values[0], values[-1]], (
        f"On a joined record of {joined_width} columns (label, {joined_width - 2} features, prediction) this path keeps "
        f"{', '.join(kept_names) or 'nothing'}. Keep column 0 and the last column, in that order.")
    path = answer.strip()
    correct(f"{path} keeps the label from the input and the prediction the model appended. With DataProcessing="
            f"{{'InputFilter': '$[1:]', 'JoinSource': 'Input', 'OutputFilter': '{path}'}} (output_filter= in the SDK) "
            "the .out holds just those two columns.")


def check_moved_predictions(answer, with_b, without_b) -> None:
    """Exercise 06.3: how many test predictions moved by more than 1.0 ($1000) when B was dropped."""
    if unanswered(answer):
        return
    moved = np.abs(np.asarray(without_b, dtype=float) - np.asarray(with_b, dtype=float))
    expected = int((moved > 1.0).sum())
    assert _is_whole(answer), "Answer with a whole number of test rows."
    if answer != expected and answer == int((moved > 1000).sum()):
        raise AssertionError("Prices are in $1000s: $1,000 is 1.0, not 1000.")
    assert answer == expected, ("Take np.abs(without B - with B) over the test predictions and count the values "
                                "above 1.0.")
    correct(f"{expected} of {len(moved)} test predictions moved by more than $1,000, although the RMSE barely "
            "changed: a similar error overall is not the same predictions.")
