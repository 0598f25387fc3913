"""Open a session on a real AWS account for `connect('aws')`: where the notebook runs, region, credentials, role.

Nothing here runs until a learner asks for AWS; every failure is a CourseSetupError that names what is missing
and how to provide it. Studio and notebook instances are recognised the way the SageMaker SDK does it.
"""
from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

from helpers.connection.aws.errors import advice_for, no_credentials_advice
from helpers.connection.names import CourseSetupError

ROLE_VARIABLE = "COURSE_ROLE_ARN"
STUDIO = "SageMaker Studio"
NOTEBOOK_INSTANCE = "SageMaker notebook instance"
LAPTOP = "your machine"
# The files the SDK reads (sagemaker.session.NOTEBOOK_METADATA_FILE, sagemaker.user_agent); module-level so
# tests can point them at temporary files.
RESOURCE_METADATA_FILE = "/opt/ml/metadata/resource-metadata.json"
NOTEBOOK_INSTANCE_FILE = "/etc/opt/ml/sagemaker-notebook-instance-version.txt"
SUGGESTED_ROLE_NAME = "BatchTransformCourseRole"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")
_PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


def where_am_i() -> str:
    """'SageMaker Studio', 'SageMaker notebook instance' or 'your machine', from SageMaker's metadata files."""
    metadata = _read_metadata()
    if metadata is not None and metadata.get("DomainId"):
        return STUDIO
    if metadata is not None or Path(NOTEBOOK_INSTANCE_FILE).exists():
        return NOTEBOOK_INSTANCE
    return LAPTOP


def open_aws_session(region: str | None) -> tuple[boto3.Session, str, str]:
    """(boto3 session, execution role ARN, where) for AWS mode; raises one CourseSetupError naming every missing
    item (region, credentials, role) at once, so a learner fixes them all in one round trip."""
    where = where_am_i()
    boto_session = _boto_session(region)
    missing: list[str] = []
    region_ok = _collect(missing, _check_region, boto_session, region, where) is not None
    account = None
    if boto_session.get_credentials() is None:
        missing.append(no_credentials_advice(where))
    elif region_ok:  # STS needs a region; without one the credentials are checked on the next run
        account = _collect(missing, _caller_account, boto_session)
    role = None
    if account is not None:
        role = _collect(missing, _execution_role, boto_session, where, account)
    elif where == LAPTOP and not os.environ.get(ROLE_VARIABLE, "").strip():
        missing.append(f"No execution role is set. {role_help(None)}")
    if missing:
        raise CourseSetupError(_one_message(missing))
    return boto_session, role, where


def _collect(missing: list[str], check, *args):
    """Run one setup check; its CourseSetupError joins the list instead of stopping the others."""
    try:
        return check(*args)
    except CourseSetupError as error:
        missing.append(str(error))
        return None


def _one_message(missing: list[str]) -> str:
    if len(missing) == 1:
        return missing[0]
    items = "\n".join(f"{n}. {text}" for n, text in enumerate(missing, 1))
    return (f"AWS mode needs {len(missing)} things before anything starts (nothing has been created or "
            f"charged):\n{items}")


def role_help(account: str | None = None) -> str:
    """How to create an execution role with the policies the course needs and point COURSE_ROLE_ARN at it."""
    arn = f"arn:aws:iam::{account or '<your 12-digit account id>'}:role/{SUGGESTED_ROLE_NAME}"
    trust = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
             '{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}')
    return (
        "SageMaker runs jobs as an IAM execution role, and on your machine the kit needs its ARN in "
        f"{ROLE_VARIABLE}. Create one once (IAM console > Roles > Create role > AWS service 'SageMaker', which "
        "attaches AmazonSageMakerFullAccess), or with the AWS CLI:\n"
        f"  aws iam create-role --role-name {SUGGESTED_ROLE_NAME} --assume-role-policy-document '{trust}'\n"
        f"  aws iam attach-role-policy --role-name {SUGGESTED_ROLE_NAME} "
        "--policy-arn arn:aws:iam::aws:policy/AmazonSageMakerFullAccess\n"
        f"then set {ROLE_VARIABLE}={arn} before starting Jupyter (or in the notebook: "
        f"os.environ['{ROLE_VARIABLE}'] = '...') and re-run the setup cell. AmazonSageMakerFullAccess lets the role "
        "use S3 buckets whose name contains 'sagemaker', which includes the course's default bucket; your own "
        "identity also needs iam:PassRole on the role."
    )


def _read_metadata() -> dict | None:
    path = Path(RESOURCE_METADATA_FILE)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        # A file we cannot read still means SageMaker made this machine; treat it as a notebook instance.
        return {}
    return data if isinstance(data, dict) else {}


def _boto_session(region: str | None) -> boto3.Session:
    try:
        return boto3.Session(region_name=region)
    except ProfileNotFound as error:
        profile = os.environ.get("AWS_PROFILE", "")
        raise CourseSetupError(
            f"AWS_PROFILE is set to {profile!r}, but no profile of that name is in ~/.aws/config or "
            f"~/.aws/credentials. Create it with `aws configure --profile {profile or 'NAME'}` "
            "(or `aws configure sso`), "
            "or unset AWS_PROFILE to use your default credentials, then re-run the setup cell."
        ) from error


def _check_region(boto_session: boto3.Session, region: str | None, where: str) -> str:
    """The session's region (the parameter, else the default); refuses a missing or misspelt region."""
    chosen = region or boto_session.region_name
    if not chosen:
        raise CourseSetupError(
            f"No AWS region is set on {where}. Choose the region your jobs run in: connect('aws', "
            "region='us-west-2'), or set AWS_DEFAULT_REGION=us-west-2 (or `aws configure set region us-west-2`) "
            "and re-run the setup cell. The course's prices are for us-west-2."
        )
    known = sorted({r for p in _PARTITIONS for r in boto_session.get_available_regions("sagemaker", p)})
    if chosen not in known:
        close = difflib.get_close_matches(chosen, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise CourseSetupError(
            f"{chosen!r} is not a region where SageMaker runs.{hint} Pass a region such as "
            "connect('aws', region='us-west-2')."
        )
    return chosen


def _sts_client(boto_session: boto3.Session):
    """The STS client used to check the credentials; a function so tests can hand in a stubbed client."""
    return boto_session.client("sts")


def _caller_account(boto_session: boto3.Session) -> str:
    """The account the credentials belong to; checking here turns expired or wrong keys into one clear message."""
    try:
        return _sts_client(boto_session).get_caller_identity()["Account"]
    except (ClientError, BotoCoreError) as error:
        advice = advice_for(error) or "Check your AWS credentials and network connection."
        raise CourseSetupError(f"AWS did not accept your credentials ({error}). {advice}") from error


def _execution_role(boto_session: boto3.Session, where: str, account: str) -> str:
    """COURSE_ROLE_ARN if set; else Studio's or the notebook instance's execution role; on a laptop, advice."""
    configured = os.environ.get(ROLE_VARIABLE, "").strip()
    if configured:
        found = _ROLE_ARN.match(configured)
        if not found:
            raise CourseSetupError(
                f"{ROLE_VARIABLE} is {configured!r}, which is not an IAM role ARN. It should look like "
                f"arn:aws:iam::{account}:role/NAME (copy it from the role's page in the IAM console)."
            )
        if found.group(1) != account:
            raise CourseSetupError(
                f"{ROLE_VARIABLE} names a role in account {found.group(1)}, but your credentials are for account "
                f"{account}; SageMaker can only use a role from the account that runs the job. Set "
                f"{ROLE_VARIABLE} to a role in account {account}, or switch credentials (AWS_PROFILE)."
            )
        return configured
    if where == LAPTOP:
        raise CourseSetupError(f"No execution role is set. {role_help(account)}")
    try:  # SDK v3 (the appendix's .venv-v3) moved the role lookup; v2 has it at the top level
        from sagemaker.core.helper.session_helper import Session, get_execution_role
    except ImportError:
        from sagemaker import Session, get_execution_role

    try:
        return get_execution_role(sagemaker_session=Session(boto_session=boto_session))
    except (ValueError, ClientError, BotoCoreError) as error:
        raise CourseSetupError(
            f"Could not find the execution role of this {where} ({error}). Set {ROLE_VARIABLE} to the role ARN "
            "shown in the SageMaker console (Domain > User profile, or the notebook instance's page) and re-run "
            "the setup cell."
        ) from error
