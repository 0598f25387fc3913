"""Built-in XGBoost image recognition, checked against the URIs the SageMaker SDK itself builds."""

import os

import pytest

from sagemaker_offline.xgboost_images import XGBoostImage, builtin_xgboost_image

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")

VERSIONS = {
    "0.90-1": "0.90",
    "0.90-2": "0.90",
    "1.0-1": "1.0.0",
    "1.2-1": "1.2.0",
    "1.2-2": "1.2.0",
    "1.3-1": "1.3.3",
    "1.5-1": "1.5.2",
    "1.7-1": "1.7.4",
    "3.0-5": "3.0.5",
}
REGIONS = ["us-west-2", "eu-west-1", "ap-northeast-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1"]


@pytest.fixture(scope="module")
def retrieve():
    from sagemaker import image_uris

    return image_uris.retrieve


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_every_sdk_uri_is_recognised(retrieve, version, region):
    uri = retrieve("xgboost", region, version)
    image = builtin_xgboost_image(uri)
    assert image == XGBoostImage("sagemaker-xgboost", uri.rsplit(":", 1)[1], version, VERSIONS[version])


@pytest.mark.parametrize("alias", ["1", "latest"])
@pytest.mark.parametrize("region", REGIONS)
def test_legacy_repository_is_the_072_algorithm(retrieve, alias, region):
    uri = retrieve("xgboost", region, alias)
    image = builtin_xgboost_image(uri)
    assert image == XGBoostImage("xgboost", alias, "0.72", "0.72")
    assert image.is_legacy


def test_graviton_and_bare_tags_are_recognised(retrieve):
    uri = retrieve("xgboost", "us-west-2", "1.5-1", image_scope="inference_graviton", instance_type="ml.c6g.xlarge")
    assert builtin_xgboost_image(uri).version == "1.5-1"
    # The registry serves 1.0-1 under both tags; retrieve() writes the -cpu-py3 one.
    assert builtin_xgboost_image("246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.0-1").version == "1.0-1"


@pytest.mark.parametrize(
    "uri",
    [
        "123456789012.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1",  # a learner's own account
        "246618743249.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1",  # us-west-2 account, other region
        "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:9.9-9",
        "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:3.0-5-cpu-py3",
        "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost",
        "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        "246618743249.dkr.ecr.us-west-2.amazonaws.com.cn/sagemaker-xgboost:1.7-1",
        "433757028032.dkr.ecr.us-west-2.amazonaws.com/xgboost:0.72",
        "433757028032.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1",
        "xgboost:latest",
        "",
    ],
)
def test_other_images_are_not_builtin(uri):
    assert builtin_xgboost_image(uri) is None


def test_sklearn_image_from_sdk_is_not_xgboost(retrieve):
    assert builtin_xgboost_image(retrieve("sklearn", "us-west-2", "1.2-1")) is None
