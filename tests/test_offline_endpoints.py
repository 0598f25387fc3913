"""Real-time endpoints offline (sagemaker_offline/endpoints.py): every status transition, error shape and log line against
the real texts in tests/reference/aws/endpoints.json, the SDK v2 path, and no serving process left behind."""
from __future__ import annotations

import io
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import boto3
import numpy as np
import pytest
import xgboost as xgb
from botocore.exceptions import ClientError, WaiterError

from helpers.course import data, models
from sagemaker_offline import logs
from tests.conftest import features_csv

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = json.loads((ROOT / "tests/reference/aws/endpoints.json").read_text())["response"]
INSTANCE_TYPE = "ml.m4.xlarge"
ACCOUNT = "123456789012"  # moto's account


def reference_pattern(key: str, **literal) -> re.Pattern:
    """A real text of the reference file as a pattern: its variable parts (names, URLs, regions, account, the
    container's message) become wildcards, so the offline text must have every fixed word of AWS's."""
    text = REFERENCE[key]["text"]
    for old in literal.get("variables", []):
        text = text.replace(old, "\x00")
    pattern = re.escape(text).replace("\x00", ".+?")
    return re.compile(pattern, re.S)


def serving_processes(endpoint: str = "") -> list:
    return [p for p in multiprocessing.active_children() if p.name.startswith(f"serving-{endpoint}")]


def expected(booster, rows) -> list[float]:
    """xgboost's own predictions as the 1.7-1 container makes them: with the best trees of the early-stopped model."""
    best = int(booster.attr("best_ntree_limit"))
    return booster.predict(xgb.DMatrix(np.asarray(rows, dtype=np.float32)), iteration_range=(0, best)).astype(
        float).tolist()


@pytest.fixture(scope="module")
def runtime(course):
    return boto3.client("sagemaker-runtime", region_name=course.region)


@pytest.fixture(scope="module")
def config_name(course, xgb_model_name):
    name = "test-endpoint-config"
    course.sagemaker_client.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": xgb_model_name, "InstanceType": INSTANCE_TYPE,
         "InitialInstanceCount": 1}])
    return name


def create(course, name, config):
    sm = course.sagemaker_client
    sm.create_endpoint(EndpointName=name, EndpointConfigName=config)
    return sm


@pytest.fixture(scope="module")
def endpoint(course, config_name):
    """One InService endpoint for the invocation tests."""
    sm = create(course, "Test-Endpoint", config_name)
    first = sm.describe_endpoint(EndpointName="Test-Endpoint")
    sm.get_waiter("endpoint_in_service").wait(EndpointName="Test-Endpoint")
    yield {"name": "Test-Endpoint", "first": first}


def stream_lines(course, endpoint_name: str) -> dict[str, list[str]]:
    client = boto3.client("logs", region_name=course.region)
    group = logs.endpoint_group(endpoint_name)
    return {s["logStreamName"]: [e["message"] for e in client.get_log_events(
        logGroupName=group, logStreamName=s["logStreamName"], startFromHead=True)["events"]]
        for s in client.describe_log_streams(logGroupName=group)["logStreams"]}


# -- statuses -------------------------------------------------------------------------------------------------------
def test_an_endpoint_is_creating_at_first_then_in_service_with_its_deployed_image(course, endpoint):
    first = endpoint["first"]
    assert first["EndpointStatus"] == "Creating" and "ProductionVariants" not in first
    described = course.sagemaker_client.describe_endpoint(EndpointName=endpoint["name"])
    assert described["EndpointStatus"] == "InService" and "FailureReason" not in described
    variant = described["ProductionVariants"][0]
    assert variant["VariantName"] == "AllTraffic" and variant["CurrentInstanceCount"] == 1
    assert variant["DeployedImages"][0]["SpecifiedImage"] == models.image_uri(course)
    # creation takes minutes of service time, as on AWS (13 looks of deploy()'s 30 s polling)
    minutes = (described["LastModifiedTime"] - described["CreationTime"]).total_seconds() / 60
    assert 6 < minutes < 7.5
    # AWS writes the name in lower case inside the ARN
    assert described["EndpointArn"].endswith(":endpoint/test-endpoint")
    listed = course.sagemaker_client.list_endpoints()["Endpoints"]
    assert {"EndpointName": "Test-Endpoint", "EndpointStatus": "InService"}.items() <= \
        next(e for e in listed if e["EndpointName"] == "Test-Endpoint").items()


def test_invoking_an_endpoint_still_creating_is_refused_like_an_unknown_one(course, config_name, runtime):
    create(course, "creating-endpoint", config_name)
    with pytest.raises(ClientError) as caught:
        runtime.invoke_endpoint(EndpointName="creating-endpoint", ContentType="text/csv", Body=b"1")
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert str(caught.value) == ("An error occurred (ValidationError) when calling the InvokeEndpoint operation: "
                                 f"Endpoint creating-endpoint of account {ACCOUNT} not found.")
    course.sagemaker_client.delete_endpoint(EndpointName="creating-endpoint")


def test_an_unknown_endpoint_gives_the_validation_error_aws_returns(course, runtime):
    with pytest.raises(runtime.exceptions.ValidationError) as caught:
        runtime.invoke_endpoint(EndpointName="nope", ContentType="text/csv", Body=b"1")
    assert reference_pattern("endpoint_not_found", variables=["driving-endpoint", "111122223333"]).fullmatch(
        str(caught.value))
    with pytest.raises(ClientError) as described:
        course.sagemaker_client.describe_endpoint(EndpointName="Nope")
    assert described.value.response["Error"]["Code"] == "ValidationException"
    assert described.value.response["Error"]["Message"] == (
        f'Could not find endpoint "arn:aws:sagemaker:{course.region}:{ACCOUNT}:endpoint/nope".')


def test_a_name_already_taken_is_refused(course, endpoint, config_name):
    with pytest.raises(ClientError, match='Cannot create already existing endpoint "arn:aws:sagemaker:.*:endpoint/'
                                          'test-endpoint"'):
        course.sagemaker_client.create_endpoint(EndpointName=endpoint["name"], EndpointConfigName=config_name)


def _failed_reason(course, name, model_data, xgb_image=True, delete_after_create_model=False):
    """Create a model, config and endpoint, and return the FailureReason of the endpoint. CreateModel refuses a model
    whose artifact is missing ("Could not find model data at ..."), so with delete_after_create_model the artifact
    exists for CreateModel and is deleted before CreateEndpoint: what AWS then reports at deployment."""
    sm = course.sagemaker_client
    image = models.image_uri(course)
    if delete_after_create_model:
        bucket, key = model_data[len("s3://"):].split("/", 1)
        course.s3_client.put_object(Bucket=bucket, Key=key, Body=b"deleted after CreateModel")
    sm.create_model(ModelName=name, ExecutionRoleArn=course.role,
                    PrimaryContainer={"Image": image, "ModelDataUrl": model_data})
    if delete_after_create_model:
        course.s3_client.delete_object(Bucket=bucket, Key=key)
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": name, "InstanceType": INSTANCE_TYPE, "InitialInstanceCount": 1}])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    with pytest.raises(WaiterError):
        sm.get_waiter("endpoint_in_service").wait(EndpointName=name)
    described = sm.describe_endpoint(EndpointName=name)
    assert described["EndpointStatus"] == "Failed"
    sm.delete_endpoint(EndpointName=name)
    return described["FailureReason"]


def sdk_reason(key: str) -> str:
    """The FailureReason inside a reference's SDK message: after "Reason: ", without the "." the SDK adds."""
    return REFERENCE[key]["text"].split("Reason: ", 1)[1][:-1]


def test_a_missing_model_artifact_fails_the_endpoint_with_awss_reason(course):
    url = f"s3://{course.bucket}/no/such/model.tar.gz"
    reason = _failed_reason(course, "missing-artifact", url, delete_after_create_model=True)
    real = sdk_reason("failure_download")
    assert reason == re.sub(r'URL: "[^"]+"', f'URL: "{url}"', real)
    assert not serving_processes("missing-artifact")


def test_an_artifact_that_is_not_a_tar_gz_fails_the_endpoint_with_awss_reason(course):
    key = "endpoint-tests/not-a-tar/model.tar.gz"
    course.s3_client.put_object(Bucket=course.bucket, Key=key, Body=b"not an archive")
    url = f"s3://{course.bucket}/{key}"
    reason = _failed_reason(course, "not-a-tar", url)
    assert reason == re.sub(r'URL "[^"]+"', f'URL "{url}"', sdk_reason("failure_extract"))


def test_a_model_the_container_cannot_load_fails_its_ping_and_the_endpoint(course):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("xgboost-model")
        info.size = 9
        tar.addfile(info, io.BytesIO(b"not a gbm"))
    key = "endpoint-tests/bad-model/model.tar.gz"
    course.s3_client.put_object(Bucket=course.bucket, Key=key, Body=buf.getvalue())
    reason = _failed_reason(course, "bad-model", f"s3://{course.bucket}/{key}")
    assert reason == sdk_reason("failure_ping")
    lines = [line for stream in stream_lines(course, "bad-model").values() for line in stream]
    assert any("Model /opt/ml/model/xgboost-model cannot be loaded" in line for line in lines)
    assert any('"GET /ping HTTP/1.1" 500' in line and line.endswith('"AHC/2.0"') for line in lines)
    assert not serving_processes("bad-model")


def test_update_endpoint_serves_the_new_configuration_after_updating(course, config_name, xgb_model_name, runtime,
                                                                     course_data):
    sm = course.sagemaker_client
    sm.create_endpoint_config(EndpointConfigName="two-instances", ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": xgb_model_name, "InstanceType": "ml.m5.large",
         "InitialInstanceCount": 2}])
    sm.create_endpoint(EndpointName="updated", EndpointConfigName=config_name)
    sm.get_waiter("endpoint_in_service").wait(EndpointName="updated")
    sm.update_endpoint(EndpointName="updated", EndpointConfigName="two-instances")
    assert sm.describe_endpoint(EndpointName="updated")["EndpointStatus"] == "Updating"
    # the old instance serves while the new ones start
    body = features_csv(course_data.test.iloc[:3])
    assert runtime.invoke_endpoint(EndpointName="updated", ContentType="text/csv", Body=body)["Body"].read()
    sm.get_waiter("endpoint_in_service").wait(EndpointName="updated")
    described = sm.describe_endpoint(EndpointName="updated")
    assert described["EndpointConfigName"] == "two-instances"
    assert described["ProductionVariants"][0]["CurrentInstanceCount"] == 2
    assert len([p for p in serving_processes() if p.name.startswith("serving-updated-")]) == 2
    assert len(stream_lines(course, "updated")) == 3  # one old instance, two new ones
    sm.delete_endpoint(EndpointName="updated")
    assert not [p for p in serving_processes() if p.name.startswith("serving-updated-")]


def test_deleting_goes_through_deleting_and_ends_every_serving_process(course, config_name):
    sm = create(course, "to-delete", config_name)
    sm.get_waiter("endpoint_in_service").wait(EndpointName="to-delete")
    assert [p for p in serving_processes() if p.name.startswith("serving-to-delete-")]
    sm.delete_endpoint(EndpointName="to-delete")
    assert sm.describe_endpoint(EndpointName="to-delete")["EndpointStatus"] == "Deleting"
    assert not [p for p in serving_processes() if p.name.startswith("serving-to-delete-")]
    sm.get_waiter("endpoint_deleted").wait(EndpointName="to-delete")
    with pytest.raises(ClientError) as caught:
        sm.delete_endpoint(EndpointName="to-delete")
    assert reference_pattern("could_not_find_endpoint", variables=["ClientError: ", "us-west-2", "111122223333",
                                                                   "ipinsights-2021-05-11-00-23-29-162"]).fullmatch(
        "ClientError: " + str(caught.value))
    # the config outlives the endpoint, as on AWS
    assert sm.describe_endpoint_config(EndpointConfigName=config_name)["EndpointConfigName"] == config_name


def test_a_config_made_without_data_capture_is_described_without_it(course, config_name):
    """AWS omits an optional field that was not set; moto's `DataCaptureConfig: {}` broke SDK v3's EndpointConfig.get
    (botocore requires three members in any DataCaptureConfig): notebooks/sdk-v3/07 deletes its config that way."""
    config = course.sagemaker_client.describe_endpoint_config(EndpointConfigName=config_name)
    assert "DataCaptureConfig" not in config and "AsyncInferenceConfig" not in config
    assert config["ProductionVariants"][0]["InitialInstanceCount"] == 1


# -- invocations ----------------------------------------------------------------------------------------------------
def test_csv_rows_get_the_predictions_xgboost_gives_on_the_model_file(course, endpoint, runtime, course_data,
                                                                    booster):
    rows = course_data.test[data.FEATURES].iloc[:100]
    answer = runtime.invoke_endpoint(EndpointName=endpoint["name"], ContentType="text/csv", Body=features_csv(rows))
    assert answer["ContentType"] == "text/csv; charset=utf-8"
    assert answer["InvokedProductionVariant"] == "AllTraffic"
    got = [float(line) for line in answer["Body"].read().decode().splitlines()]
    assert got == expected(booster, rows)
    one = runtime.invoke_endpoint(EndpointName=endpoint["name"], ContentType="text/csv",
                                  Body=features_csv(rows.iloc[:1]))["Body"].read()
    assert one.decode() == f"{got[0]}\n"


def test_libsvm_and_json_answers_follow_the_container(course, endpoint, runtime, course_data, booster):
    row = course_data.test[data.FEATURES].iloc[0]
    libsvm = " ".join(f"{i}:{v}" for i, v in enumerate(row.tolist())).encode()
    answer = runtime.invoke_endpoint(EndpointName=endpoint["name"], ContentType="text/libsvm", Body=libsvm,
                                     Accept="application/json")
    assert answer["ContentType"] == "application/json"
    score = json.loads(answer["Body"].read())["predictions"][0]["score"]
    assert score == pytest.approx(expected(booster, [row.tolist()])[0], rel=1e-6)


def test_a_malformed_body_is_a_model_error_with_the_containers_415(course, endpoint, runtime):
    with pytest.raises(runtime.exceptions.ModelError) as caught:
        runtime.invoke_endpoint(EndpointName=endpoint["name"], ContentType="text/csv", Body=b"1,2,abc\n")
    error = caught.value
    pattern = reference_pattern("model_error_415", variables=[
        "application/json is not an accepted ContentType: csv, libsvm, parquet, recordio-protobuf, text/csv, "
        "text/libsvm, text/x-libsvm, application/x-parquet, application/x-recordio-protobuf.",
        "us-east-1", "test-deposit-fraud-20210609-V6-N-endpoint-4", "111122223333"])
    assert pattern.fullmatch(str(error))
    assert f"group=/aws/sagemaker/Endpoints/{endpoint['name']} in account {ACCOUNT}" in str(error)
    assert error.response["OriginalStatusCode"] == 415
    assert error.response["OriginalMessage"].startswith("Loading csv data failed with Exception, please ensure")
    assert "could not convert string to float: 'abc'" in error.response["OriginalMessage"]
    stream = error.response["LogStreamArn"].split(":log-stream:")[1]
    assert stream in stream_lines(course, endpoint["name"])


def test_an_unaccepted_content_type_gets_the_containers_list_of_types(course, endpoint, runtime):
    with pytest.raises(runtime.exceptions.ModelError) as caught:
        runtime.invoke_endpoint(EndpointName=endpoint["name"], ContentType="application/json", Body=b"[1]")
    # the very message of the real transcript (image 1.5-1 there, 1.7-1 here: the same data_utils text)
    expected = REFERENCE["model_error_415"]["text"].split(' from primary with message "')[1].split('". See ')[0]
    assert caught.value.response["OriginalMessage"] == expected


def test_a_wrong_feature_count_is_a_model_error_with_the_containers_400(course, endpoint, runtime):
    with pytest.raises(runtime.exceptions.ModelError) as caught:
        runtime.invoke_endpoint(EndpointName=endpoint["name"], ContentType="text/csv", Body=b",".join([b"1"] * 14))
    assert str(caught.value).split("InvokeEndpoint operation: ")[1].startswith(
        'Received client error (400) from primary with message "Unable to evaluate payload provided: ')
    assert caught.value.response["OriginalStatusCode"] == 400


def test_a_body_over_6_mb_is_refused_before_the_container(course, endpoint, runtime):
    with pytest.raises(ClientError) as caught:
        runtime.invoke_endpoint(EndpointName=endpoint["name"], ContentType="text/csv",
                                Body=b"1" * (6 * 1024 * 1024 + 1))
    assert str(caught.value) == ("An error occurred (413) when calling the InvokeEndpoint operation: HTTP content "
                                 "length exceeded 6291456 bytes.")


def test_the_endpoints_log_stream_has_the_containers_start_up_and_request_lines(course, endpoint, runtime):
    runtime.invoke_endpoint(EndpointName=endpoint["name"], ContentType="text/csv", Body=b"1,2,3,4,5,6,7,8,9,10,11,12,13")
    streams = stream_lines(course, endpoint["name"])
    assert len(streams) == 1
    (name, lines), = streams.items()
    assert re.fullmatch(r"AllTraffic/i-[0-9a-f]{17}", name)
    text = "\n".join(lines)
    assert lines[0].endswith("No GPUs detected (normal if no gpus installed)")
    assert "nginx config: " in text and "Starting gunicorn 23.0.0" in text
    assert sum("Booting worker with pid" in line for line in lines) == 4  # ml.m4.xlarge: 4 vCPUs
    assert "Loading the model from /opt/ml/model/xgboost-model" in text
    access = [line for line in lines if line.startswith("10.32.0.2")]
    ref = REFERENCE["access_line"]["text"]
    assert re.sub(r"\[.*?\]| \d+ \d+ ", "", access[0]) == re.sub(
        r"\[.*?\]| \d+ \d+ ", "", ref.replace("POST /invocations", "GET /ping"))
    assert any('"POST /invocations HTTP/1.1" 200' in line for line in access)
    assert "Determined delimiter of CSV input is ','" in text


# -- the SDK ---------------------------------------------------------------------------------------------------------
def test_sdk_v2_deploy_predict_and_delete(course, model_data, course_data, booster, capsys):
    from sagemaker.deserializers import CSVDeserializer
    from sagemaker.model import Model
    from sagemaker.predictor import Predictor
    from sagemaker.serializers import CSVSerializer

    model = Model(image_uri=models.image_uri(course), model_data=model_data, role=course.role,
                  predictor_cls=Predictor, sagemaker_session=course.session)
    predictor = model.deploy(initial_instance_count=1, instance_type=INSTANCE_TYPE, serializer=CSVSerializer(),
                             deserializer=CSVDeserializer())
    assert capsys.readouterr().out == "-" * 13 + "!"  # one "-" per 30 s look while Creating, as on AWS
    rows = course_data.test[data.FEATURES].iloc[:5]
    got = [float(row[0]) for row in predictor.predict(rows.to_numpy())]
    assert got == expected(booster, rows)
    again = Predictor(predictor.endpoint_name, sagemaker_session=course.session, serializer=CSVSerializer())
    assert again.predict(rows.iloc[0].tolist()).decode() == f"{got[0]}\n"
    predictor.delete_model()  # before delete_endpoint, which deletes the config that names the model
    predictor.delete_endpoint()
    with pytest.raises(ClientError):
        course.sagemaker_client.describe_endpoint_config(EndpointConfigName=predictor.endpoint_name)
    assert not serving_processes(predictor.endpoint_name)


def test_sdk_v2_a_failed_deploy_raises_with_the_failure_reason(course):
    from sagemaker.exceptions import UnexpectedStatusException
    from sagemaker.model import Model

    key = "nothing/here/model.tar.gz"
    url = f"s3://{course.bucket}/{key}"
    # CreateModel refuses a missing artifact ("Could not find model data at ..."): there is one for CreateModel, and
    # it is deleted as soon as CreateModel returns, so deploy() fails where AWS fails it, in the endpoint's creation.
    course.s3_client.put_object(Bucket=course.bucket, Key=key, Body=b"deleted after CreateModel")
    events = course.session.sagemaker_client.meta.events

    def delete_artifact(**_):
        course.s3_client.delete_object(Bucket=course.bucket, Key=key)

    events.register("after-call.sagemaker.CreateModel", delete_artifact)
    model = Model(image_uri=models.image_uri(course), model_data=url, role=course.role,
                  sagemaker_session=course.session)
    try:
        with pytest.raises(UnexpectedStatusException) as caught:
            model.deploy(initial_instance_count=1, instance_type=INSTANCE_TYPE)
    finally:
        events.unregister("after-call.sagemaker.CreateModel", delete_artifact)
    assert course.s3_client.list_objects_v2(Bucket=course.bucket, Prefix=key).get("KeyCount") == 0
    real = REFERENCE["failure_download"]["text"]
    assert str(caught.value).split(": Failed. Reason: ")[1].startswith(
        real.split(": Failed. Reason: ")[1].split('URL: "')[0] + f'URL: "{url}"')


def test_estimator_deploy(course, course_data, booster):
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput
    from sagemaker.serializers import CSVSerializer

    estimator = Estimator(image_uri=models.image_uri(course), role=course.role, instance_count=1,
                          instance_type=INSTANCE_TYPE, sagemaker_session=course.session,
                          output_path=course.s3_uri("endpoint-tests/estimator"),
                          hyperparameters={"objective": "reg:squarederror", "num_round": 20})
    estimator.fit({"train": TrainingInput(course_data.train_uri, content_type="text/csv")}, logs=False)
    predictor = estimator.deploy(initial_instance_count=1, instance_type=INSTANCE_TYPE, serializer=CSVSerializer())
    assert float(predictor.predict(course_data.test[data.FEATURES].iloc[0].tolist()).decode())
    predictor.delete_endpoint()


# -- a plain script ----------------------------------------------------------------------------------------------------
SCRIPT = textwrap.dedent("""\
    import json
    import multiprocessing

    import boto3
    import numpy as np
    import xgboost as xgb

    import helpers
    from helpers.course import data, models

    result = {}
    with helpers.offline():
        course = helpers.connect("offline", quiet=True)
        course_data = models.upload_course_data(course)
        model_data = models.train_course_model(course, course_data)
        sm = boto3.client("sagemaker")
        runtime = boto3.client("sagemaker-runtime")
        sm.create_model(ModelName="script-model", ExecutionRoleArn=course.role,
                        PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": model_data})
        sm.create_endpoint_config(EndpointConfigName="script-config", ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": "script-model", "InstanceType": "ml.m4.xlarge",
            "InitialInstanceCount": 1}])
        sm.create_endpoint(EndpointName="script-endpoint", EndpointConfigName="script-config")
        result["first"] = sm.describe_endpoint(EndpointName="script-endpoint")["EndpointStatus"]
        sm.get_waiter("endpoint_in_service").wait(EndpointName="script-endpoint")
        rows = course_data.test[data.FEATURES].iloc[:100]
        body = rows.to_csv(header=False, index=False)
        answer = runtime.invoke_endpoint(EndpointName="script-endpoint", ContentType="text/csv", Body=body)
        got = np.array(answer["Body"].read().decode().splitlines(), dtype=float)
        booster = models.load_model_artifact(course, model_data)  # xgboost on the model file, its best trees
        expected = booster.predict(xgb.DMatrix(rows.to_numpy(dtype=np.float32)),
                                   iteration_range=(0, int(booster.attr("best_ntree_limit"))))
        result["rows"], result["same"] = len(got), bool(np.array_equal(got, expected.astype(float)))
        try:
            runtime.invoke_endpoint(EndpointName="script-endpoint", ContentType="text/csv", Body="1,2,x")
        except runtime.exceptions.ModelError as error:
            result["model_error"] = error.response["OriginalStatusCode"]
        result["serving_while_up"] = len([p for p in multiprocessing.active_children() if p.name.startswith("serving-")])
        sm.delete_endpoint(EndpointName="script-endpoint")
        sm.get_waiter("endpoint_deleted").wait(EndpointName="script-endpoint")
        try:
            sm.describe_endpoint(EndpointName="script-endpoint")
        except sm.exceptions.ClientError as error:
            result["after_delete"] = error.response["Error"]["Code"]
        result["serving_after_delete"] = len([p for p in multiprocessing.active_children()
                                              if p.name.startswith("serving-")])
        sm.create_endpoint(EndpointName="left-running", EndpointConfigName="script-config")
        sm.get_waiter("endpoint_in_service").wait(EndpointName="left-running")
    result["serving_after_stop"] = len([p for p in multiprocessing.active_children() if p.name.startswith("serving-")])
    print(json.dumps(result))
""")


def test_a_plain_boto3_script_deploys_predicts_fails_deletes_and_leaves_no_process(tmp_path):
    script = tmp_path / "endpoint.py"
    script.write_text(SCRIPT)
    marker = f"ENDPOINT_SCRIPT_{os.getpid()}_{tmp_path.name}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PYTHONPATH=str(ROOT), ENDPOINT_SCRIPT_MARKER=marker)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"first": "Creating", "rows": 100, "same": True, "model_error": 415, "serving_while_up": 1,
                      "after_delete": "ValidationException", "serving_after_delete": 0, "serving_after_stop": 0}
    # and nothing the script started is left on the machine: every descendant inherits the marker
    import time

    time.sleep(1)  # the fork server notices its parent is gone
    assert processes_with(marker) == []


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_the_aws_cli_invokes_the_endpoint_through_the_loopback_server(course, endpoint, course_data, booster,
                                                                      tmp_path):
    """`aws sagemaker-runtime invoke-endpoint` in another process reaches the same endpoint (sagemaker_offline/server.py)."""
    body = tmp_path / "rows.csv"
    rows = course_data.test[data.FEATURES].iloc[:2]
    body.write_bytes(features_csv(rows))
    out = tmp_path / "out.txt"
    done = subprocess.run(["aws", "sagemaker-runtime", "invoke-endpoint", "--endpoint-name", endpoint["name"],
                           "--content-type", "text/csv", "--body", f"fileb://{body}", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["InvokedProductionVariant"] == "AllTraffic"
    assert [float(v) for v in out.read_text().split()] == expected(booster, rows)
    failed = subprocess.run(["aws", "sagemaker-runtime", "invoke-endpoint", "--endpoint-name", endpoint["name"],
                             "--content-type", "application/json", "--body", f"fileb://{body}", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode != 0
    assert "An error occurred (ModelError) when calling the InvokeEndpoint operation: Received client error (415) " \
           "from primary" in failed.stderr
