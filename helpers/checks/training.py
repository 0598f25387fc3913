"""Check cells of notebook 01 (prepare the data and train)."""
from __future__ import annotations

from helpers.checks.common import correct, unanswered


def check_artifact_uri(answer, output_path: str, job_name: str, model_data: str) -> None:
    """Exercise 01.1: the model artifact's S3 URI, built from output_path and the training job name."""
    if unanswered(answer):
        return
    assert isinstance(answer, str), "The answer is an S3 URI string: f'{output_path}/{job_name}/...'."
    assert answer.startswith(output_path), f"Start from the estimator's output_path ({output_path})."
    assert job_name in answer, "SageMaker puts each job's artifacts in a folder named after the training job."
    assert answer == model_data, "After the job name come output/model.tar.gz."
    correct("SageMaker writes <output_path>/<job name>/output/model.tar.gz.")


def check_latest_version(answer, resolved_uri: str) -> None:
    """Exercise 01.2: the XGBoost version behind the lesson's version='latest'."""
    if unanswered(answer):
        return
    assert "/xgboost:" in resolved_uri, "Run image_uris.retrieve('xgboost', region, 'latest') and read the image."
    assert str(answer).strip() in ("0.72", "0.72.0"), ("The legacy 'xgboost' repository holds XGBoost 0.72 (see "
                                                     "the table in Step 4), not a recent release.")
    correct("'latest' is the 2018 XGBoost 0.72 image: pin a version such as '1.7-1' instead.")
