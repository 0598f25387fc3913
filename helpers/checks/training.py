"""Check cells of notebook 01 (prepare the data and train)."""
from __future__ import annotations

from helpers.checks.common import correct, unanswered

# Exercise 01.1: a colleague's training job, so the answer is not the model_data the notebook printed.
COLLEAGUE_OUTPUT_PATH = "s3://team-ml-models/boston/xgboost"
COLLEAGUE_JOB_NAME = "boston-nightly-2026-12-01-03-00-00-123"
# Exercise 01.2: the region the colleague trains in.
COLLEAGUE_REGION = "eu-west-1"


def check_artifact_uri(answer, output_path: str, job_name: str, seen_model_data: str) -> None:
    """Exercise 01.1: the artifact URI of another training job, from its output_path and job name alone."""
    if unanswered(answer):
        return
    assert isinstance(answer, str), "The answer is an S3 URI string: f'{output_path}/{job_name}/...'."
    assert answer != seen_model_data, ("That is this notebook's model_data, copied. The task is the colleague's job: "
                                       f"start from their output_path ({output_path}).")
    assert answer.startswith(output_path.rstrip("/") + "/"), f"Start from the colleague's output_path ({output_path})."
    assert f"/{job_name}/" in answer, ("SageMaker puts each job's artifacts in a folder named after the training job: "
                                       f"add /{job_name}/ after the output path.")
    expected = f"{output_path.rstrip('/')}/{job_name}/output/model.tar.gz"
    assert answer == expected, "After the job name come output/model.tar.gz (compare with model_data above)."
    correct("SageMaker writes <output_path>/<job name>/output/model.tar.gz, whoever runs the job.")


def _image_uris():
    """The SDK's own table of registries, read locally (no network): `sagemaker.image_uris` in SDK v2 (notebook 01),
    `sagemaker.core.image_uris` in SDK v3 (notebooks/sdk-v3/01), which removed the v2 module."""
    from importlib.metadata import version as installed

    if installed("sagemaker").startswith("2."):
        from sagemaker import image_uris
    else:
        from sagemaker.core import image_uris
    return image_uris


def check_image_uri(answer, region: str, version: str, seen_uri: str) -> None:
    """Exercise 01.2: the built-in XGBoost image for another region; the URI printed for this region is refused."""
    if unanswered(answer):
        return
    expected = _image_uris().retrieve(framework="xgboost", region=region, version=version)
    assert isinstance(answer, str) and answer.strip(), "Answer with the image URI as a string."
    value = answer.strip()
    assert value != seen_uri, (f"That is the image for this notebook's region. Images live in each region's own "
                               f"registry: ask image_uris.retrieve for region '{region}'.")
    assert value.endswith(f":{version}"), f"Keep the pinned version: the URI ends in ':{version}', not 'latest'."
    assert f".{region}." in value, f"The registry host names the region: ...dkr.ecr.{region}.amazonaws.com/..."
    assert value == expected, ("The registry account differs from region to region too: "
                               f"image_uris.retrieve('xgboost', '{region}', '{version}') gives it.")
    correct(f"Each region has its own copy of the image (account {expected.split('.')[0]} in {region}): "
            "a training or transform job can only pull from its own region.")
