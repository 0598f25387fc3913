"""In each replica of a supported SageMaker Studio image (make test builds .venv-studio-<version> from
tests/studio/sagemaker-distribution-<version>.txt), the learner's one command, `pip install -e ".[offline]"`, only
added packages: every version the image pins is still the one installed. (make test then runs the v3 notebooks there.)"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IMAGES = sorted(p.stem.rsplit("-", 1)[-1] for p in (ROOT / "tests" / "studio").glob("sagemaker-distribution-*.txt"))


def freeze(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.lower().replace("_", "-")] = version.strip()
    return pins


def replica(image: str) -> Path:
    venv = ROOT / f".venv-studio-{image}"
    if not (venv / ".installed").exists():
        pytest.skip(f"needs the Studio {image} replica: make .venv-studio-{image}/.installed (make test builds it)")
    return venv


@pytest.mark.parametrize("image", IMAGES)
def test_the_kits_install_moved_no_package_of_the_image(image):
    venv = replica(image)
    before, after = freeze(venv / "image-freeze.txt"), freeze(venv / "kit-freeze.txt")
    moved = {name: f"{version} -> {after.get(name, 'removed')}" for name, version in before.items()
             if after.get(name) != version}
    assert not moved, f"pip install -e '.[offline]' changed the image's packages: {moved}"
    added = set(after) - set(before)
    assert {"moto", "jsonpath-ng"} <= added, added  # what offline mode adds


@pytest.mark.parametrize("image", IMAGES)
def test_the_image_pins_are_what_the_replica_file_says(image):
    venv = replica(image)
    pinned = freeze(ROOT / "tests" / "studio" / f"sagemaker-distribution-{image}.txt")
    installed = freeze(venv / "image-freeze.txt")
    assert {name: installed.get(name) for name in pinned} == pinned


@pytest.mark.parametrize("image", IMAGES)
def test_the_missing_packages_tool_runs_there(image):
    venv = replica(image)
    done = subprocess.run([str(venv / "bin" / "python"), str(ROOT / "tools" / "missing_packages.py"), "offline"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "Nothing to add" in done.stdout, done.stdout + done.stderr


REPLICA_TEST = '''
import boto3
import numpy as np
import pandas as pd


def test_a_transform_job_runs_offline_in_the_image(course_model, offline_bucket, offline_prefix):
    sm = boto3.client("sagemaker")
    output = f"s3://{offline_bucket}/{offline_prefix}/out"
    sm.create_transform_job(
        TransformJobName="studio-replica", ModelName=course_model.name,
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": course_model.test_uri}},
                        "ContentType": "text/csv", "SplitType": "Line"},
        TransformOutput={"S3OutputPath": output, "AssembleWith": "Line"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1})
    sm.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName="studio-replica",
                                                               WaiterConfig={"Delay": 1, "MaxAttempts": 600})
    assert sm.describe_transform_job(TransformJobName="studio-replica")["TransformJobStatus"] == "Completed"
    key = f"{offline_prefix}/out/test.csv.out"
    body = boto3.client("s3").get_object(Bucket=offline_bucket, Key=key)["Body"].read().decode()
    predictions = np.array([float(line) for line in body.splitlines()])
    assert len(predictions) == len(course_model.test)
    assert np.sqrt(np.mean((predictions - course_model.test["MEDV"].to_numpy()) ** 2)) < 6
'''


@pytest.mark.parametrize("image", IMAGES)
def test_the_offline_aws_trains_and_transforms_in_the_image(image, tmp_path):
    """Offline mode in the image's own versions (xgboost 2.1, numpy 1.26, pandas 2.3, SDK v3): a real training job
    (the course_model fixture) and a real transform job, through the kit's pytest plugin as a learner's test uses it."""
    venv = replica(image)
    (tmp_path / "test_replica.py").write_text(REPLICA_TEST)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "test_replica.py"], capture_output=True, text=True, cwd=tmp_path, timeout=900)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout[-4000:] + done.stderr[-2000:]
