"""The real AWS CLI (awscli from requirements.txt) in another process against the kernel's offline AWS: the commands
of notebook 03's Step 8, and the state the kernel and the CLI share (sagemaker_offline/server.py)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
from urllib.parse import urlparse

import pytest

import helpers
from sagemaker_offline import aws_cli
from helpers.course import models
from tests.conftest import features_csv


def aws(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `aws ...` as a cell's `!aws ...` does: a child process with the kernel's environment."""
    result = subprocess.run(["aws", *args], capture_output=True, text=True, timeout=120, env=os.environ.copy())
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_the_kit_cli_comes_first_on_path_and_is_aws_cli_v1(course):
    assert aws_cli.kit_cli() is not None, "awscli is in requirements.txt: run make .venv/.installed"
    assert os.environ["PATH"].split(os.pathsep)[0] == str(aws_cli.kit_cli().parent)
    assert aws("--version").stdout.startswith("aws-cli/1.")


def test_the_server_listens_on_loopback_only(course):
    url = urlparse(helpers.offline.cli_environment()["AWS_ENDPOINT_URL"])
    assert url.hostname == "127.0.0.1"
    with socket.create_connection(("127.0.0.1", url.port), timeout=5):
        pass
    bound = helpers.offline.current().server._server._server.socket.getsockname()
    assert bound == ("127.0.0.1", url.port)  # not 0.0.0.0: no other machine can connect


def test_kernel_clients_ignore_the_endpoint_set_for_child_processes(course):
    assert os.environ["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    # in-process clients keep AWS's own endpoints, which moto's mock answers without a socket
    assert course.sagemaker_client.meta.endpoint_url == "https://api.sagemaker.us-west-2.amazonaws.com"
    assert course.s3_client.meta.endpoint_url.startswith("https://s3.")


def test_cli_creates_a_model_and_a_transform_job_that_the_runtime_runs(course, course_data, model_data, tmp_path):
    input_key = f"{course.prefix}/cli-test/in/test.csv"
    course.s3_client.put_object(Bucket=course.bucket, Key=input_key, Body=features_csv(course_data.test))
    aws("sagemaker", "create-model", "--model-name", "cli-model",
        "--primary-container", f"Image={models.image_uri(course)},ModelDataUrl={model_data}",
        "--execution-role-arn", course.role, "--tags", "Key=course,Value=sagemaker-batch-transform")
    # the kernel sees the CLI's model: one state for both
    assert course.sagemaker_client.describe_model(ModelName="cli-model")["PrimaryContainer"]["ModelDataUrl"] == model_data

    request = {
        "TransformJobName": "cli-job", "ModelName": "cli-model",
        "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                           "S3Uri": f"s3://{course.bucket}/{input_key}"}},
                           "ContentType": "text/csv", "SplitType": "Line"},
        "TransformOutput": {"S3OutputPath": course.s3_uri("cli-test", "out"), "AssembleWith": "Line"},
        "TransformResources": {"InstanceType": "ml.m4.xlarge", "InstanceCount": 1},
    }
    (tmp_path / "job.json").write_text(json.dumps(request))
    created = json.loads(aws("sagemaker", "create-transform-job", "--cli-input-json", f"file://{tmp_path / 'job.json'}").stdout)
    assert created["TransformJobArn"].endswith(":transform-job/cli-job")
    aws("sagemaker", "wait", "transform-job-completed-or-stopped", "--transform-job-name", "cli-job")
    status = aws("sagemaker", "describe-transform-job", "--transform-job-name", "cli-job",
                 "--query", "TransformJobStatus", "--output", "text").stdout.strip()
    assert status == "Completed"

    listing = aws("s3", "ls", course.s3_uri("cli-test", "out") + "/").stdout
    assert listing.split()[-1] == "test.csv.out"
    body = aws("s3", "cp", course.s3_uri("cli-test", "out", "test.csv.out"), "-").stdout
    in_kernel = course.s3_client.get_object(Bucket=course.bucket, Key=f"{course.prefix}/cli-test/out/test.csv.out")
    assert body == in_kernel["Body"].read().decode()
    assert len(body.splitlines()) == len(course_data.test)


def test_cli_errors_are_sagemakers(course):
    missing = aws("sagemaker", "describe-transform-job", "--transform-job-name", "no-such-job", check=False)
    assert missing.returncode == 255  # AWS CLI v1: 255 for an error the service returned
    assert "ValidationException" in missing.stderr and "no-such-job" in missing.stderr
    refused = aws("sagemaker", "create-model", "--model-name", "my_model", "--execution-role-arn", course.role,
                  "--primary-container", f"Image={models.image_uri(course)}", check=False)
    assert refused.returncode == 255 and "ValidationException" in refused.stderr  # the name pattern, as on AWS


def test_stopping_the_offline_aws_closes_the_port_and_restores_the_environment():
    helpers.offline.stop()  # this module's fixture may have one running
    before = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    with helpers.offline():
        port = urlparse(helpers.offline.cli_environment()["AWS_ENDPOINT_URL"]).port
    assert {k: v for k, v in os.environ.items() if k.startswith("AWS_")} == before
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises(RuntimeError, match="setup cell"):
        helpers.offline.cli_environment()


def test_a_terminal_started_by_the_kit_reaches_its_own_offline_aws():
    import sys


    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run([sys.executable, "-m", "sagemaker_offline", "-c",
                             "aws s3 ls && aws sagemaker list-transform-jobs --query 'length(TransformJobSummaries)'"],
                            capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sagemaker-us-west-2-123456789012" in result.stdout
    assert result.stdout.split()[-1] == "0"
