"""The exercises' check cells: each says "Correct" for a right answer, gives a hint for a wrong one (AssertionError),
and waits politely while the answer is still `None`. tests/test_checks.py runs every check on right and wrong answers."""
from __future__ import annotations

import numpy as np


def _unanswered(answer) -> bool:
    if answer is None or answer is ...:
        print("Not answered yet: replace None with your answer above, then run this cell again.")
        return True
    return False


def _correct(message: str = "") -> None:
    print("Correct!" + (f" {message}" if message else ""))


# -- 01 prepare and train -------------------------------------------------------------------------------------------
def check_artifact_uri(answer, output_path: str, job_name: str, model_data: str) -> None:
    """Exercise 01.1: the model artifact's S3 URI, built from output_path and the training job name."""
    if _unanswered(answer):
        return
    assert isinstance(answer, str), "The answer is an S3 URI string: f'{output_path}/{job_name}/...'."
    assert answer.startswith(output_path), f"Start from the estimator's output_path ({output_path})."
    assert job_name in answer, "SageMaker puts each job's artifacts in a folder named after the training job."
    assert answer == model_data, "After the job name come output/model.tar.gz."
    _correct("SageMaker writes <output_path>/<job name>/output/model.tar.gz.")


def check_latest_version(answer, resolved_uri: str) -> None:
    """Exercise 01.2: the XGBoost version behind the lesson's version='latest'."""
    if _unanswered(answer):
        return
    assert "/xgboost:" in resolved_uri, "Run image_uris.retrieve('xgboost', region, 'latest') and read the image."
    assert str(answer).strip() in ("0.72", "0.72.0"), ("The legacy 'xgboost' repository holds XGBoost 0.72 (see "
                                                     "the table in Step 4), not a recent release.")
    _correct("'latest' is the 2018 XGBoost 0.72 image: pin a version such as '1.7-1' instead.")


# -- 02 batch transform with the SDK --------------------------------------------------------------------------------
def check_output_lines(answer, test_rows: int, out_text: str) -> None:
    """Exercise 02.1: how many lines the .out has."""
    if _unanswered(answer):
        return
    lines = len(out_text.splitlines())
    assert isinstance(answer, (int, np.integer)), "Answer with a whole number of lines."
    assert answer == lines, (f"Count the lines of the .out (len(out_text.splitlines())); compare with the {test_rows} "
                             "rows of test.csv.")
    _correct("One prediction per input record, in input order.")


def check_same_output(answer, out_line: str, out_none: str) -> None:
    """Exercise 02.2: does SplitType None change the predictions for a file this small?"""
    if _unanswered(answer):
        return
    assert isinstance(answer, bool), "Answer True or False."
    assert answer == (out_line == out_none), "Compare the two .out texts with ==."
    _correct("test.csv is far below 6 MB, so with SplitType None it goes as one request and the container "
                    "answers the same bytes.")
