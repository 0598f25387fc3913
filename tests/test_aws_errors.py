"""advice_for / explain_aws_errors: the AWS errors a learner meets get advice; everything else passes untouched."""
from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOTokenLoadError,
    TokenRetrievalError,
)
from botocore.stub import Stubber

from helpers.connection.aws.errors import ADVICE_PREFIX, advice_for, explain_aws_errors

ACCOUNT = "123456789012"
QUOTA_MESSAGE = (
    "The account-level service limit 'ml.m4.xlarge for transform job usage' is 0 Instances, with current "
    "utilization of 0 Instances and a request delta of 1 Instances. Please use AWS Service Quotas to request an "
    "increase for this quota. If AWS Service Quotas is not available, contact AWS support to request an increase "
    "for this quota."
)


def client_error(code, message, operation="CreateTransformJob", headers=None, status=400):
    response = {"Error": {"Code": code, "Message": message},
                "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers or {}}}
    return ClientError(response, operation)


def raised_by_stub(service, method, params, code, message, status=400):
    """A ClientError exactly as botocore raises it, from a stubbed client (no network)."""
    client = boto3.Session(region_name="us-west-2", aws_access_key_id="testing",
                           aws_secret_access_key="testing").client(service)
    with Stubber(client) as stubber:
        stubber.add_client_error(method, service_error_code=code, service_message=message, http_status_code=status)
        with pytest.raises(ClientError) as raised:
            getattr(client, method)(**params)
    return raised.value


def job_failure(reason):
    from sagemaker.exceptions import UnexpectedStatusException

    return UnexpectedStatusException(message=f"Error for Training job xgb-1: Failed. Reason: {reason}",
                                     allowed_statuses=["Completed", "Stopped"], actual_status="Failed")


# --- quotas --------------------------------------------------------------------------------------------------

def test_a_quota_error_names_the_quota_and_both_ways_out():
    error = raised_by_stub("sagemaker", "list_models", {}, "ResourceLimitExceeded", QUOTA_MESSAGE)
    advice = advice_for(error)
    assert advice.startswith(ADVICE_PREFIX)
    assert "'ml.m4.xlarge for transform job usage'" in advice and "at most 0 ml.m4.xlarge" in advice
    assert "Service Quotas" in advice and "Request increase" in advice and "ml.m5.large" in advice
    assert "already in use" not in advice


def test_a_quota_in_use_suggests_waiting_or_cleaning_up():
    message = QUOTA_MESSAGE.replace("utilization of 0", "utilization of 2")
    advice = advice_for(client_error("ResourceLimitExceeded", message))
    assert "2 instance(s) are already in use" in advice and "clean_up(course)" in advice


def test_a_quota_error_without_the_usual_wording_still_gets_advice():
    advice = advice_for(client_error("ResourceLimitExceeded", "Too many jobs."))
    assert "quota" in advice and "Service Quotas" in advice


# --- S3 access -----------------------------------------------------------------------------------------------

def test_s3_access_denied_points_at_the_course_prefix_and_permissions():
    error = raised_by_stub("s3", "put_object", {"Bucket": "b", "Key": "k", "Body": b"x"}, "AccessDenied",
                           "Access Denied", status=403)
    advice = advice_for(error)
    assert "S3 refused access" in advice and "batch-transform-course" in advice and "s3:PutObject" in advice


def test_a_forbidden_head_object_is_an_s3_access_problem():
    assert "S3 refused access" in advice_for(client_error("403", "Forbidden", "HeadObject", status=403))


def test_a_job_that_could_not_read_s3_blames_the_execution_role():
    advice = advice_for(job_failure("ClientError: Data download failed:Failed to download data. "
                                    "AccessDenied (403): Access Denied"))
    assert "execution role" in advice and "s3:GetObject" in advice


def test_a_v3_job_that_could_not_read_s3_blames_the_execution_role_too():
    """SDK v3's wait() raises sagemaker-core's FailedStatusError with the job's FailureReason (its message format,
    sagemaker/core/utils/exceptions.py, the same in sagemaker-core 2.15 and 2.27); the class by name, as the rule
    reads it, so this runs in the v2 environment too."""
    failed_status_error = type("FailedStatusError", (Exception,), {})
    error = failed_status_error("Encountered unexpected failed state while waiting for TransformJob. Final Resource "
                                "State: Failed. Failure Reason: ClientError: Failed to download data. AccessDenied "
                                "(403): Access Denied")
    advice = advice_for(error)
    assert "execution role" in advice and "s3:GetObject" in advice


# --- roles and permissions ----------------------------------------------------------------------------------

def test_missing_pass_role_names_the_role():
    role = f"arn:aws:iam::{ACCOUNT}:role/BatchTransformCourseRole"
    message = (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/Learner/session is not authorized to perform: "
               f"iam:PassRole on resource: {role}")
    advice = advice_for(client_error("AccessDeniedException", message, "CreateTrainingJob"))
    assert "iam:PassRole" in advice and role in advice and "COURSE_ROLE_ARN" in advice


def test_a_missing_sagemaker_permission_names_the_action():
    message = (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/Learner/session is not authorized to perform: "
               f"sagemaker:CreateTransformJob on resource: arn:aws:sagemaker:us-west-2:{ACCOUNT}:transform-job/t1 "
               "because no identity-based policy allows the sagemaker:CreateTransformJob action")
    advice = advice_for(raised_by_stub("sagemaker", "list_models", {}, "AccessDeniedException", message))
    assert "sagemaker:CreateTransformJob" in advice and "AmazonSageMakerFullAccess" in advice
    assert "S3 refused" not in advice


def test_a_role_sagemaker_cannot_assume_points_at_the_trust_policy():
    message = (f"Could not assume role arn:aws:iam::{ACCOUNT}:role/Wrong. Please ensure that the role exists and "
               "allows principal 'sagemaker.amazonaws.com' to assume the role.")
    advice = advice_for(client_error("ValidationException", message, "CreateTrainingJob"))
    assert "Trust relationships" in advice and "sagemaker.amazonaws.com" in advice


# --- regions -------------------------------------------------------------------------------------------------

def test_a_bucket_in_another_region_names_that_region():
    error = client_error("AuthorizationHeaderMalformed", "The authorization header is malformed; the region "
                         "'us-west-2' is wrong; expecting 'eu-west-1'", "PutObject")
    advice = advice_for(error)
    assert "different region" in advice and "connect('aws', region='eu-west-1')" in advice


def test_a_301_from_head_object_reads_the_bucket_region_header():
    error = client_error("301", "Moved Permanently", "HeadObject", headers={"x-amz-bucket-region": "eu-central-1"},
                         status=301)
    assert "(the bucket is in eu-central-1)" in advice_for(error)


def test_a_permanent_redirect_is_a_region_problem():
    assert "different region" in advice_for(client_error("PermanentRedirect", "The bucket you are attempting to "
                                                         "access must be addressed using the specified endpoint.",
                                                         "ListObjectsV2"))


def test_no_input_objects_explains_prefix_upload_and_region():
    message = ('No S3 objects found under S3 URL "s3://b/batch-transform-course/input" given in input data source. '
               "Please ensure that the bucket exists in the selected region (us-west-2), that objects exist under "
               "that S3 prefix, and that the role has \"s3:ListBucket\" permissions on bucket \"b\".")
    advice = advice_for(client_error("ValidationException", message))
    assert "found no input objects" in advice and "same region" in advice and "course.s3_uri" in advice


# --- credentials ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("error", [
    client_error("ExpiredToken", "The security token included in the request is expired", "GetCallerIdentity"),
    client_error("ExpiredTokenException", "The security token included in the request is expired"),
    client_error("RequestExpired", "Request has expired."),
    TokenRetrievalError(provider="sso", error_msg="Token has expired and refresh failed"),
    SSOTokenLoadError(error_msg="Token for course does not exist"),
])
def test_expired_credentials_say_how_to_renew_them(error):
    advice = advice_for(error)
    assert "expired" in advice and "aws sso login" in advice and "connect('aws')" in advice


def test_missing_credentials_list_the_ways_to_provide_them():
    for error in (NoCredentialsError(), PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY")):
        advice = advice_for(error)
        assert "aws configure" in advice and "AWS_PROFILE" in advice and "AWS_ACCESS_KEY_ID" in advice


def test_an_unknown_profile_and_a_missing_region_are_explained():
    assert "aws configure --profile" in advice_for(ProfileNotFound(profile="course"))
    assert "region='us-west-2'" in advice_for(NoRegionError())


def test_a_bad_access_key_is_explained():
    advice = advice_for(client_error("InvalidClientTokenId", "The security token included in the request is "
                                     "invalid.", "GetCallerIdentity"))
    assert "does not recognise the access key" in advice


# --- anything else ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("error", [
    ValueError("bad value"),
    client_error("ThrottlingException", "Rate exceeded"),
    client_error("ValidationException", "1 validation error detected: Value 'my_job' at 'transformJobName'"),
    client_error("ResourceNotFound", "Could not find model \"m\"."),
])
def test_errors_the_course_does_not_know_get_no_advice(error):
    assert advice_for(error) is None


def test_explain_reraises_the_same_error_with_one_note():
    error = client_error("ResourceLimitExceeded", QUOTA_MESSAGE)
    with pytest.raises(ClientError) as raised:
        with explain_aws_errors():
            with explain_aws_errors():  # nested cells or helpers must not repeat the advice
                raise error
    assert raised.value is error
    assert len(error.__notes__) == 1 and error.__notes__[0].startswith(ADVICE_PREFIX)
    assert str(error) == str(client_error("ResourceLimitExceeded", QUOTA_MESSAGE))  # message unchanged


def test_explain_leaves_unknown_errors_alone():
    with pytest.raises(KeyError) as raised:
        with explain_aws_errors():
            raise KeyError("x")
    assert not getattr(raised.value, "__notes__", None)


def test_explain_is_silent_when_nothing_fails():
    with explain_aws_errors():
        value = 1 + 1
    assert value == 2
