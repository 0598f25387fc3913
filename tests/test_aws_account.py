"""open_aws_session: where the notebook runs, region, credentials and role, with moto, Stubber and temp metadata."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from helpers.connection.aws import account as aws_account
from helpers.connection.names import CourseSetupError

FAKE_ACCOUNT = "123456789012"  # moto's account
ROLE = f"arn:aws:iam::{FAKE_ACCOUNT}:role/BatchTransformCourseRole"
STUDIO_ROLE = f"arn:aws:iam::{FAKE_ACCOUNT}:role/service-role/AmazonSageMaker-ExecutionRole-Studio"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No credentials, region, profile or SageMaker metadata leak in from the machine running the tests."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", aws_account.ROLE_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no 1 s instance-metadata probe per test
    metadata = tmp_path / "resource-metadata.json"
    monkeypatch.setattr(aws_account, "RESOURCE_METADATA_FILE", str(metadata))
    monkeypatch.setattr(aws_account, "NOTEBOOK_INSTANCE_FILE", str(tmp_path / "nbi-version.txt"))
    return tmp_path


def keys(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def write_metadata(tmp_path, monkeypatch, content):
    """Write the SageMaker resource metadata file and point the SDK's own constant at it too."""
    monkeypatch.setenv("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    import sagemaker.session

    path = tmp_path / "resource-metadata.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    monkeypatch.setattr(sagemaker.session, "NOTEBOOK_METADATA_FILE", str(path))
    return path


def stubbed_sts(monkeypatch, **error):
    """Make open_aws_session's STS check answer with `error` (a Stubber client error)."""
    client = boto3.Session(region_name="us-west-2").client("sts")
    stubber = Stubber(client)
    stubber.add_client_error("get_caller_identity", **error)
    stubber.activate()
    monkeypatch.setattr(aws_account, "_sts_client", lambda session: client)
    return stubber


# --- where the notebook runs ---------------------------------------------------------------------------------

def test_a_laptop_has_no_sagemaker_metadata():
    assert aws_account.where_am_i() == "your machine"


def test_studio_is_recognised_by_its_domain_id(clean_environment, monkeypatch):
    write_metadata(clean_environment, monkeypatch,
                   {"AppType": "JupyterLab", "DomainId": "d-abc", "UserProfileName": "learner"})
    assert aws_account.where_am_i() == "SageMaker Studio"


def test_a_notebook_instance_has_metadata_without_a_domain(clean_environment, monkeypatch):
    write_metadata(clean_environment, monkeypatch, {"ResourceName": "course-notebook"})
    assert aws_account.where_am_i() == "SageMaker notebook instance"


def test_a_notebook_instance_is_also_recognised_by_its_version_file(clean_environment):
    (clean_environment / "nbi-version.txt").write_text("ml.t3.medium\n")
    assert aws_account.where_am_i() == "SageMaker notebook instance"


def test_an_unreadable_metadata_file_still_means_sagemaker(clean_environment, monkeypatch):
    write_metadata(clean_environment, monkeypatch, "{not json")
    assert aws_account.where_am_i() == "SageMaker notebook instance"


# --- region ----------------------------------------------------------------------------------------------------

def test_no_region_is_a_clear_error(monkeypatch):
    keys(monkeypatch)
    with pytest.raises(CourseSetupError) as raised:
        aws_account.open_aws_session(None)
    message = str(raised.value)
    assert "No AWS region" in message and "AWS_DEFAULT_REGION" in message
    assert "connect('aws', region='us-west-2')" in message


def test_a_misspelt_region_gets_a_suggestion(monkeypatch):
    keys(monkeypatch)
    with pytest.raises(CourseSetupError, match=r"'us-west2' is not a region.*Did you mean 'us-west-2'"):
        aws_account.open_aws_session("us-west2")


def test_the_region_parameter_wins_over_the_session_default(monkeypatch):
    keys(monkeypatch)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv(aws_account.ROLE_VARIABLE, ROLE)
    with mock_aws():
        session, role, where = aws_account.open_aws_session("us-west-2")
    assert (session.region_name, role, where) == ("us-west-2", ROLE, "your machine")


def test_the_session_default_region_is_used_without_a_parameter(monkeypatch):
    keys(monkeypatch)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv(aws_account.ROLE_VARIABLE, ROLE)
    with mock_aws():
        session, _, _ = aws_account.open_aws_session(None)
    assert session.region_name == "eu-west-1"


def test_the_region_from_a_profile_config_is_used(clean_environment, monkeypatch):
    (clean_environment / "aws-config").write_text("[default]\nregion = ap-southeast-2\n")
    keys(monkeypatch)
    monkeypatch.setenv(aws_account.ROLE_VARIABLE, ROLE)
    with mock_aws():
        session, _, _ = aws_account.open_aws_session(None)
    assert session.region_name == "ap-southeast-2"


# --- credentials -------------------------------------------------------------------------------------------

def test_no_credentials_names_every_way_to_provide_them():
    with pytest.raises(CourseSetupError) as raised:
        aws_account.open_aws_session("us-west-2")
    message = str(raised.value)
    for way in ("aws configure", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "connect('offline')"):
        assert way in message


def test_no_credentials_in_studio_points_at_the_execution_role(clean_environment, monkeypatch):
    write_metadata(clean_environment, monkeypatch, {"DomainId": "d-abc", "UserProfileName": "learner"})
    with pytest.raises(CourseSetupError, match="SageMaker Studio.*execution role"):
        aws_account.open_aws_session("us-west-2")


def test_an_unknown_profile_is_named(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "course")
    with pytest.raises(CourseSetupError, match=r"AWS_PROFILE is set to 'course'.*aws configure --profile course"):
        aws_account.open_aws_session("us-west-2")


def test_credentials_from_a_profile_file_are_used(clean_environment, monkeypatch):
    (clean_environment / "aws-credentials").write_text(
        "[course]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_PROFILE", "course")
    monkeypatch.setenv(aws_account.ROLE_VARIABLE, ROLE)
    with mock_aws():
        session, role, _ = aws_account.open_aws_session("us-west-2")
    assert session.profile_name == "course" and role == ROLE


def test_expired_credentials_are_explained(monkeypatch):
    keys(monkeypatch)
    stubber = stubbed_sts(monkeypatch, service_error_code="ExpiredToken", http_status_code=403,
                          service_message="The security token included in the request is expired")
    with pytest.raises(CourseSetupError) as raised:
        aws_account.open_aws_session("us-west-2")
    stubber.assert_no_pending_responses()
    assert "expired" in str(raised.value) and "aws sso login" in str(raised.value)


def test_a_wrong_access_key_is_explained(monkeypatch):
    keys(monkeypatch)
    stubbed_sts(monkeypatch, service_error_code="InvalidClientTokenId", http_status_code=403,
                service_message="The security token included in the request is invalid.")
    with pytest.raises(CourseSetupError, match="does not recognise the access key"):
        aws_account.open_aws_session("us-west-2")


# --- role ----------------------------------------------------------------------------------------------------

def test_a_laptop_without_a_role_is_told_how_to_create_one(monkeypatch):
    keys(monkeypatch)
    with mock_aws(), pytest.raises(CourseSetupError) as raised:
        aws_account.open_aws_session("us-west-2")
    message = str(raised.value)
    for needed in ("COURSE_ROLE_ARN", "AmazonSageMakerFullAccess", "sagemaker.amazonaws.com", "iam:PassRole",
                   f"arn:aws:iam::{FAKE_ACCOUNT}:role/BatchTransformCourseRole"):
        assert needed in message


def test_a_role_name_instead_of_an_arn_is_refused(monkeypatch):
    keys(monkeypatch)
    monkeypatch.setenv(aws_account.ROLE_VARIABLE, "BatchTransformCourseRole")
    with mock_aws(), pytest.raises(CourseSetupError, match="not an IAM role ARN"):
        aws_account.open_aws_session("us-west-2")


def test_a_role_from_another_account_is_refused(monkeypatch):
    keys(monkeypatch)
    other = "arn:aws:iam::" + "2" * 12 + ":role/Elsewhere"
    monkeypatch.setenv(aws_account.ROLE_VARIABLE, other)
    with mock_aws(), pytest.raises(CourseSetupError, match=f"account {FAKE_ACCOUNT}"):
        aws_account.open_aws_session("us-west-2")


def test_studio_uses_the_execution_role_from_its_metadata(clean_environment, monkeypatch):
    write_metadata(clean_environment, monkeypatch,
                   {"DomainId": "d-abc", "UserProfileName": "learner", "ExecutionRoleArn": STUDIO_ROLE})
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")  # Studio kernels have the region set
    keys(monkeypatch)
    with mock_aws():
        session, role, where = aws_account.open_aws_session(None)
    assert (session.region_name, role, where) == ("us-west-2", STUDIO_ROLE, "SageMaker Studio")


def test_a_notebook_instance_asks_sagemaker_for_its_role(clean_environment, monkeypatch):
    write_metadata(clean_environment, monkeypatch, {"ResourceName": "course-notebook"})
    keys(monkeypatch)
    with mock_aws():
        boto3.client("sagemaker", region_name="us-west-2").create_notebook_instance(
            NotebookInstanceName="course-notebook", InstanceType="ml.t3.medium", RoleArn=ROLE)
        _, role, where = aws_account.open_aws_session("us-west-2")
    assert (role, where) == (ROLE, "SageMaker notebook instance")


def test_course_role_arn_overrides_the_studio_role(clean_environment, monkeypatch):
    write_metadata(clean_environment, monkeypatch, {"DomainId": "d-abc", "ExecutionRoleArn": STUDIO_ROLE})
    keys(monkeypatch)
    monkeypatch.setenv(aws_account.ROLE_VARIABLE, ROLE)
    with mock_aws():
        _, role, _ = aws_account.open_aws_session("us-west-2")
    assert role == ROLE


def test_a_sagemaker_machine_whose_role_cannot_be_found_suggests_course_role_arn(clean_environment, monkeypatch):
    # No such notebook instance, and moto's caller is a user, not a role: the SDK has nothing to return.
    write_metadata(clean_environment, monkeypatch, {"ResourceName": "gone"})
    keys(monkeypatch)
    with mock_aws(), pytest.raises(CourseSetupError, match="COURSE_ROLE_ARN"):
        aws_account.open_aws_session("us-west-2")


# --- nothing happens before the learner asks for AWS ------------------------------------------------------------

def test_importing_the_aws_helpers_creates_no_client():
    """Importing the AWS-side helpers and printing a cost notice must not create any AWS client."""
    code = (
        "import botocore.client as c\n"
        "made = []\n"
        "original = c.ClientCreator.create_client\n"
        "c.ClientCreator.create_client = lambda self, *a, **k: made.append(a) or original(self, *a, **k)\n"
        "import helpers.connection.aws.account, helpers.connection.aws.errors, helpers.connection.aws.resources, helpers.connection.aws.costs\n"
        "helpers.connection.aws.costs.launch_notice('transform', 'ml.m4.xlarge', 1)\n"
        "import sys\n"
        "assert 'sagemaker' not in sys.modules, 'sagemaker imported'\n"
        "assert not made, made\n"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_connect_aws_builds_the_course_from_this_session(monkeypatch, capsys):
    """helpers.connect('aws') end to end, with moto standing in for the account."""
    import helpers

    keys(monkeypatch)
    monkeypatch.setenv(aws_account.ROLE_VARIABLE, ROLE)
    monkeypatch.setenv("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)  # connect sets both for `!aws` cells; restored after
    monkeypatch.setenv("PATH", os.environ.get("PATH", ""))
    with mock_aws():
        course = helpers.connect("aws", region="us-west-2")
    assert os.environ["AWS_DEFAULT_REGION"] == "us-west-2"  # the AWS CLI of `!aws` cells uses the notebook's region
    assert (course.backend, course.region, course.role, course.where) == ("aws", "us-west-2", ROLE, "your machine")
    assert course.bucket == f"sagemaker-us-west-2-{FAKE_ACCOUNT}"
    assert capsys.readouterr().out.startswith("Backend: AWS (your machine), region us-west-2")


# --- everything missing at once -----------------------------------------------------------------------------

def test_region_credentials_and_role_missing_are_reported_together(monkeypatch):
    with pytest.raises(CourseSetupError) as raised:
        aws_account.open_aws_session(None)
    message = str(raised.value)
    assert message.startswith("AWS mode needs 3 things before anything starts")
    assert "1. No AWS region" in message and "2. No AWS credentials" in message
    assert "3. No execution role is set" in message and "COURSE_ROLE_ARN" in message


def test_region_and_role_missing_with_credentials_are_reported_together(monkeypatch):
    keys(monkeypatch)
    with pytest.raises(CourseSetupError) as raised:
        aws_account.open_aws_session(None)
    message = str(raised.value)
    assert "needs 2 things" in message and "No AWS region" in message and "No execution role" in message


def test_a_setup_error_shows_in_ipython_as_its_message_only(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    result = shell.run_cell("from helpers.connection.names import CourseSetupError\ndef setup():\n    raise CourseSetupError('Set X.')\nsetup()")
    assert isinstance(result.error_in_exec, CourseSetupError)
    shown = capsys.readouterr().out
    assert "CourseSetupError: Set X." in shown
    assert "Traceback" not in shown and "setup()" not in shown
