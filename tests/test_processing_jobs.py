"""Processing jobs offline (sagemaker_offline/processing.py, opt_ml_paths.py): SDK v2's SKLearnProcessor and
ScriptProcessor run the learner's real script, which reads /opt/ml/processing/input and writes
/opt/ml/processing/output as on AWS; outputs land in S3 with the script's content; a raising script fails as AWS
reports it; two jobs at once keep their own /opt/ml; a stop kills the script; nothing touches the real /opt/ml."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from sagemaker_offline import opt_ml_paths

PROCESSING_GROUP = "/aws/sagemaker/ProcessingJobs"

SPLIT = textwrap.dedent('''
    """Split the Boston CSV into train and test, as a preprocessing step before training."""
    import argparse, json, os
    import pandas as pd
    from sklearn.model_selection import train_test_split

    parser = argparse.ArgumentParser()
    parser.add_argument("--test-size", type=float, default=0.2)
    args = parser.parse_args()
    frame = pd.read_csv("/opt/ml/processing/input/data/housing.csv")
    train, test = train_test_split(frame, test_size=args.test_size, random_state=0)
    os.makedirs("/opt/ml/processing/output/train", exist_ok=True)
    train.to_csv("/opt/ml/processing/output/train/train.csv", header=False, index=False)
    test.to_csv("/opt/ml/processing/output/test/test.csv", header=False, index=False)
    with open("/opt/ml/config/resourceconfig.json") as f:
        hosts = json.load(f)["hosts"]
    with open("/opt/ml/config/processingjobconfig.json") as f:
        job = json.load(f)["ProcessingJobName"]
    print(f"split {len(frame)} rows into {len(train)} train and {len(test)} test on {hosts} in {job}; "
          f"MODE={os.environ['MODE']}")
''')


def _processor(course, image: str | None = None, **kwargs):
    from sagemaker.processing import ScriptProcessor
    from sagemaker.sklearn.processing import SKLearnProcessor

    common = dict(role=course.role, instance_type="ml.m5.xlarge", instance_count=1, sagemaker_session=course.session)
    if image is None:
        return SKLearnProcessor(framework_version="1.2-1", **common, **kwargs)
    return ScriptProcessor(image_uri=image, command=["python3"], **common, **kwargs)


def _script(tmp_path: Path, text: str, name: str = "preprocessing.py") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _run(course, processor, code: str, input_uri: str, prefix: str, **kwargs):
    from sagemaker.processing import ProcessingInput, ProcessingOutput

    outputs = [ProcessingOutput(output_name=part, source=f"/opt/ml/processing/output/{part}",
                                destination=course.s3_uri("processing", prefix, part)) for part in ("train", "test")]
    processor.run(code=code, inputs=[ProcessingInput(source=input_uri, destination="/opt/ml/processing/input/data")],
                  outputs=outputs, **kwargs)
    return processor.latest_job


def _log(course, job_name: str) -> tuple[list[str], str]:
    logs = course.session.boto_session.client("logs")
    streams = [s["logStreamName"] for s in logs.describe_log_streams(
        logGroupName=PROCESSING_GROUP, logStreamNamePrefix=job_name + "/")["logStreams"]]
    text = "\n".join(e["message"] for s in streams for e in logs.get_log_events(
        logGroupName=PROCESSING_GROUP, logStreamName=s, startFromHead=True)["events"])
    return streams, text


def stopped_status(course, name: str, seconds: float = 60) -> str:
    """The job's status once it has left InProgress/Stopping after a stop (or after `seconds`, whatever it is then)."""
    deadline = time.time() + seconds
    while True:
        status = course.sagemaker_client.describe_processing_job(ProcessingJobName=name)["ProcessingJobStatus"]
        if status not in ("InProgress", "Stopping") or time.time() >= deadline:
            return status
        time.sleep(0.2)


def _keys(course, prefix: str) -> list[str]:
    listing = course.s3_client.list_objects_v2(Bucket=course.bucket, Prefix=f"{course.prefix}/processing/{prefix}/")
    return sorted(o["Key"].split(f"/processing/{prefix}/", 1)[1] for o in listing.get("Contents", []))


def _csv(course, prefix: str, key: str) -> pd.DataFrame:
    body = course.s3_client.get_object(Bucket=course.bucket, Key=f"{course.prefix}/processing/{prefix}/{key}")["Body"]
    return pd.read_csv(io.BytesIO(body.read()), header=None)


@pytest.fixture(scope="module")
def housing(course, course_data, tmp_path_factory) -> tuple[str, pd.DataFrame]:
    frame = course_data.train.copy()
    path = tmp_path_factory.mktemp("housing") / "housing.csv"
    frame.to_csv(path, index=False)
    uri = course.session.upload_data(str(path), bucket=course.bucket, key_prefix=f"{course.prefix}/processing/raw")
    return uri, pd.read_csv(path)


@pytest.fixture(scope="module")
def real_opt_ml():
    """What the machine's own /opt/ml holds before the tests (usually nothing): no job may change it."""
    root = Path("/opt/ml")
    before = sorted(str(p) for p in root.rglob("*")) if root.exists() else None
    yield
    assert (sorted(str(p) for p in root.rglob("*")) if root.exists() else None) == before


def test_sklearn_processor_splits_the_csv_and_its_outputs_land_in_s3(course, housing, tmp_path, capsys, real_opt_ml):
    from sklearn.model_selection import train_test_split

    uri, frame = housing
    job = _run(course, _processor(course, env={"MODE": "offline-test"}), _script(tmp_path, SPLIT), uri, "split",
               arguments=["--test-size", "0.3"])
    described = job.describe()
    assert described["ProcessingJobStatus"] == "Completed"
    assert described["ProcessingEndTime"] >= described["ProcessingStartTime"] >= described["CreationTime"]
    assert described["Environment"] == {"MODE": "offline-test"}
    assert described["AppSpecification"]["ContainerEntrypoint"] == [
        "python3", "/opt/ml/processing/input/code/preprocessing.py"]
    assert "FailureReason" not in described

    # the outputs hold what the script really wrote: the same split, computed here
    assert _keys(course, "split") == ["test/test.csv", "train/train.csv"]
    train, test = train_test_split(frame, test_size=0.3, random_state=0)
    pd.testing.assert_frame_equal(_csv(course, "split", "train/train.csv"), pd.DataFrame(train.to_numpy()),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(_csv(course, "split", "test/test.csv"), pd.DataFrame(test.to_numpy()),
                                  check_dtype=False)

    # the log: one stream <job>/algo-1-<epoch> in /aws/sagemaker/ProcessingJobs, with the script's own line;
    # processor.run(logs=True) printed it, as the SDK prints a job's log on AWS
    streams, text = _log(course, job.job_name)
    assert len(streams) == 1 and re.fullmatch(re.escape(job.job_name) + r"/algo-1-\d{10}", streams[0])
    line = (f"split {len(frame)} rows into {len(train)} train and {len(test)} test on ['algo-1'] in {job.job_name}; "
            "MODE=offline-test")
    assert text == line
    assert line in capsys.readouterr().out


def test_a_raising_script_fails_the_job_with_awss_reason_its_traceback_in_the_log_and_no_outputs(
        course, housing, tmp_path, capsys, real_opt_ml):
    from sagemaker.exceptions import UnexpectedStatusException

    script = SPLIT.replace("test.to_csv(", "raise ValueError('the test split is empty')\ntest.to_csv(")
    with pytest.raises(UnexpectedStatusException, match=r"Failed\. Reason: AlgorithmError: , exit code: 1"):
        _run(course, _processor(course, env={"MODE": "x"}), _script(tmp_path, script), housing[0], "raising")
    assert "ValueError: the test split is empty" in capsys.readouterr().out  # run(logs=True) printed the traceback
    name = course.sagemaker_client.list_processing_jobs(SortBy="CreationTime")["ProcessingJobSummaries"][-1][
        "ProcessingJobName"]
    described = course.sagemaker_client.describe_processing_job(ProcessingJobName=name)
    assert described["ProcessingJobStatus"] == "Failed"
    # the Developer Guide's "SageMaker Python SDK Troubleshooting" shows this reason for a failed scikit-learn job
    assert described["FailureReason"] == "AlgorithmError: , exit code: 1"
    assert "ProcessingEndTime" in described
    _, text = _log(course, name)
    # the traceback names the script where it is in the container, as on AWS
    assert 'File "/opt/ml/processing/input/code/preprocessing.py", line' in text
    assert text.rstrip().endswith("ValueError: the test split is empty")
    assert _keys(course, "raising") == []  # train.csv was written before the error, and is not uploaded


def test_the_exit_message_is_the_first_kilobyte_of_opt_ml_output_message(course, housing, tmp_path):
    script = SPLIT + textwrap.dedent('''
        with open("/opt/ml/output/message", "w") as f:
            f.write("rows kept: all " + "x" * 2000)
        raise SystemExit(3)
    ''')
    with pytest.raises(Exception, match="exit code: 3"):
        _run(course, _processor(course, env={"MODE": "x"}), _script(tmp_path, script), housing[0], "message",
             logs=False)
    name = course.sagemaker_client.list_processing_jobs(SortBy="CreationTime")["ProcessingJobSummaries"][-1][
        "ProcessingJobName"]
    described = course.sagemaker_client.describe_processing_job(ProcessingJobName=name)
    assert described["ExitMessage"].startswith("rows kept: all x") and len(described["ExitMessage"]) == 1024


def test_two_jobs_at_once_each_see_their_own_opt_ml(course, housing, tmp_path, real_opt_ml):
    from sagemaker.processing import ProcessingInput, ProcessingOutput

    script = textwrap.dedent('''
        import os, sys, time
        started = time.time()
        os.makedirs("/opt/ml/processing/output/train", exist_ok=True)
        with open("/opt/ml/processing/output/train/who.txt", "w") as f:
            f.write(sys.argv[1])
        time.sleep(3)  # both jobs are running now, each with its own /opt/ml
        with open("/opt/ml/processing/output/train/who.txt") as f:
            assert f.read() == sys.argv[1]
        with open("/opt/ml/processing/output/train/root.txt", "w") as f:
            f.write(os.environ["SAGEMAKER_OFFLINE_OPT_ML"])
        with open("/opt/ml/processing/output/train/when.txt", "w") as f:
            f.write(f"{started} {time.time()}")
    ''')
    code = _script(tmp_path, script, "who.py")
    jobs = []
    for who in ("first", "second"):
        processor = _processor(course)
        processor.run(code=code, arguments=[who], wait=False, logs=False,
                      inputs=[ProcessingInput(source=housing[0], destination="/opt/ml/processing/input/data")],
                      outputs=[ProcessingOutput(source="/opt/ml/processing/output/train",
                                                destination=course.s3_uri("processing", who, "train"))])
        jobs.append(processor.latest_job)
    for job in jobs:
        job.wait(logs=False)
    roots, spans = [], []
    for who in ("first", "second"):
        assert _keys(course, who) == ["train/root.txt", "train/when.txt", "train/who.txt"]
        spans.append([float(t) for t in course.s3_client.get_object(
            Bucket=course.bucket, Key=f"{course.prefix}/processing/{who}/train/when.txt")["Body"].read().split()])
        body = course.s3_client.get_object(Bucket=course.bucket, Key=f"{course.prefix}/processing/{who}/train/who.txt")
        assert body["Body"].read() == who.encode()
        roots.append(course.s3_client.get_object(
            Bucket=course.bucket, Key=f"{course.prefix}/processing/{who}/train/root.txt")["Body"].read().decode())
    assert roots[0] != roots[1]
    assert max(start for start, _ in spans) < min(end for _, end in spans)  # the two scripts really ran at once
    assert not any(Path(root).exists() for root in roots)  # each job's folder is removed at its end


def test_stopping_a_processing_job_kills_its_script_and_uploads_nothing(course, housing, tmp_path):
    from sagemaker.processing import ProcessingOutput

    pid_file = tmp_path / "script.pid"
    script = textwrap.dedent(f'''
        import os, time
        os.makedirs("/opt/ml/processing/output/train", exist_ok=True)
        open("/opt/ml/processing/output/train/partial.csv", "w").write("1,2\\n")
        open({str(pid_file)!r}, "w").write(str(os.getpid()))
        time.sleep(600)
    ''')
    processor = _processor(course)
    processor.run(code=_script(tmp_path, script, "sleeper.py"), wait=False, logs=False,
                  outputs=[ProcessingOutput(source="/opt/ml/processing/output/train",
                                            destination=course.s3_uri("processing", "stopped", "train"))])
    name = processor.latest_job.job_name
    deadline = time.time() + 60
    while not pid_file.exists() and time.time() < deadline:
        course.sagemaker_client.describe_processing_job(ProcessingJobName=name)
        time.sleep(0.2)
    pid = int(pid_file.read_text())
    os.kill(pid, 0)  # the script is running
    processor.latest_job.stop()
    assert stopped_status(course, name) == "Stopped"
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)
    assert _keys(course, "stopped") == []


def test_script_processor_on_the_xgboost_framework_image_runs_the_script(course, housing, tmp_path):
    from sagemaker import image_uris

    image = image_uris.retrieve("xgboost", course.region, "1.7-1")
    script = SPLIT.replace("from sklearn.model_selection import train_test_split",
                           "import xgboost\nfrom sklearn.model_selection import train_test_split")
    job = _run(course, _processor(course, image=image, env={"MODE": "xgb"}), _script(tmp_path, script), housing[0],
               "xgb", logs=False)
    assert job.describe()["ProcessingJobStatus"] == "Completed"
    assert _keys(course, "xgb") == ["test/test.csv", "train/train.csv"]


@pytest.mark.parametrize("change, reason", [
    ({"AppSpecification": {"ImageUri": "123456789012.dkr.ecr.us-west-2.amazonaws.com/my-own:latest",
                           "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/x.py"]}},
     "is not one the offline runtime emulates"),
    ({"AppSpecification": {"ContainerEntrypoint": ["/bin/bash", "/opt/ml/processing/input/entrypoint/runproc.sh"]}},
     "the FrameworkProcessor entrypoint cannot run offline: no ProcessingInput puts"),
    ({"AppSpecification": {"ContainerEntrypoint": ["java", "-jar", "/opt/ml/processing/input/code/app.jar"]}},
     "is not `python3 <script>.py`"),
])
def test_what_cannot_run_offline_is_refused_and_nothing_is_created(course, change, reason):
    from botocore.exceptions import ClientError
    from sagemaker import image_uris

    image = image_uris.retrieve("sklearn", course.region, "1.2-1")
    request = {
        "ProcessingJobName": f"refused-{abs(hash(reason)) % 10**8}", "RoleArn": course.role,
        "AppSpecification": {"ImageUri": image, "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/x.py"]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                                  "VolumeSizeInGB": 30}},
    }
    for key, value in change.items():
        request[key] = {**request[key], **value} if key == "AppSpecification" else value
    with pytest.raises(ClientError, match=re.escape(reason)) as raised:
        course.sagemaker_client.create_processing_job(**request)
    assert raised.value.response["Error"]["Code"] == "NotSupportedOffline"
    names = [j["ProcessingJobName"] for j in course.sagemaker_client.list_processing_jobs()["ProcessingJobSummaries"]]
    assert request["ProcessingJobName"] not in names


def _bootstrap(root: Path, code: str) -> subprocess.CompletedProcess:
    """A script run as an offline job runs it: the bootstrap first on PYTHONPATH, /opt/ml standing for `root`."""
    script = root / "processing" / "input" / "code" / "s.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(textwrap.dedent(code))
    bootstrap = Path(opt_ml_paths.__file__).parent / "opt_ml_bootstrap"
    env = dict(os.environ, PYTHONPATH=str(bootstrap), **{opt_ml_paths.ENV_ROOT: str(root)})
    return subprocess.run([sys.executable, str(bootstrap / "run_script.py"), "/opt/ml/processing/input/code/s.py"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_the_path_functions_pandas_numpy_and_joblib_use_are_rewritten(tmp_path, real_opt_ml):
    done = _bootstrap(tmp_path, '''
        import csv, glob, os, pathlib, shutil, subprocess, sys
        import joblib, numpy as np, pandas as pd
        out = "/opt/ml/processing/output"
        os.makedirs(out + "/a")
        pd.DataFrame({"x": [1, 2]}).to_csv(out + "/a/p.csv", index=False)
        np.save(out + "/a/n.npy", np.arange(3))
        joblib.dump({"k": 1}, out + "/a/j.joblib")
        with open(out + "/a/c.csv", "w", newline="") as f:
            csv.writer(f).writerow([1, 2])
        shutil.copytree(out + "/a", out + "/b")
        pathlib.Path(out, "b", "t.txt").write_text("t")
        print(sorted(glob.glob(out + "/b/*")) == sorted(str(p) for p in pathlib.Path(out, "b").iterdir()))
        print(pd.read_csv(out + "/b/p.csv")["x"].sum(), np.load(out + "/b/n.npy").sum(), joblib.load(out + "/b/j.joblib"))
        print(subprocess.run([sys.executable, "-c", f"print(open('{out}/b/t.txt').read())"],
                             capture_output=True, text=True).stdout.strip())
        print(__file__, sys.argv[0])
    ''')
    assert done.returncode == 0, done.stderr
    script = "/opt/ml/processing/input/code/s.py"
    assert done.stdout.split("\n")[:4] == ["True", "3 3 {'k': 1}", "t", f"{script} {script}"]
    assert sorted(p.name for p in (tmp_path / "processing" / "output" / "b").iterdir()) == [
        "c.csv", "j.joblib", "n.npy", "p.csv", "t.txt"]


def test_a_path_that_escapes_the_rewriting_fails_with_a_clear_note_instead_of_touching_opt_ml(tmp_path, real_opt_ml):
    done = _bootstrap(tmp_path, '''
        import _io
        _io.FileIO("/opt/ml/processing/output/raw.bin", "w")  # below Python's open(): as a C extension would
    ''')
    assert done.returncode == 1
    assert "[offline] /opt/ml/processing/output/raw.bin was not rewritten to this job's folder" in done.stderr
    assert 'File "/opt/ml/processing/input/code/s.py", line 3' in done.stderr


V3_RUN = '''
import boto3, sagemaker_offline
with sagemaker_offline.running():
    from sagemaker.core import image_uris
    from sagemaker.core.helper.session_helper import Session
    from sagemaker.core.processing import ScriptProcessor
    from sagemaker.core.shapes import ProcessingInput, ProcessingOutput, ProcessingS3Input, ProcessingS3Output

    session = Session()
    bucket = session.default_bucket()
    data = session.upload_data("housing.csv", bucket=bucket, key_prefix="v3/raw")
    processor = ScriptProcessor(image_uri=image_uris.retrieve("sklearn", session.boto_region_name, "1.2-1"),
                                command=["python3"], role="arn:aws:iam::123456789012:role/v3", instance_count=1,
                                instance_type="ml.m5.xlarge", sagemaker_session=session, env={"MODE": "v3"})
    processor.run(
        code="preprocessing.py", arguments=["--test-size", "0.5"],
        inputs=[ProcessingInput(input_name="data", s3_input=ProcessingS3Input(
            s3_uri=data, local_path="/opt/ml/processing/input/data", s3_data_type="S3Prefix", s3_input_mode="File"))],
        outputs=[ProcessingOutput(output_name=part, s3_output=ProcessingS3Output(
            s3_uri=f"s3://{bucket}/v3/{part}", local_path=f"/opt/ml/processing/output/{part}",
            s3_upload_mode="EndOfJob")) for part in ("train", "test")])
    job = processor.latest_job
    job.refresh()
    print("STATUS", job.processing_job_status)
    print("KEYS", sorted(o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix="v3/t")["Contents"]))
'''


def test_sdk_v3_script_processor_runs_offline(tmp_path):
    """SDK v3's own processing classes (sagemaker.core.processing.ScriptProcessor, shapes.ProcessingInput) send the
    same CreateProcessingJob, so the same runtime runs them (in .venv-v3: v2 and v3 cannot share one environment)."""
    v3_python = Path(__file__).resolve().parent.parent / ".venv-v3" / "bin" / "python"
    if not v3_python.exists():
        pytest.skip("needs .venv-v3 (make .venv-v3/.installed; make test builds it)")
    (tmp_path / "preprocessing.py").write_text(SPLIT)
    pd.DataFrame({"label": range(10), "x": range(10)}).to_csv(tmp_path / "housing.csv", index=False)
    done = subprocess.run([str(v3_python), "-c", V3_RUN], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "split 10 rows into 5 train and 5 test on ['algo-1'] in sagemaker-scikit-learn-" in done.stdout
    assert "STATUS Completed" in done.stdout
    assert "KEYS ['v3/test/test.csv', 'v3/train/train.csv']" in done.stdout


def test_an_interrupt_report_names_the_processing_jobs_own_calls():
    """Ctrl-C while a processing job runs: the one-line report says how to wait again and how to stop it."""
    from sagemaker_offline.interrupts import Interrupts

    report = Interrupts.report(None, [("processing", "prep-1")])
    assert "the processing job 'prep-1' did not" in report
    assert "processor.latest_job.wait() waits again" in report
    assert "sagemaker_client.stop_processing_job(ProcessingJobName='prep-1') stops it" in report


def test_a_script_that_calls_boto3_reaches_the_same_offline_aws(course, housing, tmp_path):
    """On AWS the script's boto3 calls go to the account with the job's role; offline they go to this offline AWS
    (its loopback server, through the AWS_ENDPOINT_URL the kernel's environment carries), never to the network."""
    bucket, key = housing[0][len("s3://"):].split("/", 1)
    script = textwrap.dedent(f'''
        import boto3
        body = boto3.client("s3").get_object(Bucket={bucket!r}, Key={key!r})["Body"].read()
        print("first line:", body.decode().splitlines()[0])
    ''')
    processor = _processor(course)
    processor.run(code=_script(tmp_path, script, "reads_s3.py"), logs=False)
    _, text = _log(course, processor.latest_job.job_name)
    assert text == "first line: " + ",".join(housing[1].columns)


def test_xgboost_processor_a_framework_processor_unpacks_its_source_dir_and_runs_the_entry_point(
        course, housing, tmp_path):
    """XGBoostProcessor (a FrameworkProcessor) uploads sourcedir.tar.gz and a runproc.sh that unpacks it and runs
    `python3 <entry point> "$@"` (SDK v2 processing.py, _generate_framework_script); offline the same steps run."""
    from sagemaker.processing import ProcessingInput, ProcessingOutput
    from sagemaker.xgboost.processing import XGBoostProcessor

    source = tmp_path / "src"
    (source / "lib").mkdir(parents=True)
    (source / "lib" / "split_rows.py").write_text("def half(frame):\n    return frame.iloc[: len(frame) // 2]\n")
    (source / "split.py").write_text(textwrap.dedent('''
        import os, sys
        import pandas as pd
        from lib.split_rows import half  # a module beside the entry point, from the unpacked source_dir
        frame = half(pd.read_csv("/opt/ml/processing/input/data/housing.csv"))
        frame.to_csv("/opt/ml/processing/output/train/half.csv", index=False)
        print("kept", len(frame), "rows; args", sys.argv[1:], "cwd", os.path.basename(os.getcwd()))
    '''))
    processor = XGBoostProcessor(framework_version="1.7-1", role=course.role, instance_type="ml.m5.xlarge",
                                 instance_count=1, sagemaker_session=course.session)
    processor.run(code="split.py", source_dir=str(source), arguments=["--mode", "half"], logs=False,
                  inputs=[ProcessingInput(source=housing[0], destination="/opt/ml/processing/input/data")],
                  outputs=[ProcessingOutput(source="/opt/ml/processing/output/train",
                                            destination=course.s3_uri("processing", "framework", "train"))])
    described = processor.latest_job.describe()
    assert described["ProcessingJobStatus"] == "Completed", described.get("FailureReason")
    assert described["AppSpecification"]["ContainerEntrypoint"][0] == "/bin/bash"
    _, text = _log(course, processor.latest_job.job_name)
    assert text == f"kept {len(housing[1]) // 2} rows; args ['--mode', 'half'] cwd code"
    assert _keys(course, "framework") == ["train/half.csv"]


def test_a_framework_processor_with_requirements_txt_is_refused_before_anything_runs(course, tmp_path):
    from botocore.exceptions import ClientError
    from sagemaker.xgboost.processing import XGBoostProcessor

    source = tmp_path / "src"
    source.mkdir()
    (source / "split.py").write_text("print('never runs')\n")
    (source / "requirements.txt").write_text("lightgbm\n")
    processor = XGBoostProcessor(framework_version="1.7-1", role=course.role, instance_type="ml.m5.xlarge",
                                 instance_count=1, sagemaker_session=course.session)
    with pytest.raises(ClientError, match="requirements.txt.*runproc.sh installs with pip"):
        processor.run(code="split.py", source_dir=str(source), logs=False)


def test_an_input_prefix_with_no_objects_fails_the_job_before_the_script_runs(course, tmp_path):
    from sagemaker.exceptions import UnexpectedStatusException
    from sagemaker.processing import ProcessingInput

    missing = course.s3_uri("processing", "nothing-here")
    processor = _processor(course)
    with pytest.raises(UnexpectedStatusException, match="No S3 objects found under S3 URL"):
        processor.run(code=_script(tmp_path, "print('never runs')\n", "never.py"), logs=False,
                      inputs=[ProcessingInput(source=missing, destination="/opt/ml/processing/input/data")])
    described = processor.latest_job.describe()
    assert described["FailureReason"].startswith(f'ClientError: Data download failed:No S3 objects found under S3 URL "'
                                                 f'{missing}"')
    assert _log(course, processor.latest_job.job_name) == ([], "")
