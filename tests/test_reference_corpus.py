"""The reference corpus (tests/reference/aws/: excerpts of real AWS runs) and the line classifier the transcript
comparisons use: every corpus line has a known kind, and each file's kinds come in the order its header documents."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reference.line_kinds import (
    collapsed, line_kind, line_kinds, logical_lines, masked, read_corpus, stream_index,
)

CORPUS = Path(__file__).parent / "reference" / "aws"
TRANSCRIPTS = sorted(CORPUS.glob("*.txt"))
RESPONSES = sorted(CORPUS.glob("*.json"))


def test_the_corpus_is_there():
    assert len(TRANSCRIPTS) >= 6
    names = {p.name for p in TRANSCRIPTS}
    assert any(n.startswith("transform-") for n in names)
    assert any(n.startswith("training-") for n in names)


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.name)
def test_every_file_says_where_it_comes_from(path):
    header, body = read_corpus(path)
    for key in ("source", "ran", "shows", "kinds"):
        assert header.get(key), f"{path.name}: header has no {key!r}"
    assert body, f"{path.name}: no excerpt"


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.name)
def test_every_corpus_line_has_a_known_kind(path):
    _, body = read_corpus(path)
    unknown = [line for line, kind in zip(logical_lines(body), line_kinds(body)) if kind == "unknown"]
    assert unknown == []


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.name)
def test_kinds_come_in_the_documented_order(path):
    header, body = read_corpus(path)
    assert collapsed(line_kinds(body)) == header["kinds"]


@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.name)
def test_responses_are_json_with_their_source(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["source"] and doc["shows"]
    assert doc["response"]


def test_an_unknown_line_is_reported_as_unknown():
    assert line_kind("hello world") == "unknown"
    assert "unknown" in line_kinds(["[0]#011train-rmse:1.0", "something the container never prints"])


def test_masking_removes_what_differs_between_runs():
    assert masked("[2024-11-10 14:22:55 +0000] [25] [INFO] Booting worker with pid: 25") == \
        "[<ts>] [<pid>] [INFO] Booting worker with pid: <pid>"
    assert masked('169.254.255.130 - - [10/Nov/2024:14:23:01 +0000] "POST /invocations HTTP/1.1" 200 598 "-" '
                  '"Go-http-client/1.1"') == \
        '<ip> - - [<ts>] "POST /invocations HTTP/<n>" <n> <n> "-" "Go-http-client/<n>"'
    assert masked("[2024-11-10:14:23:01:INFO] Determined delimiter of CSV input is ','") == \
        "[<ts>:INFO] Determined delimiter of CSV input is ','"
    assert masked("2024-11-10T14:23:01.484:[sagemaker logs]: MaxConcurrentTransforms=4, MaxPayloadInMB=6, "
                  "BatchStrategy=MULTI_RECORD") == \
        "<ts>:[sagemaker logs]: MaxConcurrentTransforms=<n>, MaxPayloadInMB=<n>, BatchStrategy=MULTI_RECORD"
    assert masked("INFO:sagemaker:Creating transform job with name: sagemaker-xgboost-2024-11-10-14-16-13-414") == \
        "INFO:sagemaker:Creating transform job with name: <job>"


def test_a_status_line_is_split_from_the_container_line_the_sdk_glued_to_it():
    glued = ("2025-06-22 07:11:16 Training - Training image download completed. Training in progress.."
             "[2025-06-22:07:11:20:INFO] Imported framework sagemaker_xgboost_container.training")
    assert logical_lines([glued]) == [
        "2025-06-22 07:11:16 Training - Training image download completed. Training in progress..",
        "[2025-06-22:07:11:20:INFO] Imported framework sagemaker_xgboost_container.training"]
    assert line_kinds([glued]) == ["status:Training - Training image download completed. Training in progress",
                                   "container:imported-framework"]
    assert logical_lines(["....[2024-11-10:14:22:54:INFO] No GPUs detected (normal if no gpus installed)"])[0] == "...."


def test_the_colours_show_the_sdk_read_the_main_stream_twice():
    """In the Boston transcript the request lines come in colour 34 (stream 0) and again in 35 (stream 1), the
    data-log line in 32 (stream 2): the tailer's list was [main, main, data-log]."""
    _, body = read_corpus(CORPUS / "transform-0.90-1-boston-sdk1-2020.txt")
    by_stream: dict[int, list[str]] = {}
    for line in body:
        index = stream_index(line)
        if index is not None:
            by_stream.setdefault(index, []).append(masked(line))
    assert set(by_stream) == {0, 1, 2}
    assert [x.startswith("<ts>:[sagemaker logs]: MaxConcurrentTransforms=") for x in by_stream[2]] == [True]
    # every line stream 1 printed is a line stream 0 printed too: the same stream, listed twice
    assert by_stream[1] and all(line in by_stream[0] for line in by_stream[1])


def test_the_container_logged_one_request_block_for_one_file():
    """transform() printed the request block twice, wait() the whole main stream twice: halving wait()'s
    doubled groups gives the container's own log, with one ping, one execution-parameters, one invocation."""
    _, body = read_corpus(CORPUS / "transform-1.0-1-sdk2-2024-wait.txt")
    kinds = line_kinds(body)
    assert kinds.count("nginx:POST /invocations 200") == 2
    assert kinds.count("gunicorn:starting") == 2
    assert kinds.count("datalog:execution-parameters") == 1


def _tail_transform_logs(n_instances: int) -> list[tuple[int | None, str]]:
    """Print a completed transform's logs with the real SDK v2 tailer against moto's CloudWatch Logs, the streams
    named as on AWS; returns (stream index from the colour, message) per printed line."""
    import contextlib
    import io
    import os
    import time
    from unittest import mock

    import boto3
    from moto import mock_aws
    import sagemaker
    import sagemaker.logs

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        logs = boto3.client("logs", region_name="us-east-1")
        group, job = "/aws/sagemaker/TransformJobs", "job-1"
        logs.create_log_group(logGroupName=group)
        t = int(time.time() * 1000) - 10_000
        for i in range(n_instances):
            main = f"{job}/i-0{i}aaaaaaaaaaaaaaa-1700000000"
            logs.create_log_stream(logGroupName=group, logStreamName=main)
            logs.put_log_events(logGroupName=group, logStreamName=main, logEvents=[
                {"timestamp": t + 1, "message": f"i{i} start A"}, {"timestamp": t + 1, "message": f"i{i} start B"},
                {"timestamp": t + 2, "message": f"i{i} request"}])
            logs.create_log_stream(logGroupName=group, logStreamName=main + "/data-log")
            logs.put_log_events(logGroupName=group, logStreamName=main + "/data-log", logEvents=[
                {"timestamp": t + 3, "message": f"i{i} data-log"}])
        session = sagemaker.Session(boto_session=boto3.Session(region_name="us-east-1"))
        description = {"TransformJobStatus": "Completed", "TransformResources": {"InstanceCount": n_instances}}
        out = io.StringIO()
        with mock.patch.object(session, "describe_transform_job", return_value=description), \
                mock.patch.dict(os.environ, {"JPY_PARENT_PID": "1"}), contextlib.redirect_stdout(out):
            session.logs_for_transform_job(job, wait=False)
    return [(stream_index(line), logical_lines([line])[0]) for line in out.getvalue().splitlines() if line]


def test_the_sdk_tailer_reads_the_first_instances_streams_twice():
    """Why real transcripts double lines: sagemaker/session.py _flush_log_streams lists min(instance_count, 50)
    streams, then, on a nextToken, all streams again from the start (README, "Log streams")."""
    one = _tail_transform_logs(1)
    assert one == [(0, "i0 start A"), (0, "i0 start B"), (1, "i0 start A"), (1, "i0 start B"),
                   (0, "i0 request"), (1, "i0 request"), (2, "i0 data-log")]
    two = _tail_transform_logs(2)
    # list [i0, i0/data-log, i0, i0/data-log, i1, i1/data-log]: instance 0 twice, instance 1 once
    assert [m for _, m in two].count("i0 request") == 2
    assert [m for _, m in two].count("i0 data-log") == 2
    assert [m for _, m in two].count("i1 request") == 1
    assert [m for _, m in two].count("i1 data-log") == 1
    assert {i for i, m in two if m.startswith("i1 ")} == {4, 0}  # colours 33 (index 4) and 34 (index 5 % 5)


def test_collapsed_without_counts_compares_runs_of_different_length():
    assert collapsed(["a", "a", "b"]) == ["a x 2", "b"]
    assert collapsed(["a", "b", "b", "b"], counts=False) == ["a", "b"]
    assert collapsed(["a x 4", "b"], counts=False) == collapsed(["a", "a", "b"], counts=False)
