"""AWS mode's cost notice fires before requests that start instances, through boto3 and the SDK alike."""
import boto3
import pytest
from botocore.stub import Stubber

from helpers.connection.aws import guards as aws_guards

TRANSFORM = dict(
    TransformJobName="job", ModelName="model",
    TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bucket/in/"}}},
    TransformOutput={"S3OutputPath": "s3://bucket/out/"},
    TransformResources={"InstanceType": "ml.m4.xlarge", "InstanceCount": 2},
)


@pytest.fixture
def stubbed():
    session = boto3.Session(region_name="us-west-2", aws_access_key_id="x", aws_secret_access_key="y")
    printed = []
    aws_guards.install_launch_notices(session, printer=printed.append)
    client = session.client("sagemaker")
    return client, printed


def test_transform_request_prints_instances_and_an_estimate_before_it_is_sent(stubbed):
    client, printed = stubbed
    with Stubber(client) as stub:
        stub.add_response("create_transform_job", {"TransformJobArn": "arn:aws:sagemaker:us-west-2:123456789012:transform-job/job"}, TRANSFORM)
        client.create_transform_job(**TRANSFORM)
    assert len(printed) == 1
    assert "2 x ml.m4.xlarge" in printed[0] and "$" in printed[0]


def test_requests_that_start_nothing_print_nothing(stubbed):
    client, printed = stubbed
    with Stubber(client) as stub:
        stub.add_response("list_models", {"Models": []})
        client.list_models()
    assert printed == []


def test_endpoint_notice_warns_of_hourly_billing():
    assert "every hour" in aws_guards.launch_notice_for("CreateEndpoint", {})


def test_endpoint_notice_prices_the_instances_its_config_asked_for():
    assert aws_guards.launch_notice_for("CreateEndpointConfig", {"EndpointConfigName": "c1", "ProductionVariants": [
        {"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.m4.xlarge",
         "InitialInstanceCount": 2}]}) is None
    notice = aws_guards.launch_notice_for("CreateEndpoint", {"EndpointName": "e", "EndpointConfigName": "c1"})
    assert "2 x ml.m4.xlarge" in notice and "per hour" in notice and "until you delete it" in notice


def test_serverless_endpoint_notice_says_it_bills_per_request():
    aws_guards.launch_notice_for("CreateEndpointConfig", {"EndpointConfigName": "c2", "ProductionVariants": [
        {"VariantName": "AllTraffic", "ModelName": "m", "ServerlessConfig": {"MemorySizeInMB": 2048,
                                                                               "MaxConcurrency": 1}}]})
    assert "per request" in aws_guards.launch_notice_for("CreateEndpoint", {"EndpointConfigName": "c2"})


def test_unknown_price_never_blocks_a_request():
    notice = aws_guards.launch_notice_for("CreateTrainingJob", {"ResourceConfig": {"InstanceType": "ml.zz.huge",
                                                                                    "InstanceCount": 1}})
    assert "ml.zz.huge" in notice


def test_sdk_calls_through_the_session_get_the_notice(stubbed):
    import sagemaker

    client, printed = stubbed
    session = sagemaker.Session(boto_session=boto3.Session(region_name="us-west-2", aws_access_key_id="x",
                                                           aws_secret_access_key="y"), sagemaker_client=client)
    with Stubber(client) as stub:
        stub.add_response("create_transform_job", {"TransformJobArn": "arn:aws:sagemaker:us-west-2:123456789012:transform-job/job"})
        session.sagemaker_client.create_transform_job(**TRANSFORM)
    assert printed and "ml.m4.xlarge" in printed[0]
