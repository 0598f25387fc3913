"""The check cells of notebook 05 pass on the solutions, fail with a hint on wrong answers and wait on None."""
import numpy as np
import pandas as pd
import pytest

from helpers.checks import joins

ALL_FEATURES = "$[" + ",".join(str(n) for n in range(1, 14)) + "]"


def test_unanswered_waits_without_failing(capsys):
    joins.check_csv_filters(None)
    joins.check_json_filters(None)
    joins.check_rmse_below_cap(None, pd.DataFrame())
    assert capsys.readouterr().out.count("Not answered yet") == 3


@pytest.mark.parametrize("output_filter", ["$[0,-2,-1]", "$[0,14,15]", "$[0,14,-1]"])
def test_csv_filters_accept_the_solutions(capsys, output_filter):
    joins.check_csv_filters({"InputFilter": ALL_FEATURES, "OutputFilter": output_filter})
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("answer, hint", [
    ({"InputFilter": "$[1:14]", "OutputFilter": "$[0,-2,-1]"}, "end index"),       # right offline, ambiguous on AWS
    ({"InputFilter": "$[1:-1]", "OutputFilter": "$[0,-2,-1]"}, "end index"),
    ({"InputFilter": "$[1:]", "OutputFilter": "$[0,-2,-1]"}, "label"),             # the label goes to the model
    ({"InputFilter": "$[0,1,2,3,4,5,6,7,8,9,10,11,12,13]", "OutputFilter": "$[0,-2,-1]"}, "tract id"),
    ({"InputFilter": "$[1,2,3,4,5,6,7,8,9,10,11,12]", "OutputFilter": "$[0,-2,-1]"}, "13 features"),
    ({"InputFilter": "$[2,1,3,4,5,6,7,8,9,10,11,12,13]", "OutputFilter": "$[0,-2,-1]"}, "in order"),
    ({"InputFilter": ALL_FEATURES, "OutputFilter": "$[0,1,-1]"}, "ORIGINAL"),       # notebook layout, not this one
    ({"InputFilter": ALL_FEATURES, "OutputFilter": "$[0,16]"}, "only 16 columns"),  # beyond the joined width
    ({"InputFilter": ALL_FEATURES, "OutputFilter": "$..x"}, "recursive descent"),
    ({"InputFilter": ALL_FEATURES}, "dict of the two paths"),
    ("$[1:], $[0,-1]", "dict of the two paths"),
])
def test_csv_filters_reject_wrong_answers(answer, hint):
    with pytest.raises(AssertionError, match=hint):
        joins.check_csv_filters(answer)


@pytest.mark.parametrize("output_filter", ["$['tract','MEDV','SageMakerOutput']",
                                           "$['SageMakerOutput','tract','MEDV']"])
def test_json_filters_accept_the_solutions(capsys, output_filter):
    joins.check_json_filters({"InputFilter": "$.x", "OutputFilter": output_filter})
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("answer, hint", [
    ({"InputFilter": "$", "OutputFilter": "$['tract','MEDV','SageMakerOutput']"}, "array under 'x'"),
    ({"InputFilter": "$.features", "OutputFilter": "$['tract','MEDV','SageMakerOutput']"}, "attribute 'features'"),
    ({"InputFilter": "$.x", "OutputFilter": "$['tract','SageMakerOutput']"}, "three attributes"),
    ({"InputFilter": "$.x", "OutputFilter": "$['tract','MEDV','prediction']"}, "SageMakerOutput"),
    ({"InputFilter": "$.x", "OutputFilter": "$[0,1,-1]"}, "JSON object"),
])
def test_json_filters_reject_wrong_answers(answer, hint):
    with pytest.raises(AssertionError, match=hint):
        joins.check_json_filters(answer)


JOINED = pd.DataFrame({"tract_id": ["T001", "T002", "T003", "T004"],
                       "MEDV": [50.0, 20.0, 30.0, 15.0],
                       "prediction": [30.0, 26.0, 29.0, 14.0]})
BELOW_CAP_RMSE = (38 / 3) ** 0.5  # errors 6, -1, -1 on the three tracts below $50k


def test_rmse_below_cap(capsys):
    joins.check_rmse_below_cap(BELOW_CAP_RMSE, JOINED)
    joins.check_rmse_below_cap(round(BELOW_CAP_RMSE, 3), JOINED)
    joins.check_rmse_below_cap(np.float32(BELOW_CAP_RMSE), JOINED)
    assert capsys.readouterr().out.count("Correct!") == 3


@pytest.mark.parametrize("answer, hint", [
    ((438 / 4) ** 0.5, "all 4 tracts"),   # the capped tract kept
    (38 / 3, r"MEDV'\] < 50"),           # the MSE, not its root
    ("3.56", "a number"),
    (True, "a number"),
])
def test_rmse_below_cap_rejects_wrong_answers(answer, hint):
    with pytest.raises(AssertionError, match=hint):
        joins.check_rmse_below_cap(answer, JOINED)
