"""What the SDK prints for offline jobs, compared line kind by line kind (timestamps, ids, pids and sizes masked) with
real AWS transcripts in tests/reference/aws/ (each test names its reference file). Where the kit differs from a
reference on purpose, the test says so and why (docs/offline-runtime.md, "Where it differs")."""
from __future__ import annotations

import re

import pytest

from helpers.course import data, models
from tests.conftest import features_csv
from tests.reference.line_kinds import collapsed, line_kinds, logical_lines, masked, read_corpus

REFERENCE = "tests/reference/aws/"
# Lines the 1.2-2+ images print when a worker first loads the model (serve_utils.py / serve.py); the newest public
# transform transcript is of image 1.0-1, which predates them, so they are left out before comparing.
FROM_SOURCE_ONLY = ("Loading the model from ", "Model objective : ")


def put(course, key: str, body: bytes) -> str:
    course.s3_client.put_object(Bucket=course.bucket, Key=key, Body=body)
    return f"s3://{course.bucket}/{key}"


def printed(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def kinds(lines: list[str]) -> list[str]:
    return collapsed(line_kinds([line for line in lines if not any(text in line for text in FROM_SOURCE_ONLY)]))


def reference_kinds(name: str) -> list[str]:
    """The reference's collapsed kinds, without the SDK's "Creating ... with name" lines: those go to the logging
    module (stderr), which the tests do not capture."""
    header, _ = read_corpus(REFERENCE + name)
    return [kind for kind in header["kinds"] if not kind.startswith("sdk:creating-")]


@pytest.fixture(scope="module")
def transformer_for(course, model_data):
    from sagemaker.model import Model

    def make(instances: int, output: str):
        model = Model(image_uri=models.image_uri(course), model_data=model_data, role=course.role,
                      sagemaker_session=course.session)
        return model.transformer(instance_count=instances, instance_type="ml.m4.xlarge",
                                 output_path=f"s3://{course.bucket}/{output}")

    return make


def request_block(ref: list[str]) -> list[str]:
    """One instance's requests in the reference: no-gpus, GET /ping, GET /execution-parameters, delimiter, POST."""
    start = ref.index("nginx:GET /ping 200") - 1
    return ref[start:start + 5]


def test_one_instance_transform_prints_what_aws_prints(course, course_data, transformer_for, capsys):
    """Reference: transform-1.0-1-sdk2-2024-transform.txt (SDK v2 transform(), waits and tails the logs)."""
    ref = reference_kinds("transform-1.0-1-sdk2-2024-transform.txt")
    # The request block (GET /ping ... POST /invocations) is printed twice: the SDK found the container's stream
    # alone first (start-up lines printed once), then both streams, and lists the first one twice from then on.
    block = request_block(ref)
    assert ref[ref.index(block[-1]) + 1:][:5] == block
    expected = ref
    uri = put(course, "transcripts/one/in/test.csv", features_csv(course_data.test))
    capsys.readouterr()
    transformer_for(1, "transcripts/one/out").transform(uri, content_type="text/csv", split_type="Line")
    lines = printed(capsys)
    assert kinds(lines) == expected
    assert sum("Booting worker with pid" in line for line in lines) == 4  # ml.m4.xlarge: 4 vCPUs, one worker each
    access = [masked(line) for line in logical_lines(lines) if "HTTP/1.1" in line]
    assert access[0] == '<ip> - - [<ts>] "GET /ping HTTP/<n>" <n> <n> "-" "Go-http-client/<n>"'


def test_wait_after_the_job_ended_prints_the_container_stream_twice(course, course_data, transformer_for, capsys):
    """Reference: transform-1.0-1-sdk2-2024-wait.txt (transformer.wait() after transform(): the SDK lists the main
    stream twice, so it prints it twice, grouped by event timestamp, then the data-log once)."""
    ref = reference_kinds("transform-1.0-1-sdk2-2024-wait.txt")
    uri = put(course, "transcripts/wait/in/test.csv", features_csv(course_data.test))
    transformer = transformer_for(1, "transcripts/wait/out")
    transformer.transform(uri, content_type="text/csv", split_type="Line")
    capsys.readouterr()
    transformer.wait()
    got = kinds(printed(capsys))
    assert got[-1] == ref[-1] == "datalog:execution-parameters"
    assert got.count("datalog:execution-parameters") == 1
    for kind in ("gunicorn:starting", "gunicorn:using-worker", "nginx:GET /ping 200", "nginx:POST /invocations 200"):
        assert got.count(kind) == 2, kind  # printed twice, as in the reference
    assert ref.count("gunicorn:starting") == 2


def test_two_instance_transform_prints_each_instance_then_the_data_logs(course, course_data, transformer_for, capsys):
    """Reference: the one-instance transcript's kinds for each instance (transform-1.0-1-sdk2-2024-transform.txt);
    no public transcript of a multi-instance transform exists, so the rest follows the SDK's source: session.py
    _flush_log_streams first finds the two container streams (start-up lines, once each), then lists
    [i1, i1/data-log, i1, i1/data-log, i2, i2/data-log], so the first instance's lines are printed twice."""
    ref = reference_kinds("transform-1.0-1-sdk2-2024-transform.txt")
    body = features_csv(course_data.test)
    put(course, "transcripts/two/in/a.csv", body)
    put(course, "transcripts/two/in/b.csv", body)
    capsys.readouterr()
    transformer_for(2, "transcripts/two/out").transform(f"s3://{course.bucket}/transcripts/two/in/",
                                                       content_type="text/csv", split_type="Line")
    got = kinds(printed(capsys))
    start_up = ref[ref.index("container:no-gpus x 2"):ref.index("gunicorn:booting-worker x 4") + 1]
    block = request_block(ref)
    assert got == ["sdk:dots"] + start_up + start_up + block * 3 + ["datalog:execution-parameters x 3", "sdk:blank"]


def test_failed_transform_says_see_the_logs_and_the_data_log_names_the_object(course, course_data, transformer_for,
                                                                               capsys):
    """References: datalog-failure-issue898-2019.txt (the data-log lines of a rejected object) and
    sdk-failed-transform-issue586-2020.txt (the SDK's exception); failure-reasons.json for the FailureReason."""
    from sagemaker.exceptions import UnexpectedStatusException

    data_log_ref = [k for k in reference_kinds("datalog-failure-issue898-2019.txt")]
    uri = put(course, "transcripts/fail/in/test.csv", course_data.test[data.FEATURES].to_csv(index=False).encode())
    capsys.readouterr()
    with pytest.raises(UnexpectedStatusException) as raised:
        transformer_for(1, "transcripts/fail/out").transform(uri, content_type="text/csv", split_type="Line")
    message = str(raised.value)
    assert re.fullmatch(r"Error for Transform job \S+: Failed\. Reason: ClientError: See job logs for more information\. "
                        r"Check troubleshooting guide for common errors: \S+", message)
    assert ".. Check" not in message  # no double full stop before the SDK's suffix
    lines = printed(capsys)
    got = kinds(lines)
    def body_lines_as_one(kinds_):  # the response body has as many lines as the container's message
        return [re.sub(r"^(datalog:message-text) x \d+$", r"\1", k) for k in kinds_ if k.startswith("datalog:")]

    assert body_lines_as_one(got) == body_lines_as_one(data_log_ref)
    assert "nginx:POST /invocations 415" in got
    assert "container:error" in got  # the container's own error output, before the data-log names the object
    named = [line for line in lines if "[sagemaker logs]" in line and "test.csv: ClientError: 415" in line]
    assert named and f"{course.bucket}/transcripts/fail/in/test.csv" in named[0]


def test_training_prints_what_aws_prints(course, course_data, capsys):
    """Reference: training-1.7-1-sdk2-2025.txt (SDK v2 fit(), image 1.7-1, one train channel). The kit runs no
    SageMaker Debugger, so the reference's smdebug lines (and its "Debug hook created from config") are left out;
    metric names depend on the objective, so metric lines compare as one kind."""
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput

    def normal(kinds_: list[str]) -> list[str]:
        out = []
        for kind in kinds_:
            if kind.startswith("smdebug:") or kind == "container:debug-hook":
                continue
            kind = "metric" if kind.startswith("metric:") else kind
            if not out or out[-1] != kind:
                out.append(kind)
        return out

    ref = normal(reference_kinds("training-1.7-1-sdk2-2025.txt"))
    estimator = Estimator(models.image_uri(course), course.role, instance_count=1, instance_type="ml.m5.large",
                          output_path=course.s3_uri("transcripts-fit"), sagemaker_session=course.session)
    estimator.set_hyperparameters(num_round=5, max_depth=2, objective="reg:squarederror")
    capsys.readouterr()
    estimator.fit({"train": TrainingInput(course_data.train_uri, content_type="text/csv")})
    got = normal(kinds(printed(capsys)))
    assert got == ref
