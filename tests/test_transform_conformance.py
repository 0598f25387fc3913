"""Job-level conformance of the offline Batch Transform with ../shared/spec/batch-transform.md (sections 2-5, 7).

Each `test_case_NN_...` is the section-7 case of that number run through CreateTransformJob; the other tests cover
the rest of the CreateTransformJob options (ManifestFile, Gzip, RecordIO, instances, concurrency, logs, Describe).
Data is tiny on purpose: size and speed are measured by tools/bench.py, not here.
"""
from __future__ import annotations

import gzip
import io
import json
import re
import tarfile

import numpy as np
import pytest
import xgboost as xgb
from botocore.exceptions import ClientError, WaiterError

import helpers
from helpers.course import models
from sagemaker_offline import xgboost_container
from sagemaker_offline.service import QUICK_FINISH_SECONDS

ROWS = b"1,2\n6,1\n"


# -- helpers ------------------------------------------------------------------------------------------------------
def put(course, key: str, body: bytes) -> str:
    course.s3_client.put_object(Bucket=course.bucket, Key=key, Body=body)
    return f"s3://{course.bucket}/{key}"


def get(course, key: str) -> bytes:
    return course.s3_client.get_object(Bucket=course.bucket, Key=key)["Body"].read()


def keys_under(course, prefix: str) -> list[str]:
    listing = course.s3_client.list_objects_v2(Bucket=course.bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def request(course, model, name, input_uri, output_uri, *, data_type="S3Prefix", split="Line", content="text/csv",
            instances=1, **extra) -> dict:
    """A CreateTransformJob request; `extra` adds top-level fields, and TransformInput/TransformOutput keys merge."""
    t_input = {"DataSource": {"S3DataSource": {"S3DataType": data_type, "S3Uri": input_uri}}, "SplitType": split}
    if content is not None:
        t_input["ContentType"] = content
    req = dict(TransformJobName=name, ModelName=model, TransformInput=t_input,
               TransformOutput={"S3OutputPath": output_uri},
               TransformResources={"InstanceType": "ml.m4.xlarge", "InstanceCount": instances})
    for key, value in extra.items():
        if key in ("TransformInput", "TransformOutput"):
            req[key] = {**req[key], **value}
        else:
            req[key] = value
    return req


def run(course, *args, **kwargs) -> dict:
    """Create the job, wait for its end state as the SDK's waiter does, and return its description."""
    req = request(course, *args, **kwargs)
    client = course.sagemaker_client
    client.create_transform_job(**req)
    try:
        client.get_waiter("transform_job_completed_or_stopped").wait(
            TransformJobName=req["TransformJobName"], WaiterConfig={"Delay": 1, "MaxAttempts": 600})
    except WaiterError:  # the waiter gives up on Failed, as on AWS; the description says why
        pass
    return client.describe_transform_job(TransformJobName=req["TransformJobName"])


def stream_names(course, job: str) -> list[str]:
    logs = course.boto_session.client("logs")
    return sorted(s["logStreamName"] for s in logs.describe_log_streams(
        logGroupName="/aws/sagemaker/TransformJobs", logStreamNamePrefix=f"{job}/")["logStreams"])


def log_lines(course, job: str, kind: str = "data-log") -> list[str]:
    """The lines of the job's data-log streams (kind "data-log", one per instance) or its instances' container streams
    (kind "container"), or of one stream (kind = the stream name after `<job>/`), stream after stream."""
    logs = course.boto_session.client("logs")
    names = stream_names(course, job)
    if kind == "data-log":
        names = [n for n in names if n.endswith("/data-log")]
    elif kind == "container":
        names = [n for n in names if not n.endswith("/data-log")]
    else:
        names = [f"{job}/{kind}"]
    lines = []
    for name in names:
        events = logs.get_log_events(logGroupName="/aws/sagemaker/TransformJobs", logStreamName=name,
                                     startFromHead=True)["events"]
        lines += [event["message"] for event in events]
    return lines


def failure_text(course, job: str, described: dict) -> str:
    """Where a learner reads why a job failed: SageMaker's FailureReason says to see the logs (for errors of the
    algorithm), and the data-log names each failed object with the container's answer."""
    if described["FailureReason"] == "ClientError: See job logs for more information":
        return "\n".join(log_lines(course, job))
    return described["FailureReason"]


def trace(job: str):
    return helpers.offline.current().traces[job]


def expected_lines(booster, rows: np.ndarray) -> list[str]:
    """What the built-in container writes per record in batch mode: str() of each float32 widened to float."""
    return [str(p) for p in booster.inplace_predict(rows.astype(np.float32)).tolist()]


# -- a small model of our own: 2 features, binary:logistic (case 7) ------------------------------------------------
@pytest.fixture(scope="module")
def small_booster():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 8, size=(200, 2))
    y = (x[:, 0] > x[:, 1]).astype(float)
    return xgb.train({"objective": "binary:logistic", "max_depth": 2, "nthread": 1}, xgb.DMatrix(x, label=y), 5)


def _create_model(course, booster, name: str, version: str) -> str:
    from sagemaker import image_uris

    buffer = io.BytesIO()
    raw = booster.save_raw("ubj")
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(bytes(raw)))
    model_data = put(course, f"conformance/models/{name}/model.tar.gz", buffer.getvalue())
    course.sagemaker_client.create_model(
        ModelName=name, ExecutionRoleArn=course.role,
        PrimaryContainer={"Image": image_uris.retrieve("xgboost", course.region, version), "ModelDataUrl": model_data})
    return name


@pytest.fixture(scope="module")
def small_model(course, small_booster):
    return _create_model(course, small_booster, "small-logistic", models.XGBOOST_VERSION)


@pytest.fixture(scope="module")
def many_rows():
    """300 rows of 2 features as CSV, and the array they came from."""
    rng = np.random.default_rng(1)
    rows = np.round(rng.uniform(0, 8, size=(300, 2)), 3)
    text = "".join(f"{a},{b}\n" for a, b in rows.tolist()).encode()
    return rows, text


def out_uri(course, case: str) -> str:
    return f"s3://{course.bucket}/conformance/{case}/out"


# -- section 7 cases ------------------------------------------------------------------------------------------------
def test_case_04_s3prefix_with_no_objects_fails_at_create(course, small_model):
    with pytest.raises(ClientError) as raised:
        course.sagemaker_client.create_transform_job(**request(
            course, small_model, "case-04", f"s3://{course.bucket}/conformance/case04/nothing-here/",
            out_uri(course, "case04")))
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(
        f'No S3 objects found under S3 URL "s3://{course.bucket}/conformance/case04/nothing-here/"')
    assert "s3:ListBucket" in error["Message"]
    with pytest.raises(ClientError):  # the job was never created
        course.sagemaker_client.describe_transform_job(TransformJobName="case-04")


def test_case_05_s3prefix_is_a_plain_prefix_match(course, small_model):
    put(course, "conformance/case05/in/x.csv", ROWS)
    put(course, "conformance/case05/in_x/y.csv", ROWS)
    put(course, "conformance/case05/other/z.csv", ROWS)
    described = run(course, small_model, "case-05", f"s3://{course.bucket}/conformance/case05/in",
                    out_uri(course, "case05"))
    assert described["TransformJobStatus"] == "Completed"
    assert keys_under(course, "conformance/case05/out") == [
        "conformance/case05/out/in/x.csv.out", "conformance/case05/out/in_x/y.csv.out"]


def test_case_06_output_keys_are_input_name_plus_out_without_job_name(course, small_model):
    put(course, "conformance/case06/in/a.csv", ROWS)
    put(course, "conformance/case06/in/b.csv", ROWS)
    described = run(course, small_model, "case-06", f"s3://{course.bucket}/conformance/case06/in/",
                    f"s3://{course.bucket}/conformance/case06/out")
    assert described["TransformJobStatus"] == "Completed"
    assert keys_under(course, "conformance/case06/out") == [
        "conformance/case06/out/a.csv.out", "conformance/case06/out/b.csv.out"]


def test_case_06_nested_keys_keep_their_path_relative_to_the_prefix(course, small_model):
    put(course, "conformance/case06n/in/day1/a.csv", ROWS)
    described = run(course, small_model, "case-06n", f"s3://{course.bucket}/conformance/case06n/in/",
                    f"s3://{course.bucket}/conformance/case06n/out/")
    assert described["TransformJobStatus"] == "Completed"
    assert keys_under(course, "conformance/case06n/out") == ["conformance/case06n/out/day1/a.csv.out"]


def test_case_07_line_single_record_gives_one_float32_string_per_record(course, small_model, small_booster):
    uri = put(course, "conformance/case07/in/rows.csv", ROWS)
    described = run(course, small_model, "case-07", uri, out_uri(course, "case07"), BatchStrategy="SingleRecord",
                    TransformOutput={"AssembleWith": "None"})
    assert described["TransformJobStatus"] == "Completed"
    body = get(course, "conformance/case07/out/rows.csv.out")
    expected = expected_lines(small_booster, np.array([[1, 2], [6, 1]]))
    assert body == ("\n".join(expected) + "\n").encode()
    assert all(str(float(np.float32(p))) == p for p in expected)
    assert [b.records for b in trace("case-07").batches] == [1, 1]


@pytest.mark.parametrize("strategy,split", [("MultiRecord", "Line"), ("MultiRecord", "None"), ("SingleRecord", "None")])
def test_case_08_multi_record_and_split_none_are_byte_identical_to_case_07(course, small_model, strategy, split):
    name = f"case-08-{strategy.lower()}-{split.lower()}"
    uri = put(course, f"conformance/{name}/in/rows.csv", ROWS)
    described = run(course, small_model, name, uri, out_uri(course, name), split=split, BatchStrategy=strategy,
                    TransformOutput={"AssembleWith": "None"})
    assert described["TransformJobStatus"] == "Completed"
    reference = run(course, small_model, f"{name}-ref", uri, out_uri(course, name + "-ref"),
                    BatchStrategy="SingleRecord", TransformOutput={"AssembleWith": "None"})
    assert reference["TransformJobStatus"] == "Completed"
    assert get(course, f"conformance/{name}/out/rows.csv.out") == get(course, f"conformance/{name}-ref/out/rows.csv.out")
    assert len(trace(name).batches) == 1  # the whole object fits in one request


def test_case_10_json_content_type_is_a_415_and_fails_the_job(course, small_model):
    uri = put(course, "conformance/case10/in/rows.json", b'{"features":[1,2]}\n')
    described = run(course, small_model, "case-10", uri, out_uri(course, "case10"), content="application/json")
    assert described["TransformJobStatus"] == "Failed"
    assert described["FailureReason"] == "ClientError: See job logs for more information"
    assert keys_under(course, "conformance/case10/out") == []
    lines = log_lines(course, "case-10")
    assert any(line.endswith(f"[sagemaker logs]: {course.bucket}/conformance/case10/in/rows.json: "
                             "ClientError: 415") for line in lines)
    assert any(line.endswith("rows.json: Message:") for line in lines)
    assert any("application/json is not an accepted ContentType" in line for line in lines)


def test_case_11_accept_text_plain_is_406_on_1_7_1(course, small_model):
    uri = put(course, "conformance/case11/in/rows.csv", ROWS)
    described = run(course, small_model, "case-11", uri, out_uri(course, "case11"),
                    TransformOutput={"Accept": "text/plain"})
    assert described["TransformJobStatus"] == "Failed"
    reason = failure_text(course, "case-11", described)
    assert "406" in reason and "Accept type text/plain is not supported" in reason
    assert keys_under(course, "conformance/case11/out") == []


def test_case_11_accept_text_plain_is_accepted_by_1_0_1(course, small_booster):
    model = _create_model(course, small_booster, "small-logistic-1-0-1", "1.0-1")
    uri = put(course, "conformance/case11old/in/rows.csv", ROWS)
    described = run(course, model, "case-11-old", uri, out_uri(course, "case11old"),
                    TransformOutput={"Accept": "text/plain"})
    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    assert len(get(course, "conformance/case11old/out/rows.csv.out").splitlines()) == 2


def test_case_15_a_bad_object_gets_no_out_while_the_good_one_keeps_its_out(course, small_model):
    put(course, "conformance/case15/in/good.csv", ROWS)
    put(course, "conformance/case15/in/bad.csv", b"a,b\n1,2\n")
    described = run(course, small_model, "case-15", f"s3://{course.bucket}/conformance/case15/in/",
                    out_uri(course, "case15"), instances=2)
    assert described["TransformJobStatus"] == "Failed"
    assert keys_under(course, "conformance/case15/out") == ["conformance/case15/out/good.csv.out"]
    reason = failure_text(course, "case-15", described)
    assert f"{course.bucket}/conformance/case15/in/bad.csv: ClientError: 415" in reason
    assert "good.csv" not in reason
    assert "could not convert string to float" in reason
    assert described["TransformEndTime"] >= described["TransformStartTime"]


def test_case_16_a_record_larger_than_max_payload_fails_its_object(course, small_model):
    huge = ("1," * (600 * 1024) + "2\n").encode()  # one line of 1.2 MB
    put(course, "conformance/case16/in/huge.csv", ROWS + huge + ROWS)
    put(course, "conformance/case16/in/small.csv", ROWS)
    described = run(course, small_model, "case-16", f"s3://{course.bucket}/conformance/case16/in/",
                    out_uri(course, "case16"), MaxPayloadInMB=1)
    assert described["TransformJobStatus"] == "Failed"
    reason = failure_text(course, "case-16", described)
    assert "huge.csv" in reason and "Record is larger than 1MB" in reason
    assert keys_under(course, "conformance/case16/out") == ["conformance/case16/out/small.csv.out"]
    assert any("huge.csv: Record is larger than 1MB" in line for line in log_lines(course, "case-16"))


def test_case_16_single_record_fails_the_same_way(course, small_model):
    huge = ("1," * (600 * 1024) + "2\n").encode()
    uri = put(course, "conformance/case16s/in/huge.csv", ROWS + huge)
    described = run(course, small_model, "case-16s", uri, out_uri(course, "case16s"), MaxPayloadInMB=1,
                    BatchStrategy="SingleRecord")
    assert described["TransformJobStatus"] == "Failed"
    assert "Record is larger than 1MB" in failure_text(course, "case-16s", described)
    assert keys_under(course, "conformance/case16s/out") == []


def test_case_17_csv_filters_and_join_through_a_job(course, small_model, small_booster):
    uri = put(course, "conformance/case17/in/ids.csv", b"id1,1,2\nid2,6,1\n")
    described = run(course, small_model, "case-17", uri, out_uri(course, "case17"),
                    DataProcessing={"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"},
                    TransformOutput={"Accept": "text/csv", "AssembleWith": "Line"})
    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    p1, p2 = expected_lines(small_booster, np.array([[1, 2], [6, 1]]))  # the container got `1,2` and `6,1`
    assert get(course, "conformance/case17/out/ids.csv.out") == f"id1,{p1}\nid2,{p2}\n".encode()
    assert described["DataProcessing"] == {"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"}


def test_case_18_csv_join_appends_the_result_to_the_input_row(course, small_model, small_booster):
    uri = put(course, "conformance/case18/in/rows.csv", ROWS)
    described = run(course, small_model, "case-18", uri, out_uri(course, "case18"), BatchStrategy="MultiRecord",
                    DataProcessing={"JoinSource": "Input"},
                    TransformOutput={"Accept": "text/csv", "AssembleWith": "Line"})
    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    p1, p2 = expected_lines(small_booster, np.array([[1, 2], [6, 1]]))
    assert get(course, "conformance/case18/out/rows.csv.out") == f"1,2,{p1}\n6,1,{p2}\n".encode()


def test_case_19_20_json_lines_output_join_through_a_job(course, small_model, small_booster):
    """CSV rows in, JSON Lines out: a CSV row is not a key-value object, so it goes under SageMakerInput (case 20)."""
    uri = put(course, "conformance/case19/in/rows.csv", ROWS)
    described = run(course, small_model, "case-19", uri, out_uri(course, "case19"),
                    DataProcessing={"JoinSource": "Input"},
                    TransformOutput={"Accept": "application/jsonlines", "AssembleWith": "Line"})
    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    lines = get(course, "conformance/case19/out/rows.csv.out").decode().splitlines()
    expected = expected_lines(small_booster, np.array([[1, 2], [6, 1]]))
    joined = [json.loads(line) for line in lines]
    assert [sorted(j) for j in joined] == [["SageMakerInput", "SageMakerOutput"]] * 2
    assert [[str(v) for v in j["SageMakerInput"]] for j in joined] == [["1", "2"], ["6", "1"]]
    assert [j["SageMakerOutput"] for j in joined] == [float(p) for p in expected]


def test_case_21_json_input_filter_sends_the_selection_to_the_container(course, small_model):
    """The container gets `[1,2]` as application/jsonlines; the built-in XGBoost reads no JSON, so it answers 415."""
    uri = put(course, "conformance/case21/in/rows.jsonl", b'{"id":7,"features":[1,2]}\n')
    described = run(course, small_model, "case-21", uri, out_uri(course, "case21"), content="application/jsonlines",
                    DataProcessing={"InputFilter": "$.features", "JoinSource": "Input",
                                    "OutputFilter": "$['id','SageMakerOutput']"},
                    TransformOutput={"Accept": "application/jsonlines", "AssembleWith": "Line"})
    assert described["TransformJobStatus"] == "Failed"
    reason = failure_text(course, "case-21", described)
    assert "ClientError: 415" in reason
    assert "application/jsonlines is not an accepted ContentType" in reason
    assert keys_under(course, "conformance/case21/out") == []


def test_data_processing_refuses_csv_without_line_splitting(course, small_model):
    uri = put(course, "conformance/dpcheck/in/rows.csv", ROWS)
    described = run(course, small_model, "dp-check", uri, out_uri(course, "dpcheck"), split="None",
                    DataProcessing={"JoinSource": "Input"}, TransformOutput={"Accept": "text/csv", "AssembleWith": "Line"})
    assert described["TransformJobStatus"] == "Failed"
    assert "SplitType" in described["FailureReason"] and "'Line'" in described["FailureReason"]


def test_case_23_no_batch_parameters_in_the_request_leaves_them_out_of_the_environment(course, small_model):
    uri = put(course, "conformance/case23/in/rows.csv", ROWS)
    described = run(course, small_model, "case-23", uri, out_uri(course, "case23"))
    assert described["TransformJobStatus"] == "Completed"
    env = trace("case-23").environment
    assert env["SAGEMAKER_BATCH"] == "true"
    assert not {"SAGEMAKER_MAX_PAYLOAD_IN_MB", "SAGEMAKER_BATCH_STRATEGY", "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS"} & set(env)


def test_case_24_single_record_sets_the_batch_strategy_variable(course, small_model):
    uri = put(course, "conformance/case24/in/rows.csv", ROWS)
    described = run(course, small_model, "case-24", uri, out_uri(course, "case24"), BatchStrategy="SingleRecord",
                    MaxPayloadInMB=3, MaxConcurrentTransforms=2, Environment={"MY_SETTING": "x"})
    assert described["TransformJobStatus"] == "Completed"
    env = trace("case-24").environment
    assert env["SAGEMAKER_BATCH_STRATEGY"] == "SINGLE_RECORD"
    assert env["SAGEMAKER_MAX_PAYLOAD_IN_MB"] == "3" and env["SAGEMAKER_MAX_CONCURRENT_TRANSFORMS"] == "2"
    assert env["MY_SETTING"] == "x"


def test_case_25_request_beats_execution_parameters_which_beat_defaults(course, small_model, monkeypatch):
    # the container on an ml.m4.xlarge reports its 4 vCPUs as MaxConcurrentTransforms (one worker per CPU)
    uri = put(course, "conformance/case25/in/rows.csv", ROWS)
    described = run(course, small_model, "case-25", uri, out_uri(course, "case25"), MaxPayloadInMB=2)
    assert described["TransformJobStatus"] == "Completed"
    t = trace("case-25")
    assert (t.max_concurrent_transforms, t.batch_strategy, t.max_payload_mb) == (4, "MultiRecord", 2)
    first = log_lines(course, "case-25")[0]
    assert first.endswith("[sagemaker logs]: MaxConcurrentTransforms=4, MaxPayloadInMB=2, BatchStrategy=MULTI_RECORD")


def test_case_26_stop_goes_stopping_then_stopped_and_leaves_no_output(course, small_model, many_rows):
    _, text = many_rows
    for n in range(4):
        put(course, f"conformance/case26/in/part{n}.csv", text * 20)  # 6,000 single-record requests each
    aws = helpers.offline.current()
    aws.quick_finish_seconds = 0
    client = course.sagemaker_client
    try:
        client.create_transform_job(**request(course, small_model, "case-26", f"s3://{course.bucket}/conformance/case26/in/",
                                              out_uri(course, "case26"), BatchStrategy="SingleRecord"))
    finally:
        aws.quick_finish_seconds = QUICK_FINISH_SECONDS
    assert client.describe_transform_job(TransformJobName="case-26")["TransformJobStatus"] == "InProgress"
    client.stop_transform_job(TransformJobName="case-26")
    assert client.describe_transform_job(TransformJobName="case-26")["TransformJobStatus"] in ("Stopping", "Stopped")
    client.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName="case-26",
                                                                 WaiterConfig={"Delay": 1, "MaxAttempts": 600})
    described = client.describe_transform_job(TransformJobName="case-26")
    assert described["TransformJobStatus"] == "Stopped"
    assert "FailureReason" not in described
    assert keys_under(course, "conformance/case26/out") == []
    with pytest.raises(ClientError):  # only an InProgress job can be stopped
        client.stop_transform_job(TransformJobName="case-26")


# -- the other CreateTransformJob options ------------------------------------------------------------------------------
def test_manifest_file_lists_the_objects_and_outputs_are_relative_to_its_prefix(course, small_model):
    put(course, "conformance/manifest/data/a.csv", ROWS)
    put(course, "conformance/manifest/data/sub/b.csv", ROWS)
    put(course, "conformance/manifest/data/ignored.csv", b"not,numbers\n")
    manifest = [{"prefix": f"s3://{course.bucket}/conformance/manifest/data/"}, "a.csv", "sub/b.csv"]
    uri = put(course, "conformance/manifest/list.manifest", json.dumps(manifest).encode())
    described = run(course, small_model, "manifest", uri, out_uri(course, "manifest"), data_type="ManifestFile")
    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    assert keys_under(course, "conformance/manifest/out") == [
        "conformance/manifest/out/a.csv.out", "conformance/manifest/out/sub/b.csv.out"]


def test_manifest_naming_a_missing_object_is_refused_at_create(course, small_model):
    manifest = [{"prefix": f"s3://{course.bucket}/conformance/manifest2/"}, "missing.csv"]
    uri = put(course, "conformance/manifest2/list.manifest", json.dumps(manifest).encode())
    with pytest.raises(ClientError, match="missing.csv"):
        course.sagemaker_client.create_transform_job(**request(course, small_model, "manifest-missing", uri,
                                                               out_uri(course, "manifest2"), data_type="ManifestFile"))


def test_gzip_objects_are_decompressed_and_written_uncompressed(course, small_model, many_rows, small_booster):
    rows, text = many_rows
    uri = put(course, "conformance/gzip/in/rows.csv.gz", gzip.compress(text))
    described = run(course, small_model, "gzip", uri, out_uri(course, "gzip"), TransformInput={"CompressionType": "Gzip"})
    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    assert get(course, "conformance/gzip/out/rows.csv.gz.out").decode().splitlines() == expected_lines(small_booster, rows)


def _recordio_protobuf(rows: np.ndarray) -> bytes:
    from sagemaker.amazon.common import write_numpy_to_dense_tensor

    buffer = io.BytesIO()
    write_numpy_to_dense_tensor(buffer, rows.astype(np.float32))
    return buffer.getvalue()


@pytest.mark.parametrize("strategy", ["SingleRecord", "MultiRecord"])
def test_recordio_split_sends_whole_frames(course, small_model, many_rows, small_booster, strategy):
    rows, _ = many_rows
    name = f"recordio-{strategy.lower()}"
    uri = put(course, f"conformance/{name}/in/rows.rec", _recordio_protobuf(rows[:40]))
    described = run(course, small_model, name, uri, out_uri(course, name), split="RecordIO",
                    content="application/x-recordio-protobuf", BatchStrategy=strategy)
    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    body = get(course, f"conformance/{name}/out/rows.rec.out")
    assert body.decode().splitlines() == expected_lines(small_booster, rows[:40])
    counts = [b.records for b in trace(name).batches]
    assert counts == ([1] * 40 if strategy == "SingleRecord" else [40])


def test_recordio_split_on_data_that_is_not_recordio_fails_its_object(course, small_model):
    uri = put(course, "conformance/notrecordio/in/rows.csv", ROWS)
    described = run(course, small_model, "not-recordio", uri, out_uri(course, "notrecordio"), split="RecordIO")
    assert described["TransformJobStatus"] == "Failed"
    reason = failure_text(course, "not-recordio", described)
    assert "rows.csv" in reason and "RecordIO" in reason


def test_tfrecord_split_is_refused_clearly(course, small_model):
    uri = put(course, "conformance/tfrecord/in/rows.csv", ROWS)
    described = run(course, small_model, "tfrecord", uri, out_uri(course, "tfrecord"), split="TFRecord")
    assert described["TransformJobStatus"] == "Failed"
    assert "TFRecord" in described["FailureReason"] and "SplitType Line" in described["FailureReason"]
    assert keys_under(course, "conformance/tfrecord/out") == []


def test_mini_batches_fill_max_payload_and_never_span_objects(course, small_model, many_rows, small_booster):
    rows, text = many_rows
    body = text * 400  # 120,000 lines, about 2.2 MB: three 1 MB mini-batches
    put(course, "conformance/batching/in/a.csv", body)
    put(course, "conformance/batching/in/b.csv", ROWS)
    described = run(course, small_model, "batching", f"s3://{course.bucket}/conformance/batching/in/",
                    out_uri(course, "batching"), MaxPayloadInMB=1, BatchStrategy="MultiRecord")
    assert described["TransformJobStatus"] == "Completed"
    batches = trace("batching").batches
    by_object = {key: [b for b in batches if b.object_key == key] for key in {b.object_key for b in batches}}
    a, b = by_object["conformance/batching/in/a.csv"], by_object["conformance/batching/in/b.csv"]
    assert len(a) >= 2 and all(x.bytes <= 1024 * 1024 for x in a)
    assert all(x.bytes > 1024 * 1024 - 64 for x in a[:-1])  # full batches: as many whole lines as fit
    assert sum(x.bytes for x in a) == len(body) and sum(x.records for x in a) == 600 * 200
    assert [(x.records, x.bytes) for x in b] == [(2, len(ROWS))]  # b's rows did not join a's last batch
    out = get(course, "conformance/batching/out/a.csv.out").decode().splitlines()
    assert out == expected_lines(small_booster, rows) * 400


def test_more_instances_than_objects_leaves_instances_idle(course, small_model):
    uri = put(course, "conformance/idle/in/only.csv", ROWS)
    described = run(course, small_model, "idle", uri, out_uri(course, "idle"), instances=3)
    assert described["TransformJobStatus"] == "Completed"
    t = trace("idle")
    assert t.assignment == {"conformance/idle/in/only.csv": 0}
    assert {b.instance for b in t.batches} == {0}
    names = stream_names(course, "idle")
    # every instance's container starts; only the busy one's agent writes a data-log
    assert len([n for n in names if not n.endswith("/data-log")]) == 3
    assert len([n for n in names if n.endswith("/data-log")]) == 1
    texts = [" ".join(log_lines(course, "idle", n.split("/", 1)[1])) for n in names if not n.endswith("/data-log")]
    assert all("Booting worker with pid" in text for text in texts)
    assert sum("POST /invocations" in text for text in texts) == 1


def test_objects_are_assigned_deterministically_sorted_keys_balanced_by_size(course, small_model, many_rows):
    _, text = many_rows
    sizes = {"d.csv": 4, "a.csv": 10, "c.csv": 1, "b.csv": 3}  # in hundreds of rows
    for key, hundreds in sizes.items():
        put(course, f"conformance/assign/in/{key}", b"".join(text.splitlines(keepends=True)[:100]) * hundreds)
    assignments = []
    for attempt in range(2):
        name = f"assign-{attempt}"
        described = run(course, small_model, name, f"s3://{course.bucket}/conformance/assign/in/",
                        out_uri(course, name), instances=2)
        assert described["TransformJobStatus"] == "Completed"
        assignments.append({k.rsplit("/", 1)[1]: v for k, v in trace(name).assignment.items()})
    # sorted keys a, b, c, d; each goes to the instance with the fewest bytes so far: a->0, b->1, c->1, d->1
    assert assignments[0] == assignments[1] == {"a.csv": 0, "b.csv": 1, "c.csv": 1, "d.csv": 1}
    assert {b.instance for b in trace("assign-0").batches} == {0, 1}


def test_output_order_is_input_order_with_concurrent_requests(course, small_model, many_rows, small_booster):
    rows, text = many_rows
    uri = put(course, "conformance/order/in/rows.csv", text)
    described = run(course, small_model, "order", uri, out_uri(course, "order"), BatchStrategy="SingleRecord",
                    MaxConcurrentTransforms=4)
    assert described["TransformJobStatus"] == "Completed"
    assert get(course, "conformance/order/out/rows.csv.out").decode().splitlines() == expected_lines(small_booster, rows)
    assert trace("order").max_concurrent_transforms == 4 and len(trace("order").batches) == 300


@pytest.mark.parametrize("split", ["Line", "None"])
def test_assemble_with_line_adds_no_second_newline_and_none_concatenates(course, small_model, split):
    """XGBoost's batch responses already end in a newline, so Line and None give the same bytes and no blank line."""
    uri = put(course, f"conformance/assemble-{split}/in/rows.csv", ROWS)
    outputs = []
    for assemble in ("None", "Line"):
        name = f"assemble-{split.lower()}-{assemble.lower()}"
        described = run(course, small_model, name, uri, out_uri(course, name), split=split,
                        BatchStrategy="SingleRecord", TransformOutput={"AssembleWith": assemble})
        assert described["TransformJobStatus"] == "Completed"
        outputs.append(get(course, f"conformance/{name}/out/rows.csv.out"))
    assert outputs[0] == outputs[1]
    assert b"\n\n" not in outputs[1] and outputs[1].count(b"\n") == 2


def test_accept_json_still_gets_one_line_per_record_in_batch_mode(course, small_model, small_booster):
    uri = put(course, "conformance/accept/in/rows.csv", ROWS)
    described = run(course, small_model, "accept-json", uri, out_uri(course, "accept"),
                    TransformOutput={"Accept": "application/json"})
    assert described["TransformJobStatus"] == "Completed"
    assert described["TransformOutput"]["Accept"] == "application/json"
    expected = expected_lines(small_booster, np.array([[1, 2], [6, 1]]))
    assert get(course, "conformance/accept/out/rows.csv.out").decode().splitlines() == expected


def test_data_log_shows_the_parameters_then_each_failed_object(course, small_model):
    put(course, "conformance/datalog/in/1-good.csv", ROWS)
    put(course, "conformance/datalog/in/2-bad.csv", b"x,y\n")
    put(course, "conformance/datalog/in/3-bad.csv", b"1,2\n3,4,5\n")
    described = run(course, small_model, "data-log", f"s3://{course.bucket}/conformance/datalog/in/",
                    out_uri(course, "datalog"), MaxConcurrentTransforms=2, MaxPayloadInMB=4, BatchStrategy="MultiRecord")
    assert described["TransformJobStatus"] == "Failed"
    assert described["FailureReason"] == "ClientError: See job logs for more information"
    lines = log_lines(course, "data-log")
    stamp = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}:\[sagemaker logs\]: "
    assert re.fullmatch(stamp + "MaxConcurrentTransforms=2, MaxPayloadInMB=4, BatchStrategy=MULTI_RECORD", lines[0])
    for bad in ("2-bad.csv", "3-bad.csv"):
        label = f"{course.bucket}/conformance/datalog/in/{bad}"
        assert any(re.fullmatch(stamp + re.escape(f"{label}: ClientError: 415"), line)
                   for line in lines)
        assert any(line.endswith(f"{label}: Message:") for line in lines)
    assert not any("1-good.csv" in line for line in lines)


def test_each_instance_has_its_own_log_stream_named_as_on_sagemaker(course, small_model):
    put(course, "conformance/streams/in/a.csv", ROWS)
    put(course, "conformance/streams/in/b.csv", ROWS)
    described = run(course, small_model, "streams", f"s3://{course.bucket}/conformance/streams/in/",
                    out_uri(course, "streams"), instances=2)
    assert described["TransformJobStatus"] == "Completed"
    names = stream_names(course, "streams")
    # per instance: `<job>/<instance-id>-<epoch>` and `<job>/<instance-id>-<epoch>/data-log` (Developer Guide, log
    # table; tests/reference/aws/transform-1.0-1-sdk2-2024-wait.txt)
    assert len(names) == 4
    containers = [n for n in names if re.fullmatch(r"streams/i-[0-9a-f]{17}-\d{10}", n)]
    assert len(containers) == 2 and sorted(names) == sorted(containers + [n + "/data-log" for n in containers])
    for n in containers:
        lines = log_lines(course, "streams", n.split("/", 1)[1])
        assert any("Starting gunicorn" in line for line in lines)
        assert not any("Starting the built-in XGBoost inference server" in line for line in lines)
        data_log = log_lines(course, "streams", n.split("/", 1)[1] + "/data-log")
        assert data_log[0].endswith("[sagemaker logs]: MaxConcurrentTransforms=4, MaxPayloadInMB=6, "
                                    "BatchStrategy=MULTI_RECORD")


def test_describe_returns_the_request_and_the_run_times(course, small_model):
    uri = put(course, "conformance/describe/in/rows.csv", ROWS)
    described = run(course, small_model, "describe", uri, out_uri(course, "describe"), BatchStrategy="MultiRecord",
                    MaxPayloadInMB=2, MaxConcurrentTransforms=3, Environment={"K": "v"},
                    DataProcessing={"InputFilter": "$", "JoinSource": "None", "OutputFilter": "$"},
                    TransformOutput={"Accept": "text/csv", "AssembleWith": "Line"},
                    TransformInput={"CompressionType": "None"})
    assert described["TransformJobStatus"] == "Completed"
    assert described["TransformJobArn"].endswith(":transform-job/describe")
    assert described["ModelName"] == small_model
    assert (described["BatchStrategy"], described["MaxPayloadInMB"], described["MaxConcurrentTransforms"]) == \
        ("MultiRecord", 2, 3)
    assert described["Environment"] == {"K": "v"}
    assert described["DataProcessing"] == {"InputFilter": "$", "JoinSource": "None", "OutputFilter": "$"}
    assert described["TransformOutput"] == {"S3OutputPath": out_uri(course, "describe"), "Accept": "text/csv",
                                            "AssembleWith": "Line", "KmsKeyId": ""}
    assert described["TransformInput"]["SplitType"] == "Line"
    assert described["TransformResources"] == {"InstanceType": "ml.m4.xlarge", "InstanceCount": 1}
    assert described["CreationTime"] <= described["TransformStartTime"] <= described["TransformEndTime"]
    for absent in ("FailureReason", "LabelingJobArn", "AutoMLJobArn"):
        assert absent not in described


def test_describe_leaves_out_what_the_request_left_out(course, small_model):
    uri = put(course, "conformance/describe2/in/rows.csv", ROWS)
    described = run(course, small_model, "describe-min", uri, out_uri(course, "describe2"))
    assert described["TransformJobStatus"] == "Completed"
    for absent in ("BatchStrategy", "MaxPayloadInMB", "MaxConcurrentTransforms", "FailureReason"):
        assert absent not in described, absent
    # filled in by the service (tests/reference/aws/describe-transform-job-devguide.json, a Developer Guide response)
    assert described["TransformInput"]["CompressionType"] == "None"
    assert described["TransformOutput"]["KmsKeyId"] == ""
    assert described["DataProcessing"] == {"InputFilter": "$", "OutputFilter": "$", "JoinSource": "None"}


def test_duplicate_job_name_is_resource_in_use(course, small_model):
    uri = put(course, "conformance/dup/in/rows.csv", ROWS)
    assert run(course, small_model, "dup", uri, out_uri(course, "dup"))["TransformJobStatus"] == "Completed"
    with pytest.raises(ClientError) as raised:
        course.sagemaker_client.create_transform_job(**request(course, small_model, "dup", uri, out_uri(course, "dup")))
    assert raised.value.response["Error"]["Code"] == "ResourceInUse"
    assert "transform-job/dup" in raised.value.response["Error"]["Message"]


def test_unknown_model_is_refused_at_create(course):
    uri = put(course, "conformance/nomodel/in/rows.csv", ROWS)
    with pytest.raises(ClientError) as raised:
        course.sagemaker_client.create_transform_job(**request(course, "no-such-model", "no-model", uri,
                                                               out_uri(course, "nomodel")))
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "no-such-model" in raised.value.response["Error"]["Message"]


def test_sdk_transformer_runs_two_instances_over_two_objects(course, small_model, many_rows, small_booster):
    from sagemaker.transformer import Transformer

    rows, text = many_rows
    put(course, "conformance/sdk/in/a.csv", text)
    put(course, "conformance/sdk/in/b.csv", text)
    transformer = Transformer(small_model, instance_count=2, instance_type="ml.m4.xlarge", strategy="MultiRecord",
                              assemble_with="Line", output_path=out_uri(course, "sdk"),
                              sagemaker_session=course.session)
    transformer.transform(f"s3://{course.bucket}/conformance/sdk/in/", content_type="text/csv", split_type="Line",
                          job_name="sdk-two", logs=False)
    assert sorted(trace("sdk-two").assignment.values()) == [0, 1]
    for key in ("a.csv", "b.csv"):
        assert get(course, f"conformance/sdk/out/{key}.out").decode().splitlines() == expected_lines(small_booster, rows)


def test_an_instance_that_dies_fails_the_job_instead_of_hanging(course, small_model, many_rows):
    import multiprocessing
    import os
    import signal
    import time

    _, text = many_rows
    uri = put(course, "conformance/crash/in/rows.csv", text * 40)  # 12,000 single-record requests
    aws = helpers.offline.current()
    aws.quick_finish_seconds = 0
    try:
        course.sagemaker_client.create_transform_job(**request(course, small_model, "crash", uri, out_uri(course, "crash"),
                                                               BatchStrategy="SingleRecord"))
    finally:
        aws.quick_finish_seconds = QUICK_FINISH_SECONDS
    deadline = time.time() + 30
    agent = None
    while agent is None and time.time() < deadline:
        agent = next((p for p in multiprocessing.active_children() if p.name == "crash-instance-0"), None)
        time.sleep(0.01)
    assert agent is not None
    while not trace("crash").batches and time.time() < deadline:  # it is working
        time.sleep(0.01)
    os.kill(agent.pid, signal.SIGKILL)
    described = None
    while time.time() < deadline:
        described = course.sagemaker_client.describe_transform_job(TransformJobName="crash")
        if described["TransformJobStatus"] != "InProgress":
            break
        time.sleep(0.05)
    assert described["TransformJobStatus"] == "Failed"
    # the runtime's limit (this machine), never the service's fault (issue 12)
    assert described["FailureReason"].startswith("OfflineRuntimeError: the offline runtime's process crash-instance-0 "
                                                 "was killed by SIGKILL, most often because this machine ran out of memory")
    assert keys_under(course, "conformance/crash/out") == []
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("crash-")]


def test_container_reports_the_instance_types_cpus_not_this_machines():
    from sagemaker_offline.instance_types import vcpus

    assert [vcpus(t) for t in ("ml.m4.xlarge", "ml.m5.large", "ml.c5.9xlarge", "ml.m4.16xlarge", "ml.t2.medium")] == \
        [4, 2, 36, 64, 2]
    assert vcpus("not-an-instance") is None
