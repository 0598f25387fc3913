"""The 1.7-1 container's hyperparameter validation in its own words (sagemaker_offline/hyperparameters.py; issue 21: an
unknown objective used to report xgboost's C++ source path). Messages from aws/sagemaker-xgboost-container, branch
1.7-1, src/sagemaker_algorithm_toolkit/hyperparameter_validation.py."""
from __future__ import annotations

import pytest

from helpers.course import models
from sagemaker_offline import hyperparameters as hp

COURSE = dict(models.HYPERPARAMETERS)


def message(raw: dict) -> str:
    with pytest.raises(hp.UserError) as raised:
        hp.validate(raw)
    return str(raised.value)


def test_the_course_hyperparameters_pass():
    parsed = hp.validate(COURSE)
    assert parsed["num_round"] == 200 and parsed["eta"] == 0.2 and parsed["objective"] == "reg:squarederror"


@pytest.mark.parametrize("raw, expected", [
    ({"max_depth": "2"}, "Missing required hyperparameter: num_round"),
    ({**COURSE, "silent": "0"}, "Extraneous hyperparameter found: silent"),
    ({**COURSE, "num_rounds": "10"}, "Extraneous hyperparameter found: num_rounds"),
    ({**COURSE, "max_depth": "5.0"}, "Hyperparameter max_depth: could not parse value (caused by ValueError)"),
    ({**COURSE, "max_depth": "-1"}, "Hyperparameter max_depth: -1 is not in [0, +inf)"),
    ({**COURSE, "subsample": "0"}, "Hyperparameter subsample: 0.0 is not in (0, 1]"),
    ({**COURSE, "eta": "1.5"}, "Hyperparameter eta: 1.5 is not in [0, 1]"),
    ({**COURSE, "learning_rate": "2"}, "Hyperparameter eta: 2.0 is not in [0, 1]"),  # an alias, reported by its name
    ({**COURSE, "objective": "reg:squared_error"},
     "Hyperparameter objective: reg:squared_error is not in ['aft_loss_distribution', 'binary:logistic', "),
    ({**COURSE, "objective": "multi:softmax"}, "Require input for parameter 'num_class' for multi-classification"),
])
def test_refusals_in_the_containers_words(raw, expected):
    assert message(raw).startswith(expected)


def test_a_failure_reason_is_the_framework_error_sagemaker_containers_writes():
    reason = hp.failure_reason(hp.UserError("Extraneous hyperparameter found: silent"))
    assert reason.startswith("AlgorithmError: framework error: \nTraceback (most recent call last):\n")
    assert reason.endswith("sagemaker_algorithm_toolkit.exceptions.UserError: Extraneous hyperparameter found: silent"
                           "\n\nExtraneous hyperparameter found: silent")


def test_a_training_job_with_an_unknown_objective_fails_before_training(course, course_data):
    from sagemaker.estimator import Estimator
    from sagemaker.exceptions import UnexpectedStatusException
    from sagemaker.inputs import TrainingInput

    estimator = Estimator(models.image_uri(course), course.role, instance_count=1, instance_type="ml.m4.xlarge",
                          output_path=course.s3_uri("tests-objective"), sagemaker_session=course.session)
    estimator.set_hyperparameters(num_round=2, objective="reg:squared_error")
    with pytest.raises(UnexpectedStatusException) as raised:
        estimator.fit({"train": TrainingInput(course_data.train_uri, content_type="text/csv")}, logs=False)
    text = str(raised.value)
    assert "Hyperparameter objective: reg:squared_error is not in [" in text
    assert ".cc:" not in text and "xgboost" not in text.split("Reason:")[1].split("sagemaker_algorithm")[0].lower()
