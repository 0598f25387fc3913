"""The check cells of notebook 06 pass on the solution, fail with a hint on wrong answers and wait on None."""
import numpy as np
import pandas as pd
import pytest

from helpers.checks import preprocessing


@pytest.fixture
def scored():
    """A joined output in miniature: residuals 0 except two censored rows (+8, +9) and one ordinary row (-3)."""
    labels = np.array([20.0] * 17 + [50.0, 50.0, 15.0])
    predictions = labels.copy()
    predictions[17:] = [42.0, 41.0, 18.0]
    return pd.DataFrame({"MEDV": labels, "prediction": predictions, "residual": labels - predictions})


def test_unanswered_waits_without_failing(capsys, scored):
    preprocessing.check_strict_rule(None, scored)
    preprocessing.check_label_and_prediction_filter(None)
    preprocessing.check_moved_predictions(None, [1.0], [2.0])
    assert capsys.readouterr().out.count("Not answered yet") == 3


def test_strict_rule(capsys, scored):
    # training RMSE = sqrt((64 + 81 + 9) / 20) = 2.77; 2 x RMSE = 5.55 keeps the -3 row and drops both censored rows
    preprocessing.check_strict_rule((2, 2), scored)
    assert "Correct!" in capsys.readouterr().out
    preprocessing.check_strict_rule([2, 2], scored)  # a list is as good as a tuple
    assert "Correct!" in capsys.readouterr().out
    for wrong in ((3, 2), (2, 1), (2,), 2, ("2", "2"), (2.0, 2.0), (True, True)):
        with pytest.raises(AssertionError):
            preprocessing.check_strict_rule(wrong, scored)


def test_strict_rule_hint_names_the_rmse(scored):
    # |residual| > 2.0 (the factor taken as the threshold) drops 3 records: the hint points at 2 x train_rmse
    with pytest.raises(AssertionError, match="2 \\* train_rmse"):
        preprocessing.check_strict_rule((3, 2), scored)


@pytest.mark.parametrize("path", ["$[0,-1]", "$[0,14]", " $[0,-1] "])
def test_label_and_prediction_filter_accepts(capsys, path):
    preprocessing.check_label_and_prediction_filter(path)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("path", ["$[-1,0]", "$[0]", "$[0:2]", "$[1:]", "$", "$[20]", "$.MEDV", "[0,-1]", 0])
def test_label_and_prediction_filter_rejects(path):
    with pytest.raises(AssertionError):
        preprocessing.check_label_and_prediction_filter(path)


def test_label_and_prediction_filter_says_what_a_path_keeps():
    with pytest.raises(AssertionError, match="keeps the label, feature 1"):
        preprocessing.check_label_and_prediction_filter("$[0:2]")


def test_label_and_prediction_filter_follows_the_record_width(capsys):
    preprocessing.check_label_and_prediction_filter("$[0,5]", joined_width=6)
    assert "Correct!" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        preprocessing.check_label_and_prediction_filter("$[0,14]", joined_width=6)


def test_moved_predictions(capsys):
    with_b = np.array([10.0, 20.0, 30.0, 40.0])
    without_b = np.array([10.5, 21.5, 28.0, 40.0])  # moves 0.5, 1.5, 2.0, 0.0
    preprocessing.check_moved_predictions(2, with_b, without_b)
    assert "Correct!" in capsys.readouterr().out
    preprocessing.check_moved_predictions(np.int64(2), with_b, without_b)
    assert "Correct!" in capsys.readouterr().out
    for wrong in (1, 3, 2.0, "2"):
        with pytest.raises(AssertionError):
            preprocessing.check_moved_predictions(wrong, with_b, without_b)


def test_moved_predictions_hint_on_dollars():
    with pytest.raises(AssertionError, match="1.0, not 1000"):
        preprocessing.check_moved_predictions(0, [10.0, 20.0], [12.0, 20.0])
