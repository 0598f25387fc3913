"""Processing jobs on more than one instance (sagemaker_offline/processing.py): SKLearnProcessor(instance_count=2)
runs the script once per instance, algo-1 and algo-2, side by side, each with its own /opt/ml and resourceconfig.json;
ShardedByS3Key gives each instance its share of the objects and FullyReplicated all of them (ProcessingS3Input,
S3DataDistributionType; aws/amazon-sagemaker-examples#1075); every instance's outputs land in S3; each instance logs to
its own stream; one failing instance fails the job, and a stop ends every instance's process."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import textwrap
import time
from pathlib import Path

import pytest

from tests.test_processing_jobs import _keys, _script, stopped_status

PROCESSING_GROUP = "/aws/sagemaker/ProcessingJobs"
PARTS = [f"part-{i}.csv" for i in range(4)]

# Each instance reports what it was given: its resourceconfig.json, the objects of the sharded and of the replicated
# input, and when it ran; it writes one file of its own and one file both instances name alike.
REPORT = textwrap.dedent('''
    import json, os, time
    import pandas as pd
    started = time.time()
    with open("/opt/ml/config/resourceconfig.json") as f:
        config = json.load(f)
    host = config["current_host"]
    shard = sorted(os.listdir("/opt/ml/processing/input/shard"))
    everything = sorted(os.listdir("/opt/ml/processing/input/all"))
    rows = sum(len(pd.read_csv(os.path.join("/opt/ml/processing/input/shard", name))) for name in shard)
    time.sleep(2)  # both instances are running now
    out = "/opt/ml/processing/output/summary"
    with open(f"{out}/{host}.json", "w") as f:
        json.dump({"config": config, "shard": shard, "all": everything, "rows": rows, "started": started,
                   "ended": time.time(), "root": os.environ["SAGEMAKER_OFFLINE_OPT_ML"]}, f)
    with open(f"{out}/same-name.txt", "w") as f:
        f.write(host)
    print(f"{host} of {config['hosts']} read {shard}")
''')


def _processor(course, count: int = 2):
    from sagemaker.sklearn.processing import SKLearnProcessor

    return SKLearnProcessor(framework_version="1.2-1", role=course.role, instance_type="ml.m5.xlarge",
                            instance_count=count, sagemaker_session=course.session)


def _streams(course, job_name: str) -> dict[str, list[str]]:
    logs = course.session.boto_session.client("logs")
    names = [s["logStreamName"] for s in logs.describe_log_streams(
        logGroupName=PROCESSING_GROUP, logStreamNamePrefix=job_name + "/")["logStreams"]]
    return {name: [e["message"] for e in logs.get_log_events(
        logGroupName=PROCESSING_GROUP, logStreamName=name, startFromHead=True)["events"]] for name in sorted(names)}


def _read(course, prefix: str, key: str) -> bytes:
    return course.s3_client.get_object(Bucket=course.bucket,
                                       Key=f"{course.prefix}/processing/{prefix}/{key}")["Body"].read()


def _latest_job(course) -> dict:
    name = course.sagemaker_client.list_processing_jobs(SortBy="CreationTime")["ProcessingJobSummaries"][-1][
        "ProcessingJobName"]
    return course.sagemaker_client.describe_processing_job(ProcessingJobName=name)


@pytest.fixture(scope="module")
def parts(course) -> str:
    """Four CSV objects under one prefix, part-<i>.csv holding i + 1 rows."""
    for i, name in enumerate(PARTS):
        body = "x,y\n" + "".join(f"{i},{row}\n" for row in range(i + 1))
        course.s3_client.put_object(Bucket=course.bucket, Key=f"{course.prefix}/processing/parts/{name}",
                                    Body=body.encode())
    return course.s3_uri("processing", "parts")


@pytest.fixture(scope="module")
def two_instances(course, parts, tmp_path_factory) -> tuple[str, dict[str, dict], str]:
    """One job on two instances, run as a learner runs it (wait and logs): its name, each host's report, and what
    the SDK printed."""
    from sagemaker.processing import ProcessingInput, ProcessingOutput

    processor = _processor(course)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        processor.run(code=_script(tmp_path_factory.mktemp("code"), REPORT, "report.py"), inputs=[
            ProcessingInput(source=parts, destination="/opt/ml/processing/input/shard",
                            s3_data_distribution_type="ShardedByS3Key"),
            ProcessingInput(source=parts, destination="/opt/ml/processing/input/all")],
            outputs=[ProcessingOutput(source="/opt/ml/processing/output/summary",
                                      destination=course.s3_uri("processing", "two", "summary"))])
    reports = {host: json.loads(_read(course, "two", f"summary/{host}.json")) for host in ("algo-1", "algo-2")}
    return processor.latest_job.job_name, reports, printed.getvalue()


def test_the_job_completes_and_describes_its_two_instances(course, two_instances):
    name, _, _ = two_instances
    described = course.sagemaker_client.describe_processing_job(ProcessingJobName=name)
    assert described["ProcessingJobStatus"] == "Completed", described.get("FailureReason")
    assert described["ProcessingResources"]["ClusterConfig"]["InstanceCount"] == 2
    inputs = [i["S3Input"] for i in described["ProcessingInputs"] if i["InputName"] != "code"]
    assert [i["S3DataDistributionType"] for i in inputs] == ["ShardedByS3Key", "FullyReplicated"]


def test_each_instance_has_its_own_resourceconfig(two_instances):
    _, reports, _ = two_instances
    # the contract's file, as an AWS engineer shows it for a three-instance job (aws/amazon-sagemaker-examples#1075)
    assert reports["algo-1"]["config"] == {"current_host": "algo-1", "hosts": ["algo-1", "algo-2"]}
    assert reports["algo-2"]["config"] == {"current_host": "algo-2", "hosts": ["algo-1", "algo-2"]}


def test_sharded_by_s3_key_gives_each_instance_only_its_share_of_the_objects(two_instances):
    _, reports, _ = two_instances
    shares = {host: report["shard"] for host, report in reports.items()}
    # half the objects each (ProcessingS3Input: "downloading one shard of data to each processing instance"); which
    # object goes where AWS does not document: offline, keys in order, dealt round-robin (processing.shard)
    assert shares == {"algo-1": ["part-0.csv", "part-2.csv"], "algo-2": ["part-1.csv", "part-3.csv"]}
    assert reports["algo-1"]["rows"] == 1 + 3 and reports["algo-2"]["rows"] == 2 + 4  # the objects' real content


def test_fully_replicated_gives_every_instance_every_object(two_instances):
    _, reports, _ = two_instances
    assert reports["algo-1"]["all"] == reports["algo-2"]["all"] == PARTS


def test_the_instances_run_side_by_side_each_in_its_own_opt_ml(two_instances):
    _, reports, _ = two_instances
    spans = [(r["started"], r["ended"]) for r in reports.values()]
    assert max(start for start, _ in spans) < min(end for _, end in spans)  # the two scripts really ran at once
    roots = [r["root"] for r in reports.values()]
    assert roots[0] != roots[1]
    assert not any(Path(root).exists() for root in roots)  # each instance's folder is removed at the job's end


def test_the_outputs_of_both_instances_land_in_s3(course, two_instances):
    assert _keys(course, "two") == ["summary/algo-1.json", "summary/algo-2.json", "summary/same-name.txt"]
    # a name both instances wrote: what AWS keeps is not documented; offline the uploads go in host order, and S3
    # keeps the last PUT (docs/offline-runtime.md, "Processing jobs")
    assert _read(course, "two", "summary/same-name.txt") == b"algo-2"


def test_each_instance_logs_to_its_own_stream(course, two_instances):
    name, _, printed = two_instances
    streams = _streams(course, name)
    epochs = set()
    for host, share in (("algo-1", "['part-0.csv', 'part-2.csv']"), ("algo-2", "['part-1.csv', 'part-3.csv']")):
        stream = next(s for s in streams if s.startswith(f"{name}/{host}-"))
        epochs.add(re.fullmatch(re.escape(f"{name}/{host}-") + r"(\d{10})", stream).group(1))
        line = f"{host} of ['algo-1', 'algo-2'] read {share}"
        assert streams[stream] == [line]
        assert line in printed  # processor.run(logs=True) printed every instance's stream
    assert len(streams) == 2 and len(epochs) == 1  # `<job>/algo-<n>-<epoch>`, the instances starting together


def test_sharded_manifest_objects_are_dealt_over_three_instances(course, parts, tmp_path):
    from sagemaker.processing import ProcessingInput, ProcessingOutput

    manifest = [{"prefix": parts + "/"}, *reversed(PARTS)]  # the manifest's own order does not matter
    course.s3_client.put_object(Bucket=course.bucket, Key=f"{course.prefix}/processing/parts.manifest",
                                Body=json.dumps(manifest).encode())
    script = textwrap.dedent('''
        import json, os
        host = json.load(open("/opt/ml/config/resourceconfig.json"))["current_host"]
        with open(f"/opt/ml/processing/output/shares/{host}.txt", "w") as f:
            f.write(",".join(sorted(os.listdir("/opt/ml/processing/input/shard"))))
    ''')
    processor = _processor(course, count=3)
    processor.run(code=_script(tmp_path, script, "shares.py"), logs=False, inputs=[
        ProcessingInput(source=course.s3_uri("processing", "parts.manifest"),
                        destination="/opt/ml/processing/input/shard", s3_data_type="ManifestFile",
                        s3_data_distribution_type="ShardedByS3Key")],
        outputs=[ProcessingOutput(source="/opt/ml/processing/output/shares",
                                  destination=course.s3_uri("processing", "manifest", "shares"))])
    assert processor.latest_job.describe()["ProcessingJobStatus"] == "Completed"
    shares = {host: _read(course, "manifest", f"shares/{host}.txt").decode() for host in ("algo-1", "algo-2", "algo-3")}
    assert shares == {"algo-1": "part-0.csv,part-3.csv", "algo-2": "part-1.csv", "algo-3": "part-2.csv"}


def _wait_for(paths: list[Path], course, name: str) -> None:
    deadline = time.time() + 120
    while not all(p.exists() and p.read_text() for p in paths) and time.time() < deadline:
        course.sagemaker_client.describe_processing_job(ProcessingJobName=name)
        time.sleep(0.2)
    assert all(p.exists() for p in paths), [str(p) for p in paths]


def _gone(pid: int) -> bool:
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_one_raising_instance_fails_the_job_ends_the_other_and_nothing_is_uploaded(course, parts, tmp_path):
    from sagemaker.exceptions import UnexpectedStatusException
    from sagemaker.processing import ProcessingInput, ProcessingOutput

    script = textwrap.dedent(f'''
        import json, os, time
        host = json.load(open("/opt/ml/config/resourceconfig.json"))["current_host"]
        with open(f"/opt/ml/processing/output/rows/{{host}}.csv", "w") as f:
            f.write("written before the failure\\n")
        with open("/opt/ml/output/message", "w") as f:
            f.write(f"{{host}} stopped at a bad row")
        open(os.path.join({str(tmp_path)!r}, host + ".pid"), "w").write(str(os.getpid()))
        if host == "algo-2":
            while not os.path.exists(os.path.join({str(tmp_path)!r}, "algo-1.pid")):
                time.sleep(0.05)
            raise ValueError("algo-2 found a bad row")
        time.sleep(120)  # ended long before, with the job; else it says so, and exits 0
        open(os.path.join({str(tmp_path)!r}, "algo-1.was-not-ended"), "w").write("")
    ''')
    processor = _processor(course)
    with pytest.raises(UnexpectedStatusException, match=r"Failed\. Reason: AlgorithmError: , exit code: 1"):
        processor.run(code=_script(tmp_path, script, "fails_on_two.py"), logs=False, inputs=[
            ProcessingInput(source=parts, destination="/opt/ml/processing/input/shard",
                            s3_data_distribution_type="ShardedByS3Key")],
            outputs=[ProcessingOutput(source="/opt/ml/processing/output/rows",
                                      destination=course.s3_uri("processing", "failed", "rows"))])
    described = _latest_job(course)
    assert described["ProcessingJobStatus"] == "Failed"
    # the Developer Guide's "SageMaker Python SDK Troubleshooting" shows this reason for a failed scikit-learn job
    assert described["FailureReason"] == "AlgorithmError: , exit code: 1"
    assert described["ExitMessage"] == "algo-2 stopped at a bad row"  # the failing instance's /opt/ml/output/message
    assert _gone(int((tmp_path / "algo-1.pid").read_text()))  # the job ended, and algo-1's script with it
    assert not (tmp_path / "algo-1.was-not-ended").exists()
    assert _keys(course, "failed") == []  # algo-1 wrote its file, algo-2 too before it raised: none is uploaded
    streams = _streams(course, described["ProcessingJobName"])
    failing = next(lines for stream, lines in streams.items() if "/algo-2-" in stream)
    assert failing[-1] == "ValueError: algo-2 found a bad row"  # the traceback is in algo-2's own stream
    assert not any("ValueError" in line for stream, lines in streams.items() if "/algo-1-" in stream for line in lines)


def test_stopping_the_job_ends_every_instances_process(course, tmp_path):
    from sagemaker.processing import ProcessingOutput

    script = textwrap.dedent(f'''
        import json, os, time
        host = json.load(open("/opt/ml/config/resourceconfig.json"))["current_host"]
        open(f"/opt/ml/processing/output/rows/{{host}}.csv", "w").write("1,2\\n")
        open(os.path.join({str(tmp_path)!r}, host + ".pid"), "w").write(str(os.getpid()))
        time.sleep(600)
    ''')
    processor = _processor(course)
    processor.run(code=_script(tmp_path, script, "sleepers.py"), wait=False, logs=False,
                  outputs=[ProcessingOutput(source="/opt/ml/processing/output/rows",
                                            destination=course.s3_uri("processing", "stopped", "rows"))])
    name = processor.latest_job.job_name
    pid_files = [tmp_path / "algo-1.pid", tmp_path / "algo-2.pid"]
    _wait_for(pid_files, course, name)
    pids = [int(p.read_text()) for p in pid_files]
    for pid in pids:
        os.kill(pid, 0)  # both scripts are running
    processor.latest_job.stop()
    assert stopped_status(course, name) == "Stopped"
    assert all(_gone(pid) for pid in pids)
    assert _keys(course, "stopped") == []
