"""Advice for the AWS errors a learner meets on a real account: quotas, S3 access, role permissions, regions, tokens.

`explain_aws_errors()` wraps a notebook cell's calls in AWS mode; the error is re-raised unchanged (same type,
same message) with one note saying what went wrong in the lesson's terms and the one change that fixes it.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Callable, Iterator

from botocore.exceptions import (
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from helpers.connection.names import INSTANCE_TYPE_VARIABLE

ADVICE_PREFIX = "What to do: "
SERVICE_QUOTAS_HINT = (
    "Service Quotas console (https://console.aws.amazon.com/servicequotas/) > AWS services > Amazon SageMaker"
)
COURSE_PERMISSIONS = (
    "sagemaker:CreateTrainingJob, sagemaker:CreateModel, sagemaker:CreateTransformJob, sagemaker:Describe*, "
    "sagemaker:List*, sagemaker:AddTags, sagemaker:DeleteModel, sagemaker:StopTransformJob, "
    "iam:PassRole on the execution role, and s3:GetObject/PutObject/ListBucket/DeleteObject on the course bucket"
)

# botocore raises these (not ClientError) when an SSO or refreshable session can no longer be renewed.
_TOKEN_EXCEPTION_NAMES = {"TokenRetrievalError", "SSOTokenLoadError", "UnauthorizedSSOTokenError", "SSOError"}
_EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_INVALID_KEY_CODES = {"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch",
                      "InvalidAccessKeyId"}
_S3_OPERATIONS = {"GetObject", "PutObject", "HeadObject", "HeadBucket", "ListObjects", "ListObjectsV2",
                  "DeleteObject", "DeleteObjects", "CreateBucket", "GetBucketLocation", "CopyObject",
                  "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}


def no_credentials_advice(where: str = "your machine") -> str:
    """How to give boto3 credentials; shared by the setup cell (aws_account) and advice_for."""
    if where != "your machine":
        return (
            f"No AWS credentials were found in {where}, where they normally come from the execution role. "
            "Restart the kernel and re-run the setup cell; if it happens again, ask your administrator to check "
            "the domain's (or notebook instance's) execution role. To work without AWS, use connect('offline')."
        )
    return (
        "No AWS credentials were found, and connect('aws') needs them to start jobs in your account. Provide them "
        "in one of these ways and re-run the setup cell: run `aws configure` in a terminal (stores an access key "
        "in ~/.aws/credentials); or run `aws sso login --profile NAME` and set AWS_PROFILE=NAME; or set "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary keys) before starting "
        "Jupyter. To work without an account, use connect('offline')."
    )


def advice_for(error: BaseException) -> str | None:
    """The advice for an AWS error the course knows, or None for anything else."""
    code, message, operation = _describe(error)
    for rule in _RULES:
        advice = rule(error, code, message, operation)
        if advice:
            return ADVICE_PREFIX + advice
    return None


@contextmanager
def explain_aws_errors() -> Iterator[None]:
    """Re-raise any error from the block unchanged, with a note of advice when the course knows the error."""
    try:
        yield
    except Exception as error:
        advice = advice_for(error)
        if advice and advice not in getattr(error, "__notes__", []):
            error.add_note(advice)
        raise


def _describe(error: BaseException) -> tuple[str, str, str]:
    """(error code, message, operation) for a ClientError; for other errors the class name and str()."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return str(details.get("Code", "")), str(details.get("Message", "")) or str(error), error.operation_name
    return type(error).__name__, str(error), ""


def _quota(error, code, message, operation) -> str | None:
    if code != "ResourceLimitExceeded" and "account-level service limit" not in message:
        return None
    found = re.search(r"service limit '([^']+)' is (\d+) Instances?, with current utilization of (\d+)", message)
    if not found:
        return (
            "Your account has reached a SageMaker quota. Choose an instance type you have quota for with the "
            f"course's one setting, {INSTANCE_TYPE_VARIABLE} (set it before starting Jupyter, or pass "
            "helpers.connect(..., instance_type=...) in the setup cell; every notebook reads it), or request an "
            f"increase in the {SERVICE_QUOTAS_HINT}."
        )
    quota, limit, used = found.group(1), int(found.group(2)), int(found.group(3))
    instance_type = quota.split(" ")[0]
    text = (
        f"Your account may run at most {limit} {instance_type} instance(s) for this kind of job "
        f"(quota '{quota}'); new accounts often start at 0 or 1. Either choose a general-purpose type your "
        f"account has quota for with the course's one setting, {INSTANCE_TYPE_VARIABLE}=ml.m5.large (set before "
        "starting Jupyter; or helpers.connect(..., instance_type='ml.m5.large') in the setup cell): every "
        "notebook reads it (the course works on ml.m5.large or ml.m5.xlarge; check their quota first), or open "
        f"the {SERVICE_QUOTAS_HINT}, search for '{quota}' and choose "
        "'Request increase' in this region (approval can take from minutes to days)."
    )
    if used:
        text += (
            f" {used} instance(s) are already in use: wait for running jobs to finish, or delete endpoints you no "
            "longer need with helpers.connection.aws.resources.clean_up(course)."
        )
    return text


def _expired(error, code, message, operation) -> str | None:
    if not (code in _EXPIRED_CODES or type(error).__name__ in _TOKEN_EXCEPTION_NAMES
            or "token included in the request is expired" in message.lower()):
        return None
    return (
        "Your temporary AWS credentials have expired. Renew them, then re-run the setup cell (connect('aws')): "
        "with an SSO profile run `aws sso login --profile NAME`; with keys from environment variables set fresh "
        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN and restart the kernel; in SageMaker Studio "
        "reload the Studio browser tab and restart the kernel."
    )


def _invalid_keys(error, code, message, operation) -> str | None:
    if code not in _INVALID_KEY_CODES:
        return None
    return (
        "AWS does not recognise the access key (or its secret does not match). Check AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or run `aws configure` again with a key from the IAM console, then re-run the "
        "setup cell. If the keys work elsewhere, the region may not be enabled for your account: try us-west-2."
    )


def _missing_credentials(error, code, message, operation) -> str | None:
    if isinstance(error, ProfileNotFound):
        return (
            f"{message}. Create the profile with `aws configure --profile NAME` (or `aws configure sso`), "
            "or unset AWS_PROFILE to use the default credentials."
        )
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return no_credentials_advice()
    return None


def _no_region(error, code, message, operation) -> str | None:
    if not isinstance(error, NoRegionError):
        return None
    return "No AWS region is set. Pass one, e.g. connect('aws', region='us-west-2'), or set AWS_DEFAULT_REGION."


def _pass_role(error, code, message, operation) -> str | None:
    if "iam:PassRole" not in message:
        return None
    role = re.search(r"arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+", message)
    role_text = f"the execution role {role.group(0)}" if role else "the execution role"
    return (
        f"SageMaker needs to act as {role_text}, and your identity is not allowed to hand it over "
        "(iam:PassRole). Ask the account administrator to allow iam:PassRole on that role for the service "
        "sagemaker.amazonaws.com, or set COURSE_ROLE_ARN to a role you may pass, then re-run the setup cell."
    )


def _cannot_assume_role(error, code, message, operation) -> str | None:
    if "could not assume role" not in message.lower() and "assume the role" not in message.lower():
        return None
    return (
        "SageMaker cannot assume the execution role. In the IAM console open the role > Trust relationships and "
        "allow the principal sagemaker.amazonaws.com to call sts:AssumeRole (roles created with the 'SageMaker' "
        "use case have this). Check COURSE_ROLE_ARN names an existing role in this account."
    )


def _sagemaker_denied(error, code, message, operation) -> str | None:
    found = re.search(r"not authorized to perform: (sagemaker:\w+)", message)
    if not found:
        return None
    return (
        f"Your identity is not allowed to call {found.group(1)}. Attach the managed policy "
        "AmazonSageMakerFullAccess to the user or role you are signed in as (in Studio: to the execution role), "
        f"or ask your administrator for the permissions the course uses: {COURSE_PERMISSIONS}."
    )


def _region_mismatch(error, code, message, operation) -> str | None:
    headers = {}
    if isinstance(error, ClientError):
        headers = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    other = headers.get("x-amz-bucket-region") or (error.response.get("Error", {}).get("Region")
                                                   if isinstance(error, ClientError) else None)
    expecting = re.search(r"expecting '([a-z0-9-]+)'", message)
    if expecting:
        other = expecting.group(1)
    moved = code in {"PermanentRedirect", "301", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"}
    jobs_wrong_region = ("bucket exists in the selected region" in message
                         or "No S3 objects found under S3 URL" in message)
    other_region_text = "bucket is in" in message.lower() and "region" in message.lower()
    if not (moved or jobs_wrong_region or other_region_text):
        return None
    where = f" (the bucket is in {other})" if other else ""
    if jobs_wrong_region:
        return (
            "SageMaker found no input objects under that S3 URI. Check the URI (it is a key prefix), that the "
            "upload cell ran, and that the bucket is in the same region as the job: jobs read and write only "
            "buckets in their own region. The simplest fix is to keep data under course.s3_uri(...), which is in "
            "the session's region."
        )
    return (
        f"The bucket is in a different region from this session{where}. SageMaker jobs read and write only "
        "buckets in their own region: use course.bucket (the session's default bucket) or reconnect with "
        f"connect('aws', region='{other or 'the bucket region'}')."
    )


JOB_FAILURES = ("UnexpectedStatusException", "FailedStatusError")  # a failed job, as SDK v2 and v3 raise it


def _s3_denied(error, code, message, operation) -> str | None:
    s3_code = code in {"AccessDenied", "403", "AllAccessDisabled"} and (operation in _S3_OPERATIONS or "s3" in
                                                                        message.lower() or code == "403")
    # A job's FailureReason: data download/upload is done by the execution role, not by the learner. SDK v2's wait
    # raises UnexpectedStatusException; SDK v3's resource wait() raises sagemaker-core's FailedStatusError ("... Final
    # Resource State: Failed. Failure Reason: <reason>", sagemaker/core/utils/exceptions.py in 3.12 and 3.27).
    job_failure = type(error).__name__ in JOB_FAILURES and re.search(
        r"access ?denied|\(403\)|forbidden", message, re.IGNORECASE)
    if not (s3_code or job_failure):
        return None
    if job_failure:
        return (
            "The job's execution role may not read the input or write the output in S3. Give the role "
            "s3:GetObject, s3:PutObject and s3:ListBucket on the bucket (AmazonSageMakerFullAccess covers buckets "
            "whose name contains 'sagemaker', such as course.bucket), or keep the data under course.s3_uri(...)."
        )
    return (
        "S3 refused access. The course reads and writes only under s3://<course.bucket>/batch-transform-course/; "
        "the session's default bucket (sagemaker-<region>-<account>) works with AmazonSageMakerFullAccess. If you "
        "use another bucket, give your identity and the execution role s3:GetObject, s3:PutObject, s3:ListBucket "
        "and s3:DeleteObject on it, and check the bucket name is yours."
    )


_Rule = Callable[[BaseException, str, str, str], "str | None"]
# Order matters: a quota or token message can also mention S3 or a role.
_RULES: list[_Rule] = [
    _quota, _expired, _invalid_keys, _missing_credentials, _no_region, _pass_role, _cannot_assume_role,
    _sagemaker_denied, _region_mismatch, _s3_denied,
]
