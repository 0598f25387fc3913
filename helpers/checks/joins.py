"""Check cells of notebook 05 (keep each prediction next to its input record).

The filter checks apply the learner's paths to one sample record with helpers/checks/jsonpath.py (the Developer
Guide's JSONPath subset, written apart from the offline runtime), so no job is needed to check an answer.
"""
from __future__ import annotations

import json
import numbers
import re

from helpers.checks.common import correct, unanswered
from helpers.course.data import FEATURES, PRICE_CAP
from helpers.checks.jsonpath import select, select_columns
from helpers.course.results import rmse

# A sample record of each exercise's layout. Feature values differ from one another and from the label, so a
# shifted or partial selection cannot pass by accident.
SAMPLE_ID = "T042"
SAMPLE_LABEL = "24.0"
SAMPLE_FEATURES = [f"{n + 0.5}" for n in range(len(FEATURES))]
SAMPLE_PREDICTION = "23.5"

# A slice with an explicit end ($[1:14], $[1:-1]): the AWS guide's examples and operator table read it differently.
_SLICE_WITH_END = re.compile(r"\[\s*-?\d*\s*:\s*-?\d+\s*\]")


def _filters(answer, example: str) -> tuple[str, str]:
    assert isinstance(answer, dict) and {"InputFilter", "OutputFilter"} <= set(answer), (
        f"Answer with a dict of the two paths: {example}.")
    input_filter, output_filter = answer["InputFilter"], answer["OutputFilter"]
    assert isinstance(input_filter, str) and isinstance(output_filter, str), "Each filter is a JSONPath string."
    return input_filter.strip(), output_filter.strip()


def _unambiguous(path: str, field: str) -> None:
    assert not _SLICE_WITH_END.search(path), (
        f"{field} {path!r} is a slice with an end index. The kit (standard JSONPath) leaves the end out, but the "
        "AWS guide's examples read it as included, so the same path could select one column more on AWS. List the "
        "indices instead ($[1,2,3]) or leave the end open ($[2:])."
    )


def check_csv_filters(answer) -> None:
    """Exercise 05.1: filters for the layout tract_id, 13 features, MEDV (label last); output id, MEDV, prediction."""
    if unanswered(answer):
        return
    input_filter, output_filter = _filters(answer, "{'InputFilter': '$[...]', 'OutputFilter': '$[...]'}")
    _unambiguous(input_filter, "InputFilter")
    _unambiguous(output_filter, "OutputFilter")
    row = [SAMPLE_ID, *SAMPLE_FEATURES, SAMPLE_LABEL]
    sent = select_columns(input_filter, row, "InputFilter")
    assert SAMPLE_ID not in sent, ("The model would receive the tract id: the XGBoost container cannot read it "
                                   "(415, could not convert string to float). The id is column 0: leave it out.")
    assert SAMPLE_LABEL not in sent, ("The model would receive MEDV, the label, as a 14th feature. In this layout "
                                      "it is the last column (index 14 or -1): leave it out.")
    assert sent == SAMPLE_FEATURES, (f"The model must get the 13 features in columns 1 to 13, in order; your "
                                     f"InputFilter sends {len(sent)} column(s).")
    # A CSV join appends the prediction to the ORIGINAL row (the DataProcessing API reference, JoinSource).
    got = select_columns(output_filter, row + [SAMPLE_PREDICTION], "OutputFilter")
    expected = [SAMPLE_ID, SAMPLE_LABEL, SAMPLE_PREDICTION]
    assert got == expected, (
        f"Your OutputFilter keeps {got} from a sample row. The joined row is the ORIGINAL 15 columns (id at 0, MEDV "
        f"at 14) followed by the prediction (15, or -1): pick id, MEDV, prediction in that order.")
    correct("InputFilter hands the model only the features; OutputFilter picks from the original row plus the "
            "prediction.")


def check_json_filters(answer) -> None:
    """Exercise 05.2: filters for {"tract": ..., "x": [13 features], "MEDV": ...}, output tract, MEDV, prediction."""
    if unanswered(answer):
        return
    input_filter, output_filter = _filters(answer, "{'InputFilter': '$.…', 'OutputFilter': \"$['…','…']\"}")
    features = [float(value) for value in SAMPLE_FEATURES]
    record = {"tract": SAMPLE_ID, "x": features, "MEDV": float(SAMPLE_LABEL)}
    sent = select(input_filter, record, "InputFilter")
    assert sent == features, (f"The model must receive the array under 'x' ({features[:2]}...), not {sent!r}. "
                              "Select it by name: $.<attribute>.")
    # A JSON join adds the prediction to the input object as SageMakerOutput (the DataProcessing API reference).
    kept = select(output_filter, {**record, "SageMakerOutput": float(SAMPLE_PREDICTION)}, "OutputFilter")
    expected = {"tract": SAMPLE_ID, "MEDV": float(SAMPLE_LABEL), "SageMakerOutput": float(SAMPLE_PREDICTION)}
    assert isinstance(kept, dict) and kept == expected, (
        f"Your OutputFilter keeps {kept!r}. A JSON join puts the prediction under 'SageMakerOutput' in the original "
        f"record; keep three attributes by name: $['tract','MEDV','SageMakerOutput'] (any order).")
    correct("For JSON the prediction joins the record as 'SageMakerOutput', and names select what to keep.")


def check_rmse_below_cap(answer, joined) -> None:
    """Exercise 05.3: the RMSE over the tracts below the $50k price cap, computed from the joined result alone."""
    if unanswered(answer):
        return
    actual, predicted = joined["MEDV"], joined["prediction"]
    below_cap = actual < PRICE_CAP
    expected = rmse(actual[below_cap], predicted[below_cap])
    is_number = isinstance(answer, numbers.Real) and not isinstance(answer, bool)
    assert is_number, "Answer with a number (the RMSE in $1000s)."
    if abs(answer - expected) > 0.005 and abs(answer - rmse(actual, predicted)) <= 0.005:
        raise AssertionError(f"That is the RMSE of all {len(joined)} tracts: keep only the rows with "
                             f"MEDV < {PRICE_CAP:g}.")
    assert abs(answer - expected) <= 0.005, (f"Select joined[joined['MEDV'] < {PRICE_CAP:g}] and compute "
                                            "results.rmse(its MEDV, its prediction).")
    correct(f"{int((~below_cap).sum())} capped tracts left out. The label travelled with each prediction, so no "
            "second file was needed.")
