"""Create-time validation of the offline SageMaker (sagemaker_offline/validation.py): spec section 1, cases 1-3 of
section 7, the AWS message format, and the round trip through moto to a boto3 ClientError."""

import copy

import boto3
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from sagemaker_offline import service_rules
from sagemaker_offline import validation
from sagemaker_offline.validation import (
    check_existing_resources,
    duplicate_job_message,
    no_s3_objects_message,
    resource_in_use,
    resource_not_found,
    validate_request,
)

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
IMAGE = "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1"

TRANSFORM = {
    "TransformJobName": "boston-housing-batch",
    "ModelName": "boston-housing-xgb",
    "TransformInput": {
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bucket/batch/in"}},
        "ContentType": "text/csv",
        "SplitType": "Line",
    },
    "TransformOutput": {"S3OutputPath": "s3://bucket/batch/out", "AssembleWith": "Line"},
    "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
}
MODEL = {
    "ModelName": "boston-housing-xgb",
    "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": "s3://bucket/train/j/output/model.tar.gz"},
    "ExecutionRoleArn": ROLE,
}
TRAINING = {
    "TrainingJobName": "boston-housing-train",
    "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
    "RoleArn": ROLE,
    "InputDataConfig": [{
        "ChannelName": "train",
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bucket/train/"}},
        "ContentType": "text/csv",
    }],
    "OutputDataConfig": {"S3OutputPath": "s3://bucket/train/out"},
    "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    "HyperParameters": {"num_round": "50", "objective": "reg:squarederror"},
}


def request(base, **changes):
    """A deep copy of base with the given top-level members replaced (None removes one)."""
    params = copy.deepcopy(base)
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return params


def transform_with(**nested):
    """TRANSFORM with members of its nested structures replaced, e.g. SplitType="line" (TransformInput)."""
    params = copy.deepcopy(TRANSFORM)
    homes = {"SplitType": params["TransformInput"], "ContentType": params["TransformInput"],
             "S3Uri": params["TransformInput"]["DataSource"]["S3DataSource"],
             "S3DataType": params["TransformInput"]["DataSource"]["S3DataSource"],
             "S3OutputPath": params["TransformOutput"], "AssembleWith": params["TransformOutput"],
             "InstanceType": params["TransformResources"], "InstanceCount": params["TransformResources"]}
    for name, value in nested.items():
        homes[name][name] = value
    return params


def message_of(operation, params):
    with pytest.raises(Exception) as raised:
        validate_request(operation, params)
    assert raised.value.code == "ValidationException"
    return raised.value.message


# -- section 7, cases 1-3 --------------------------------------------------------------------------------------------
def test_case_01_job_name_pattern_and_length():
    assert message_of("CreateTransformJob", request(TRANSFORM, TransformJobName="my_job")) == (
        "1 validation error detected: Value 'my_job' at 'transformJobName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")

    name_64 = "a" * 64
    assert message_of("CreateTransformJob", request(TRANSFORM, TransformJobName=name_64)) == (
        f"2 validation errors detected: Value '{name_64}' at 'transformJobName' failed to satisfy constraint: "
        "Member must have length less than or equal to 63; "
        f"Value '{name_64}' at 'transformJobName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")

    validate_request("CreateTransformJob", request(TRANSFORM, TransformJobName="a" * 63))
    validate_request("CreateTransformJob", request(TRANSFORM, TransformJobName="a--b-9"))
    assert "Member must satisfy regular expression pattern" in message_of(
        "CreateTransformJob", request(TRANSFORM, TransformJobName="ends-with-dash-"))


def test_case_02_payload_and_concurrency_limits():
    too_big = message_of("CreateTransformJob", request(TRANSFORM, MaxPayloadInMB=101))
    assert too_big.startswith("MaxPayloadInMB is 101, but a transform job allows at most 100 MB per request.")
    assert "max_payload" in too_big  # names the SDK argument a learner actually sets

    product = message_of("CreateTransformJob", request(TRANSFORM, MaxConcurrentTransforms=20, MaxPayloadInMB=6))
    assert "20 x 6 = 120 MB" in product and "at most 100 MB" in product

    # Without MaxPayloadInMB the service's default of 6 MB is what gets multiplied.
    assert "20 x 6 = 120 MB" in message_of("CreateTransformJob", request(TRANSFORM, MaxConcurrentTransforms=20))

    validate_request("CreateTransformJob", request(TRANSFORM, MaxPayloadInMB=100))
    validate_request("CreateTransformJob", request(TRANSFORM, MaxConcurrentTransforms=16, MaxPayloadInMB=6))
    validate_request("CreateTransformJob", request(TRANSFORM, MaxConcurrentTransforms=1, MaxPayloadInMB=100))
    validate_request("CreateTransformJob", request(TRANSFORM, MaxConcurrentTransforms=20, MaxPayloadInMB=0))
    validate_request("CreateTransformJob", request(TRANSFORM, MaxConcurrentTransforms=0, MaxPayloadInMB=50))


def test_case_03_environment_entries_and_key_pattern():
    seventeen = {f"VAR_{i}": "1" for i in range(17)}
    message = message_of("CreateTransformJob", request(TRANSFORM, Environment=seventeen))
    shown = "{" + ", ".join(f"VAR_{i}=1" for i in range(17)) + "}"
    assert message == (f"1 validation error detected: Value '{shown}' at 'environment' failed to satisfy "
                       "constraint: Member must have length less than or equal to 16")

    assert message_of("CreateTransformJob", request(TRANSFORM, Environment={"1A": "x"})) == (
        "1 validation error detected: Value '{1A=x}' at 'environment' failed to satisfy constraint: "
        "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, "
        "Member must have length greater than or equal to 0, "
        "Member must satisfy regular expression pattern: [a-zA-Z_][a-zA-Z0-9_]{0,1023}]")

    validate_request("CreateTransformJob", request(TRANSFORM, Environment={f"_V{i}": "x" * 10240 for i in range(16)}))
    assert "Map value must satisfy constraint: [Member must have length less than or equal to 10240" in message_of(
        "CreateTransformJob", request(TRANSFORM, Environment={"BIG": "x" * 10241}))


# -- other CreateTransformJob fields -----------------------------------------------------------------------------------
def test_enum_split_type_is_case_sensitive():
    assert message_of("CreateTransformJob", transform_with(SplitType="line")) == (
        "1 validation error detected: Value 'line' at 'transformInput.splitType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [None, Line, RecordIO, TFRecord]")
    for good in ("None", "Line", "RecordIO", "TFRecord"):
        validate_request("CreateTransformJob", transform_with(SplitType=good))


def test_other_enums_come_from_the_model():
    assert "Member must satisfy enum value set: [MultiRecord, SingleRecord]" in message_of(
        "CreateTransformJob", request(TRANSFORM, BatchStrategy="MULTI_RECORD"))
    assert "at 'transformOutput.assembleWith'" in message_of("CreateTransformJob", transform_with(AssembleWith="line"))
    instance = message_of("CreateTransformJob", transform_with(InstanceType="ml.t2.medium"))
    assert "at 'transformResources.instanceType'" in instance and "ml.m5.large" in instance
    assert "at 'dataProcessing.joinSource'" in message_of(
        "CreateTransformJob", request(TRANSFORM, DataProcessing={"JoinSource": "input"}))


def test_s3_uri_pattern_and_length():
    assert message_of("CreateTransformJob", transform_with(S3Uri="bucket/batch/in")) == (
        "1 validation error detected: Value 'bucket/batch/in' at 'transformInput.dataSource.s3DataSource.s3Uri' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: (https|s3)://([^/]+)/?(.*)")
    assert "at 'transformOutput.s3OutputPath'" in message_of(
        "CreateTransformJob", transform_with(S3OutputPath="S3://bucket/out"))
    long_uri = "s3://bucket/" + "k" * 1013
    assert "Member must have length less than or equal to 1024" in message_of(
        "CreateTransformJob", transform_with(S3Uri=long_uri))
    validate_request("CreateTransformJob", transform_with(S3Uri="s3://bucket"))
    validate_request("CreateTransformJob", transform_with(S3Uri="https://bucket.s3.amazonaws.com/batch/in"))
    validate_request("CreateTransformJob", transform_with(S3Uri="s3://bucket/" + "k" * 1012))


def test_tags_limits():
    fifty_one = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    message = message_of("CreateTransformJob", request(TRANSFORM, Tags=fifty_one))
    assert message.startswith("1 validation error detected: Value '[{Key=k0, Value=v}, {Key=k1, Value=v}")
    assert message.endswith("at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
    validate_request("CreateTransformJob", request(TRANSFORM, Tags=fifty_one[:50]))

    long_key = "k" * 129
    assert message_of("CreateTransformJob", request(TRANSFORM, Tags=[{"Key": "ok", "Value": "v"},
                                                                     {"Key": long_key, "Value": "v"}])) == (
        f"1 validation error detected: Value '{long_key}' at 'tags.2.member.key' failed to satisfy constraint: "
        "Member must have length less than or equal to 128")
    assert "Member must have length greater than or equal to 1" in message_of(
        "CreateTransformJob", request(TRANSFORM, Tags=[{"Key": "", "Value": "v"}]))
    assert message_of("CreateTransformJob", request(TRANSFORM, Tags=[{"Key": "team", "Value": "a,b"}])) == (
        "1 validation error detected: Value 'a,b' at 'tags.1.member.value' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: ([\p{L}\p{Z}\p{N}_.:/=+\-@]*)")
    assert "at 'tags.1.member.value'" in message_of(
        "CreateTransformJob", request(TRANSFORM, Tags=[{"Key": "team", "Value": "v" * 257}]))
    # \p{L}, \p{Z} and \p{N} are Unicode classes: letters, spaces (also U+00A0) and digits of any script pass.
    unicode_tag = {"Key": "Größe Ω", "Value": "١٢٣\u00a0x:/=+-@_."}
    validate_request("CreateTransformJob", request(TRANSFORM, Tags=[unicode_tag]))


def test_several_errors_in_one_message_in_model_order():
    params = transform_with(SplitType="line", S3Uri="bucket/in")
    params.update(TransformJobName="my_job", ModelClientConfig={"InvocationsTimeoutInSeconds": 3601,
                                                                "InvocationsMaxRetries": 4})
    message = message_of("CreateTransformJob", params)
    assert message.startswith("5 validation errors detected: Value 'my_job' at 'transformJobName'")
    parts = message.split("; ")
    assert len(parts) == 5
    assert parts[1] == ("Value '3601' at 'modelClientConfig.invocationsTimeoutInSeconds' failed to satisfy "
                        "constraint: Member must have value less than or equal to 3600")
    assert parts[2] == ("Value '4' at 'modelClientConfig.invocationsMaxRetries' failed to satisfy constraint: "
                        "Member must have value less than or equal to 3")
    assert "at 'transformInput.dataSource.s3DataSource.s3Uri'" in parts[3]
    assert "at 'transformInput.splitType'" in parts[4]


def test_model_errors_are_reported_before_the_documented_limits():
    message = message_of("CreateTransformJob", request(TRANSFORM, TransformJobName="my_job", MaxPayloadInMB=101))
    assert message.startswith("1 validation error detected:") and "MaxPayloadInMB" not in message


def test_missing_required_members_and_minimums():
    assert message_of("CreateTransformJob", request(TRANSFORM, TransformOutput=None)) == (
        "1 validation error detected: Value null at 'transformOutput' failed to satisfy constraint: "
        "Member must not be null")
    assert "Value null at 'transformResources.instanceCount'" in message_of(
        "CreateTransformJob", request(TRANSFORM, TransformResources={"InstanceType": "ml.m5.large"}))
    assert "Member must have value greater than or equal to 1" in message_of(
        "CreateTransformJob", transform_with(InstanceCount=0))


def test_instance_count_documented_maximum():
    message = message_of("CreateTransformJob", transform_with(InstanceCount=101))
    assert message.startswith("TransformResources.InstanceCount is 101, but a transform job can use at most 100")
    validate_request("CreateTransformJob", transform_with(InstanceCount=100))


# -- CreateModel and CreateTrainingJob ---------------------------------------------------------------------------------
def test_create_model_basics():
    validate_request("CreateModel", MODEL)
    assert message_of("CreateModel", request(MODEL, ModelName="my_model")) == (
        "1 validation error detected: Value 'my_model' at 'modelName' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?")
    role = message_of("CreateModel", request(MODEL, ExecutionRoleArn="SageMakerRole"))
    assert role.startswith("2 validation errors detected: Value 'SageMakerRole' at 'executionRoleArn'")
    assert "Member must have length greater than or equal to 20" in role
    container = dict(MODEL["PrimaryContainer"], Image="my image", Environment={f"V{i}": "1" for i in range(101)})
    message = message_of("CreateModel", request(MODEL, PrimaryContainer=container))
    assert "at 'primaryContainer.image' failed to satisfy constraint: Member must satisfy regular expression" in message
    assert "at 'primaryContainer.environment' failed to satisfy constraint: Member must have length less than " \
           "or equal to 100" in message
    assert "at 'primaryContainer.modelDataUrl'" in message_of(
        "CreateModel", request(MODEL, PrimaryContainer={"Image": IMAGE, "ModelDataUrl": "model.tar.gz"}))


def test_create_training_job_basics():
    validate_request("CreateTrainingJob", TRAINING)
    assert "at 'trainingJobName'" in message_of("CreateTrainingJob", request(TRAINING, TrainingJobName="train_1"))
    assert "Member must satisfy enum value set: [Pipe, File, FastFile]" in message_of(
        "CreateTrainingJob", request(TRAINING, AlgorithmSpecification={"TrainingImage": IMAGE,
                                                                       "TrainingInputMode": "file"}))
    long_value = message_of("CreateTrainingJob", request(TRAINING, HyperParameters={"eta": "1" * 2501}))
    assert long_value.endswith("at 'hyperParameters' failed to satisfy constraint: Map value must satisfy "
                               "constraint: [Member must have length less than or equal to 2500, Member must have "
                               "length greater than or equal to 0, Member must satisfy regular expression pattern: .*]")
    channel = dict(TRAINING["InputDataConfig"][0], ChannelName="train data")
    assert "at 'inputDataConfig.1.member.channelName'" in message_of(
        "CreateTrainingJob", request(TRAINING, InputDataConfig=[channel]))
    assert "Member must have length less than or equal to 100" in message_of(
        "CreateTrainingJob", request(TRAINING, HyperParameters={f"h{i}": "1" for i in range(101)}))
    assert "at 'stoppingCondition.maxRuntimeInSeconds'" in message_of(
        "CreateTrainingJob", request(TRAINING, StoppingCondition={"MaxRuntimeInSeconds": 0}))


def test_java_patterns_translate_to_python():
    translate = service_rules._python_regex
    assert translate(r"[\p{Alnum}\-]+") == r"[a-zA-Z0-9\-]+"
    assert translate(r"\A\S[\p{Print}]*\z") == r"\A\S[\x20-\x7e]*\Z"
    # Java's "." stops at any line terminator, not just "\n".
    assert service_rules._compiled(".*").fullmatch("a\rb") is None
    assert service_rules._compiled(r"\p{Lu}+").fullmatch("ÀB")
    assert service_rules._compiled(r"\p{Lu}+").fullmatch("aB") is None
    assert service_rules._compiled(r"\d+").fullmatch("١٢") is None  # Java's \d is ASCII


# -- texts for the checks that need the account's state ----------------------------------------------------------------
def test_messages_for_stateful_checks():
    # Exact text seen from SageMaker (aws/amazon-sagemaker-examples#2414).
    assert no_s3_objects_message(
        "s3://sagemaker-us-west-2-123456789012/image-classification-full-training/test/", "us-west-2",
        "arn:aws:iam::123456789012:role/Build", "sagemaker-us-west-2-123456789012") == (
        'No S3 objects found under S3 URL "s3://sagemaker-us-west-2-123456789012/image-classification-full-training/'
        'test/" given in input data source. Please ensure that the bucket exists in the selected region (us-west-2), '
        'that objects exist under that S3 prefix, and that the role "arn:aws:iam::123456789012:role/Build" has '
        '"s3:ListBucket" permissions on bucket "sagemaker-us-west-2-123456789012".')
    # Exact text seen from SageMaker (aws/amazon-sagemaker-examples#3108).
    arn = "arn:aws:sagemaker:us-west-2:123456789012:training-job/sagemaker-r-xgboost-00-12-38"
    assert duplicate_job_message("training job", arn) == (
        "Training job names must be unique within an AWS account and region, and a training job with this name "
        f"already exists ({arn})")
    assert validation.model_not_found("m", "123456789012", "us-west-2").message == (
        'Could not find model "arn:aws:sagemaker:us-west-2:123456789012:model/m".')
    assert resource_in_use("x").code == "ResourceInUse"
    assert resource_not_found("x").code == "ResourceNotFound"


# -- through moto to boto3 ---------------------------------------------------------------------------------------------
@pytest.fixture
def sagemaker(monkeypatch):
    """A boto3 SageMaker client on moto whose backend validates create calls as the offline runtime does."""
    from moto import mock_aws
    from moto.sagemaker.models import SageMakerModelBackend

    for variable, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-west-2"}.items():
        monkeypatch.setenv(variable, value)
    model = service_rules.service_model()
    for method, operation in (("create_transform_job", "CreateTransformJob"), ("create_model", "CreateModel"),
                              ("create_training_job", "CreateTrainingJob")):
        monkeypatch.setattr(SageMakerModelBackend, method,
                            _validating(getattr(SageMakerModelBackend, method), operation, model))

    def describe_transform_job(self, transform_job_name):
        if transform_job_name not in self.transform_jobs:
            raise resource_not_found(f"Transform job {transform_job_name} does not exist.")
        return self.transform_jobs[transform_job_name].response_object

    monkeypatch.setattr(SageMakerModelBackend, "describe_transform_job", describe_transform_job)
    with mock_aws():
        yield boto3.client("sagemaker", region_name="us-west-2")


def _validating(original, operation, model):
    pascal = {xform_name(name): name for name in model.operation_model(operation).input_shape.members}

    def wrapper(self, **kwargs):
        params = {pascal[key]: value for key, value in kwargs.items() if key in pascal and value is not None}
        validate_request(operation, params)
        check_existing_resources(operation, params, self)
        return original(self, **kwargs)

    return wrapper


def client_error(call, **params):
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]


def test_boto3_sees_validation_exception(sagemaker):
    error = client_error(sagemaker.create_transform_job, **request(TRANSFORM, TransformJobName="my_job"))
    assert error["Code"] == "ValidationException"
    assert error["Message"] == message_of("CreateTransformJob", request(TRANSFORM, TransformJobName="my_job"))

    # botocore's own client checks stop at minimums: the maximum below only fails because the backend validates.
    error = client_error(sagemaker.create_transform_job, **request(TRANSFORM, MaxPayloadInMB=101))
    assert error["Code"] == "ValidationException" and error["Message"].startswith("MaxPayloadInMB is 101")


def test_boto3_sees_model_and_name_checks(sagemaker):
    error = client_error(sagemaker.create_transform_job, **TRANSFORM)
    assert error == {"Code": "ValidationException", "Message":
                     'Could not find model "arn:aws:sagemaker:us-west-2:123456789012:model/boston-housing-xgb".'}

    sagemaker.create_model(**MODEL)
    error = client_error(sagemaker.create_model, **MODEL)
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith('Cannot create already existing model "arn:aws:sagemaker:us-west-2:')

    arn = sagemaker.create_transform_job(**TRANSFORM)["TransformJobArn"]
    error = client_error(sagemaker.create_transform_job, **TRANSFORM)
    assert error["Code"] == "ResourceInUse"
    assert error["Message"] == ("Transform job names must be unique within an AWS account and region, and a "
                                f"transform job with this name already exists ({arn})")

    sagemaker.create_training_job(**TRAINING)
    assert client_error(sagemaker.create_training_job, **TRAINING)["Code"] == "ResourceInUse"


def test_boto3_sees_resource_not_found(sagemaker):
    error = client_error(sagemaker.describe_transform_job, TransformJobName="nope")
    assert error == {"Code": "ResourceNotFound", "Message": "Transform job nope does not exist."}
