"""Script mode through the kit's other entry points (issue 23, item 6): a scikit-learn featurizer trained and served
from its script, a script that raises, and an inference pipeline of featurizer + built-in XGBoost, run by a learner's
own notebook with `%load_ext helpers.offline`, by the AWS CLI against the kernel's offline AWS and in a terminal of
`python -m sagemaker_offline`, by the pytest plugin, and by a plain script without a main guard. The runtime's own
tests of script mode are in tests/test_script_mode.py; these run the same real jobs from the outside."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from helpers.course import data
from tests.test_offline_interrupts import Kernel, all_gone
from tests.test_offline_library import REAL_LOOKING, SOCKET_GUARD
from tests.test_script_mode import FEATURIZE, featurizer  # noqa: F401 (the featurizer fixture, fitted once per module)

ROOT = Path(__file__).resolve().parent.parent

# A featurizer whose training raises after printing a line, as a learner's broken script does.
RAISING = FEATURIZE.replace("scaler = StandardScaler",
                            "print('about to fail')\n    raise ValueError('no numeric columns here')\n"
                            "    scaler = StandardScaler")

# errors._CalledProcessError.__str__ of aws/sagemaker-training-toolkit behind SageMaker's "AlgorithmError: "; the
# scikit-learn container runs the script without capture_error, so ErrorMessage is empty (script_training.py).
RAISING_REASON_START = 'AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage ""\nCommand "'


def _clean_env(**extra: str) -> dict[str, str]:
    """This environment without any AWS_* variable (a module fixture may have an offline AWS running), with the kit
    importable and credentials a developer may have, which must never be used."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | REAL_LOOKING
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env | extra


# -- %load_ext helpers.offline in a learner's own notebook -----------------------------------------------------------
NOTEBOOK_CELLS = [
    "%load_ext helpers.offline",
    "import os\nos.makedirs('code', exist_ok=True)",
    "%%writefile code/featurize.py\n" + FEATURIZE.lstrip(),
    "%%writefile code/broken.py\n" + RAISING.lstrip(),
    textwrap.dedent('''\
        import io, json
        import numpy as np, pandas as pd, sagemaker
        from sagemaker import get_execution_role, image_uris
        from sagemaker.estimator import Estimator
        from sagemaker.exceptions import UnexpectedStatusException
        from sagemaker.inputs import TrainingInput
        from sagemaker.pipeline import PipelineModel
        from sagemaker.sklearn import SKLearn

        session = sagemaker.Session()
        bucket, role, prefix = session.default_bucket(), get_execution_role(), "DEMO-script-mode"
        rng = np.random.default_rng(0)
        features = rng.normal(size=(240, 5)) * [1, 10, 100, 0.1, 5] + [0, 50, 500, 1, -3]
        label = features @ [1.0, 0.2, 0.01, 8.0, -0.5] + rng.normal(scale=0.3, size=240)
        pd.DataFrame(np.column_stack([label[:200], features[:200]])).to_csv("train.csv", header=False, index=False)
        os.makedirs("raw", exist_ok=True)
        pd.DataFrame(features[:200]).to_csv("raw/train_features.csv", header=False, index=False)
        pd.DataFrame(features[200:]).to_csv("raw/test.csv", header=False, index=False)
        train_uri = session.upload_data("train.csv", bucket, f"{prefix}/train")
        raw_uri = session.upload_data("raw", bucket, f"{prefix}/raw")
        test_uri = f"{raw_uri}/test.csv"
    '''),
    textwrap.dedent('''\
        featurizer = SKLearn(entry_point="featurize.py", source_dir="code", framework_version="1.2-1", role=role,
                             instance_type="ml.m5.large", instance_count=1, hyperparameters={"with_mean": 1})
        featurizer.fit({"train": train_uri})
    '''),
    textwrap.dedent('''\
        # step 1 of 2: featurize the raw features (train and test) in one batch transform job
        scaling = featurizer.transformer(1, "ml.m5.large", accept="text/csv", assemble_with="Line",
                                         output_path=f"s3://{bucket}/{prefix}/scaled")
        scaling.transform(raw_uri, content_type="text/csv", split_type="Line", logs=False)
        read = lambda uri: session.read_s3_file(bucket, uri.split(bucket + "/", 1)[1])
        scaled_train = pd.read_csv(io.StringIO(read(f"{scaling.output_path}/raw/train_features.csv.out")), header=None)
        scaled_train.insert(0, "label", label[:200])
        scaled_train.to_csv("scaled_train.csv", header=False, index=False)
        scaled_train_uri = session.upload_data("scaled_train.csv", bucket, f"{prefix}/scaled-train")
    '''),
    textwrap.dedent('''\
        # step 2 of 2: the built-in XGBoost trained and run on the featurized data
        xgb = Estimator(image_uris.retrieve("xgboost", session.boto_region_name, "1.7-1"), role, instance_count=1,
                        instance_type="ml.m5.large", output_path=f"s3://{bucket}/{prefix}/xgb",
                        hyperparameters={"objective": "reg:squarederror", "num_round": 20, "max_depth": 3})
        xgb.fit({"train": TrainingInput(scaled_train_uri, content_type="text/csv")}, logs=False)
        predicting = xgb.transformer(1, "ml.m5.large", accept="text/csv", assemble_with="Line",
                                     output_path=f"s3://{bucket}/{prefix}/two-step")
        predicting.transform(f"{scaling.output_path}/raw/test.csv.out", content_type="text/csv", split_type="Line",
                             logs=False)
    '''),
    textwrap.dedent('''\
        # the same as one inference pipeline on the raw test CSV
        pipeline = PipelineModel(models=[featurizer.create_model(env={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"}),
                                         xgb.create_model()], role=role)
        one_job = pipeline.transformer(1, "ml.m5.large", accept="text/csv", assemble_with="Line",
                                       output_path=f"s3://{bucket}/{prefix}/pipeline")
        one_job.transform(test_uri, content_type="text/csv", split_type="Line", logs=False)
    '''),
    textwrap.dedent('''\
        broken = SKLearn(entry_point="broken.py", source_dir="code", framework_version="1.2-1", role=role,
                         instance_type="ml.m5.large", instance_count=1)
        try:
            broken.fit({"train": train_uri}, logs=False)
        except UnexpectedStatusException:
            pass
        described = session.sagemaker_client.describe_training_job(TrainingJobName=broken.latest_training_job.name)
        logs = session.boto_session.client("logs")
        stream = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                           logStreamNamePrefix=described["TrainingJobName"] + "/")["logStreams"][0]
        events = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", startFromHead=True,
                                     logStreamName=stream["logStreamName"])["events"]
        print("RESULT", json.dumps({
            "piped": read(f"{one_job.output_path}/test.csv.out"),
            "stepped": read(f"{predicting.output_path}/test.csv.out.out"),
            "containers": [c["Image"] for c in session.sagemaker_client.describe_model(
                ModelName=one_job.model_name)["Containers"]],
            "broken_status": described["TrainingJobStatus"], "broken_reason": described["FailureReason"],
            "broken_log": "\\n".join(e["message"] for e in events)}))
    '''),
]


def _notebook(cells: list[str]):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def _outputs_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def test_load_ext_runs_a_learners_script_mode_notebook_and_its_pipeline_equals_the_two_step_run(tmp_path):
    """A notebook written as the AWS examples are, with `%load_ext helpers.offline` first, run in a real kernel: the
    SDK uploads code/ as sourcedir.tar.gz from the notebook's folder, the featurizer trains and serves, and the
    pipeline's predictions are the two-step run's, byte for byte."""
    from nbclient import NotebookClient

    notebook = _notebook(NOTEBOOK_CELLS)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    started = time.monotonic()
    with client.setup_kernel(env=_clean_env()):
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)  # raises CellExecutionError, with the cell's traceback, if a cell fails
    seconds = time.monotonic() - started
    assert "SageMaker offline: every boto3 and SageMaker SDK call" in _outputs_text(notebook.cells[0])
    fit_log = _outputs_text(notebook.cells[5])
    assert "fitted a StandardScaler on 200 rows" in fit_log, fit_log  # the script's own print, in fit()'s log
    assert "Completed - Training job completed" in fit_log
    result = json.loads(_outputs_text(notebook.cells[-1]).split("RESULT ", 1)[1])
    assert [image.rsplit("/", 1)[-1] for image in result["containers"]] == [
        "sagemaker-scikit-learn:1.2-1-cpu-py3", "sagemaker-xgboost:1.7-1"]
    piped = np.loadtxt(result["piped"].splitlines(), delimiter=",")
    assert piped.shape == (40,)
    assert result["piped"] == result["stepped"]
    assert result["broken_status"] == "Failed"
    assert result["broken_reason"].startswith(RAISING_REASON_START) and result["broken_reason"].endswith(' broken.py"')
    assert "about to fail" in result["broken_log"]
    assert "Traceback (most recent call last):" in result["broken_log"]
    assert "ValueError: no numeric columns here" in result["broken_log"]
    assert seconds < 120, seconds


# -- the AWS CLI against the kernel's offline AWS --------------------------------------------------------------------
def aws(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`aws ...` as a cell's `!aws ...` runs it: a child process with the kernel's environment."""
    done = subprocess.run(["aws", *args], capture_output=True, text=True, timeout=300, env=os.environ.copy())
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _sourcedir(files: dict[str, str]) -> bytes:
    """sourcedir.tar.gz as the SDK packs it (sagemaker.fw_utils.tar_and_upload_dir): the files at the archive's root."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            tar.addfile(info, io.BytesIO(text.encode()))
    return buffer.getvalue()


def _script_job_request(name: str, role: str, image: str, code_uri: str, program: str, train_uri: str,
                        output_uri: str) -> dict:
    """CreateTrainingJob of a script-mode job as the SDK's SKLearn estimator sends it (JSON-encoded hyperparameters)."""
    return {
        "TrainingJobName": name, "RoleArn": role,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "HyperParameters": {"sagemaker_program": json.dumps(program), "sagemaker_submit_directory": json.dumps(code_uri),
                            "sagemaker_container_log_level": "20", "sagemaker_region": '"us-west-2"'},
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": train_uri, "S3DataDistributionType": "FullyReplicated"}}}],
        "OutputDataConfig": {"S3OutputPath": output_uri},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
    }


def _stream_messages(group: str, job: str) -> list[str]:
    streams = json.loads(aws("logs", "describe-log-streams", "--log-group-name", group,
                             "--log-stream-name-prefix", job + "/").stdout)["logStreams"]
    assert streams, f"no log stream for {job}"
    return [m for s in streams for m in json.loads(aws(
        "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", s["logStreamName"],
        "--start-from-head", "--query", "events[].message").stdout)]


def test_cli_describes_a_script_mode_job_and_reads_its_log_stream(course, course_data, featurizer):
    name = featurizer.latest_training_job.name
    job = json.loads(aws("sagemaker", "describe-training-job", "--training-job-name", name).stdout)
    assert job["TrainingJobStatus"] == "Completed"
    assert job["HyperParameters"]["sagemaker_program"] == '"featurize.py"'
    assert job["AlgorithmSpecification"]["TrainingImage"].endswith("/sagemaker-scikit-learn:1.2-1-cpu-py3")
    assert job["ModelArtifacts"]["S3ModelArtifacts"].endswith(f"/{name}/output/model.tar.gz")
    messages = _stream_messages("/aws/sagemaker/TrainingJobs", name)
    assert f"fitted a StandardScaler on {len(course_data.train)} rows; hosts [\"algo-1\"]" in messages
    assert any(m.endswith(" featurize.py --with_mean 1") for m in messages), messages


def test_cli_creates_a_raising_script_mode_job_the_waiter_reports_it_and_the_log_has_the_traceback(
        course, course_data, featurizer, tmp_path):
    key = f"{course.prefix}/cli-script/code/sourcedir.tar.gz"
    (tmp_path / "sourcedir.tar.gz").write_bytes(_sourcedir({"broken.py": RAISING}))
    aws("s3", "cp", str(tmp_path / "sourcedir.tar.gz"), f"s3://{course.bucket}/{key}")
    image = featurizer.training_image_uri()
    request = _script_job_request("cli-raising-script", course.role, image, f"s3://{course.bucket}/{key}", "broken.py",
                                  course_data.train_uri, course.s3_uri("cli-script", "out"))
    (tmp_path / "job.json").write_text(json.dumps(request))
    aws("sagemaker", "create-training-job", "--cli-input-json", f"file://{tmp_path / 'job.json'}")
    waited = aws("sagemaker", "wait", "training-job-completed-or-stopped", "--training-job-name", "cli-raising-script",
                 check=False)
    # botocore's TrainingJobCompletedOrStopped waiter: Failed is its failure acceptor
    assert waited.returncode == 255 and "Waiter encountered a terminal failure state" in waited.stderr, waited.stderr
    job = json.loads(aws("sagemaker", "describe-training-job", "--training-job-name", "cli-raising-script").stdout)
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith(RAISING_REASON_START) and job["FailureReason"].endswith(' broken.py"')
    messages = "\n".join(_stream_messages("/aws/sagemaker/TrainingJobs", "cli-raising-script"))
    assert "about to fail" in messages
    assert "Traceback (most recent call last):" in messages and "ValueError: no numeric columns here" in messages
    assert "Reporting training FAILURE" in messages


def test_cli_creates_a_pipeline_model_and_its_transform_job_scores_the_raw_csv(
        course, course_data, featurizer, model_data, booster, tmp_path):
    from sklearn.preprocessing import StandardScaler
    import xgboost

    from helpers.course import models

    scaling = featurizer.create_model(env={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"})
    containers = [scaling.prepare_container_def(instance_type="ml.m5.large"),
                  {"Image": models.image_uri(course), "ModelDataUrl": model_data}]
    (tmp_path / "containers.json").write_text(json.dumps(containers))
    aws("sagemaker", "create-model", "--model-name", "cli-pipeline", "--execution-role-arn", course.role,
        "--containers", f"file://{tmp_path / 'containers.json'}")
    request = {
        "TransformJobName": "cli-pipeline-job", "ModelName": "cli-pipeline",
        "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": course_data.test_uri}},
                           "ContentType": "text/csv", "SplitType": "Line"},
        "TransformOutput": {"S3OutputPath": course.s3_uri("cli-pipeline", "out"), "AssembleWith": "Line",
                            "Accept": "text/csv"},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
    }
    (tmp_path / "transform.json").write_text(json.dumps(request))
    aws("sagemaker", "create-transform-job", "--cli-input-json", f"file://{tmp_path / 'transform.json'}")
    aws("sagemaker", "wait", "transform-job-completed-or-stopped", "--transform-job-name", "cli-pipeline-job")
    job = json.loads(aws("sagemaker", "describe-transform-job", "--transform-job-name", "cli-pipeline-job").stdout)
    assert job["TransformJobStatus"] == "Completed", job.get("FailureReason")
    body = aws("s3", "cp", course.s3_uri("cli-pipeline", "out", "test.csv.out"), "-").stdout
    served = np.loadtxt(body.splitlines(), delimiter=",")
    # the featurizer's scaler, then the course's booster, run here (CSV between them carries float32 as the
    # sklearn container's encoder writes it, which parses back to the same float32)
    scaled = StandardScaler().fit(course_data.train[data.FEATURES].to_numpy("float32")).transform(
        course_data.test[data.FEATURES].to_numpy("float32"))
    # the 1.7-1 container predicts with the best trees of the early-stopped model (tests/test_offline_aws.py)
    expected = booster.predict(xgboost.DMatrix(scaled), iteration_range=(0, int(booster.attr("best_ntree_limit"))))
    assert served.shape == (len(course_data.test),)
    np.testing.assert_allclose(served, expected, rtol=1e-6)


def test_cli_stops_a_running_script_mode_job_and_its_script_process_ends(course, course_data, featurizer, tmp_path):
    import psutil

    key = f"{course.prefix}/cli-stop/code/sourcedir.tar.gz"
    (tmp_path / "sourcedir.tar.gz").write_bytes(_sourcedir({"sleeper.py": SLEEPER}))
    aws("s3", "cp", str(tmp_path / "sourcedir.tar.gz"), f"s3://{course.bucket}/{key}")
    request = _script_job_request("cli-stopped-script", course.role, featurizer.training_image_uri(),
                                  f"s3://{course.bucket}/{key}", "sleeper.py", course_data.train_uri,
                                  course.s3_uri("cli-stop", "out"))
    request["HyperParameters"].update(seconds="600", pid_file=json.dumps(str(tmp_path / "pid")))
    (tmp_path / "job.json").write_text(json.dumps(request))
    aws("sagemaker", "create-training-job", "--cli-input-json", f"file://{tmp_path / 'job.json'}")
    script = psutil.Process(_wait_for_pid(course.session, "cli-stopped-script", str(tmp_path / "pid")))
    aws("sagemaker", "stop-training-job", "--training-job-name", "cli-stopped-script")
    aws("sagemaker", "wait", "training-job-completed-or-stopped", "--training-job-name", "cli-stopped-script")
    status = aws("sagemaker", "describe-training-job", "--training-job-name", "cli-stopped-script",
                 "--query", "TrainingJobStatus", "--output", "text").stdout.strip()
    assert status == "Stopped"
    assert all_gone([script], timeout=5) == []


# A Processing job's script as SKLearnProcessor.run(code=...) places it: it reads its input folder, writes its output.
PROCESSING_SCRIPT = """\
import pandas as pd
frame = pd.read_csv("/opt/ml/processing/input/data/train.csv", header=None)  # the course's training CSV: no header
frame.describe().to_csv("/opt/ml/processing/output/stats/stats.csv")
print(f"described {len(frame)} rows")
"""


def test_cli_creates_a_processing_job_the_waiter_sees_it_complete_and_its_output_and_log_are_there(
        course, course_data, featurizer, tmp_path):
    code_key = f"{course.prefix}/cli-processing/code/describe.py"
    (tmp_path / "describe.py").write_text(PROCESSING_SCRIPT)
    aws("s3", "cp", str(tmp_path / "describe.py"), f"s3://{course.bucket}/{code_key}")
    output_uri = course.s3_uri("cli-processing", "stats")
    request = {  # CreateProcessingJob as SKLearnProcessor.run() sends it (sagemaker/processing.py)
        "ProcessingJobName": "cli-processing-job", "RoleArn": course.role,
        "AppSpecification": {"ImageUri": featurizer.training_image_uri(),
                             "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/describe.py"]},
        "ProcessingInputs": [
            {"InputName": "data", "S3Input": {"S3Uri": course_data.train_uri, "LocalPath": "/opt/ml/processing/input/data",
                                              "S3DataType": "S3Prefix", "S3InputMode": "File"}},
            {"InputName": "code", "S3Input": {"S3Uri": f"s3://{course.bucket}/{code_key}",
                                              "LocalPath": "/opt/ml/processing/input/code",
                                              "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "stats", "S3Output": {
            "S3Uri": output_uri, "LocalPath": "/opt/ml/processing/output/stats", "S3UploadMode": "EndOfJob"}}]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                                  "VolumeSizeInGB": 30}},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    (tmp_path / "job.json").write_text(json.dumps(request))
    aws("sagemaker", "create-processing-job", "--cli-input-json", f"file://{tmp_path / 'job.json'}")
    aws("sagemaker", "wait", "processing-job-completed-or-stopped", "--processing-job-name", "cli-processing-job")
    job = json.loads(aws("sagemaker", "describe-processing-job", "--processing-job-name", "cli-processing-job").stdout)
    assert job["ProcessingJobStatus"] == "Completed", job.get("FailureReason")
    aws("s3", "cp", f"{output_uri}/stats.csv", str(tmp_path / "stats.csv"))
    stats = (tmp_path / "stats.csv").read_text()
    assert stats.startswith(",0,1,") and f"\ncount,{len(course_data.train)}.0," in stats
    assert f"described {len(course_data.train)} rows" in _stream_messages("/aws/sagemaker/ProcessingJobs",
                                                                           "cli-processing-job")


def test_a_terminal_of_python_m_sagemaker_offline_runs_a_script_mode_job_with_aws_commands_alone(tmp_path):
    """`python -m sagemaker_offline -c ...` (make offline-shell): upload the code and data with `aws s3 cp`, create the
    job from its JSON, wait, describe: the runtime in that process runs the script."""
    from sagemaker_offline.service import OFFLINE_ROLE_NAME

    bucket = "sagemaker-us-west-2-123456789012"
    (tmp_path / "sourcedir.tar.gz").write_bytes(_sourcedir({"featurize.py": FEATURIZE}))
    rows = np.random.default_rng(0).normal(size=(30, 4))
    np.savetxt(tmp_path / "train.csv", rows, delimiter=",")
    image = "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    request = _script_job_request("terminal-script-job", f"arn:aws:iam::123456789012:role/{OFFLINE_ROLE_NAME}", image,
                                  f"s3://{bucket}/code/sourcedir.tar.gz", "featurize.py", f"s3://{bucket}/train/",
                                  f"s3://{bucket}/out")
    (tmp_path / "job.json").write_text(json.dumps(request))
    commands = " && ".join([
        f"aws s3 cp sourcedir.tar.gz s3://{bucket}/code/sourcedir.tar.gz --quiet",
        f"aws s3 cp train.csv s3://{bucket}/train/train.csv --quiet",
        "aws sagemaker create-training-job --cli-input-json file://job.json --query TrainingJobArn --output text",
        "aws sagemaker wait training-job-completed-or-stopped --training-job-name terminal-script-job",
        "aws sagemaker describe-training-job --training-job-name terminal-script-job "
        "--query '[TrainingJobStatus, ModelArtifacts.S3ModelArtifacts]' --output text",
    ])
    done = subprocess.run([sys.executable, "-m", "sagemaker_offline", "-c", commands], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=_clean_env())
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert done.stdout.split()[-2:] == ["Completed", f"s3://{bucket}/out/terminal-script-job/output/model.tar.gz"]


# -- the pytest plugin ----------------------------------------------------------------------------------------------
PLUGIN_TESTS = '''
import json
import textwrap

import numpy as np
import pytest
import xgboost
from sagemaker.exceptions import UnexpectedStatusException
from sagemaker.model import Model
from sagemaker.pipeline import PipelineModel
from sagemaker.sklearn import SKLearn
from sagemaker.transformer import Transformer
from sklearn.preprocessing import StandardScaler

FEATURIZE = {featurize!r}
RAISING = {raising!r}


@pytest.fixture(scope="module")
def data_uris(offline_session, offline_bucket, tmp_path_factory):
    rows = np.random.default_rng(1).normal(size=(60, 5)) * [1, 1, 10, 100, 1000]
    folder = tmp_path_factory.mktemp("data")
    np.savetxt(folder / "train.csv", rows, delimiter=",")
    np.savetxt(folder / "test.csv", rows[:12, 1:], delimiter=",")
    up = lambda name: offline_session.upload_data(str(folder / name), offline_bucket, "my-tests/" + name[:-4])
    return rows, up("train.csv"), up("test.csv")


def _estimator(session, role, bucket, folder, script, entry_point):
    (folder / entry_point).write_text(script)
    return SKLearn(entry_point=entry_point, source_dir=str(folder), framework_version="1.2-1", role=role,
                   instance_type="ml.m5.large", instance_count=1, sagemaker_session=session,
                   output_path=f"s3://{{bucket}}/my-tests/models")


@pytest.fixture(scope="module")
def featurizer(offline_session, offline_role, offline_bucket, data_uris, tmp_path_factory):
    estimator = _estimator(offline_session, offline_role, offline_bucket, tmp_path_factory.mktemp("src"), FEATURIZE,
                           "featurize.py")
    estimator.fit({{"train": data_uris[1]}}, logs=False)
    return estimator


def _read(session, uri):
    bucket, key = uri[len("s3://"):].split("/", 1)
    return session.read_s3_file(bucket, key)


def test_my_featurizer_scales_the_test_rows(offline_session, offline_bucket, offline_prefix, featurizer, data_uris):
    rows, _, test_uri = data_uris
    transformer = featurizer.transformer(1, "ml.m5.large", accept="text/csv", assemble_with="Line",
                                         output_path=f"s3://{{offline_bucket}}/{{offline_prefix}}/out")
    transformer.transform(test_uri, content_type="text/csv", split_type="Line", logs=False)
    scaled = np.loadtxt(_read(offline_session, transformer.output_path + "/test.csv.out").splitlines(), delimiter=",")
    expected = StandardScaler().fit(rows[:, 1:].astype("float32")).transform(rows[:12, 1:].astype("float32"))
    np.testing.assert_allclose(scaled, expected, rtol=1e-5, atol=1e-5)


def test_my_broken_script_fails_with_the_reason_and_the_traceback(offline_session, offline_role, offline_bucket,
                                                                 data_uris, tmp_path):
    estimator = _estimator(offline_session, offline_role, offline_bucket, tmp_path, RAISING, "featurize.py")
    with pytest.raises(UnexpectedStatusException):
        estimator.fit({{"train": data_uris[1]}}, logs=False)
    job = offline_session.sagemaker_client.describe_training_job(TrainingJobName=estimator.latest_training_job.name)
    print("REASON", json.dumps(job["FailureReason"]))
    logs = offline_session.boto_session.client("logs")
    stream = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                       logStreamNamePrefix=job["TrainingJobName"] + "/")["logStreams"][0]
    text = "\\n".join(e["message"] for e in logs.get_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream["logStreamName"], startFromHead=True)["events"])
    assert job["TrainingJobStatus"] == "Failed"
    assert "ValueError: no numeric columns here" in text and "Traceback (most recent call last):" in text


def test_my_pipeline_scores_the_course_test_rows_as_the_two_steps_do(offline_session, offline_role, offline_bucket,
                                                                      offline_prefix, course_model, tmp_path):
    (tmp_path / "featurize.py").write_text(FEATURIZE)
    np.savetxt(tmp_path / "train.csv", np.column_stack([course_model.test["MEDV"],
                                                       course_model.test.drop(columns="MEDV")]), delimiter=",")
    train_uri = offline_session.upload_data(str(tmp_path / "train.csv"), offline_bucket, offline_prefix + "/train")
    scaler = _estimator(offline_session, offline_role, offline_bucket, tmp_path, FEATURIZE, "featurize.py")
    scaler.fit({{"train": train_uri}}, logs=False)
    out = f"s3://{{offline_bucket}}/{{offline_prefix}}"
    step_one = scaler.transformer(1, "ml.m5.large", accept="text/csv", assemble_with="Line", output_path=out + "/one")
    step_one.transform(course_model.test_uri, content_type="text/csv", split_type="Line", logs=False)
    step_two = Transformer(model_name=course_model.name, instance_count=1, instance_type="ml.m5.large",
                           accept="text/csv", assemble_with="Line", output_path=out + "/two",
                           sagemaker_session=offline_session)
    step_two.transform(step_one.output_path + "/test.csv.out", content_type="text/csv", split_type="Line", logs=False)
    pipeline = PipelineModel(models=[scaler.create_model(env={{"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"}}),
                                     Model(image_uri=course_model.image_uri, model_data=course_model.model_data,
                                           role=offline_role, sagemaker_session=offline_session)],
                             role=offline_role, sagemaker_session=offline_session)
    one_job = pipeline.transformer(1, "ml.m5.large", accept="text/csv", assemble_with="Line", output_path=out + "/pipe")
    one_job.transform(course_model.test_uri, content_type="text/csv", split_type="Line", logs=False)
    piped = _read(offline_session, one_job.output_path + "/test.csv.out")
    assert len(piped.splitlines()) == len(course_model.test)
    assert piped == _read(offline_session, step_two.output_path + "/test.csv.out.out")
'''


def test_the_pytest_plugin_runs_a_learners_script_mode_tests(tmp_path):
    (tmp_path / "conftest.py").write_text(SOCKET_GUARD + "\n\ndef pytest_sessionfinish(session):\n"
                                          "    assert not LEFT_THE_MACHINE, LEFT_THE_MACHINE\n")
    (tmp_path / "test_my_featurizer.py").write_text(PLUGIN_TESTS.format(featurize=FEATURIZE, raising=RAISING))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | REAL_LOOKING
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-p", "no:nbval",
                           "test_my_featurizer.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout, done.stdout[-2000:]
    reason = json.loads(done.stdout.split("REASON ", 1)[1].splitlines()[0])
    assert reason.startswith(RAISING_REASON_START) and reason.endswith(' featurize.py"'), reason


# -- a plain script without a main guard -----------------------------------------------------------------------------
UNGUARDED = textwrap.dedent('''\
    import os, sys
    import numpy as np
    import helpers
    from sagemaker.sklearn import SKLearn

    with open(sys.argv[1], "a") as runs:  # one line each time this body runs, in whichever process
        runs.write(f"{os.getpid()}\\n")

    with helpers.offline() as aws:
        import sagemaker
        session = sagemaker.Session()
        bucket = session.default_bucket()
        rows = np.random.default_rng(2).normal(size=(40, 4))
        np.savetxt("train.csv", rows, delimiter=",")
        np.savetxt("test.csv", rows[:8, 1:], delimiter=",")
        train = session.upload_data("train.csv", bucket, "script/train")
        test = session.upload_data("test.csv", bucket, "script/test")
        estimator = SKLearn(entry_point="featurize.py", source_dir="code", framework_version="1.2-1",
                            role=sagemaker.get_execution_role(), instance_type="ml.m5.large", instance_count=1)
        estimator.fit({"train": train}, logs=False)
        transformer = estimator.transformer(2, "ml.m5.large", accept="text/csv", assemble_with="Line")
        transformer.transform(test, content_type="text/csv", split_type="Line", logs=False)
        out = session.read_s3_file(bucket, transformer.output_path.split(bucket + "/", 1)[1] + "/test.csv.out")
        print("ROWS", len(out.splitlines()))
        print("FROM THE SCRIPT", session.read_s3_file(bucket, "script/written-by-the-training-script.txt"))
''')

# The featurizer, also writing to S3 with boto3 itself, as a training script may: the job's process gets the
# environment that sends boto3 to the offline AWS (on AWS: the job's role credentials).
FEATURIZE_WRITING_S3 = FEATURIZE + textwrap.indent(textwrap.dedent('''\
    import boto3
    s3 = boto3.client("s3")
    bucket = s3.list_buckets()["Buckets"][0]["Name"]
    s3.put_object(Bucket=bucket, Key="script/written-by-the-training-script.txt", Body=b"scaler fitted")
'''), "    ")


def test_a_script_without_a_main_guard_trains_and_serves_a_script_mode_model_and_runs_its_body_once(tmp_path):
    from tests.test_offline_aws import GUARD

    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "featurize.py").write_text(FEATURIZE_WRITING_S3)
    (tmp_path / "score.py").write_text(UNGUARDED)
    (tmp_path / "sitecustomize.py").write_text(GUARD)  # every process refuses and records network connections
    runs, attempts = tmp_path / "runs.txt", tmp_path / "attempts.txt"
    env = _clean_env(NETWORK_ATTEMPTS_FILE=str(attempts))
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    done = subprocess.run([sys.executable, "score.py", str(runs)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-2:] == ["ROWS 8", "FROM THE SCRIPT scaler fitted"], \
        done.stdout[-2000:] + done.stderr[-3000:]
    assert len(runs.read_text().split()) == 1  # neither the script process nor the instances ran the body again
    assert not attempts.exists(), attempts.read_text()


# -- the script's process ends with the offline AWS, and survives an interrupt as a job does on AWS ------------------
SLEEPER = textwrap.dedent('''\
    import json, os, time
    # for the test: the job's log is published later; the job's name as the container has it (TRAINING_JOB_NAME, which
    # the training toolkit reads: aws/sagemaker-training-toolkit params.py TRAINING_JOB_ENV, environment.py job_name)
    job = json.loads(os.environ["SM_TRAINING_ENV"])["job_name"]
    assert job == os.environ["TRAINING_JOB_NAME"], (job, os.environ["TRAINING_JOB_NAME"])
    open(os.environ["SM_HP_PID_FILE"], "w").write(f"{os.getpid()} {job}")
    time.sleep(float(os.environ["SM_HP_SECONDS"]))
''')


def _wait_for_pid(session, name: str, pid_file: str, timeout: float = 60) -> int:
    """The process id the sleeper script of job `name` writes as it starts."""
    from botocore.exceptions import ClientError

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            session.sagemaker_client.describe_training_job(TrainingJobName=name)
        except ClientError:  # not created yet (a thread of the cell waits for it)
            pass
        if Path(pid_file).exists() and Path(pid_file).read_text():
            pid, job = Path(pid_file).read_text().split()
            assert job == name, (job, name)
            return int(pid)
        time.sleep(0.2)
    raise AssertionError(f"the script of {name} never started")


def test_stopping_the_offline_aws_ends_a_running_script_before_stop_returns(tmp_path):
    import sagemaker
    from sagemaker.sklearn import SKLearn

    import helpers

    helpers.offline.stop()  # a module fixture may have one running
    (tmp_path / "sleeper.py").write_text(SLEEPER)
    (tmp_path / "train.csv").write_text("1,2\n")
    with helpers.offline():
        session = sagemaker.Session()
        train = session.upload_data(str(tmp_path / "train.csv"), session.default_bucket(), "stop-test/train")
        estimator = SKLearn(entry_point="sleeper.py", source_dir=str(tmp_path), framework_version="1.2-1",
                            role=sagemaker.get_execution_role(), instance_type="ml.m5.large", instance_count=1,
                            sagemaker_session=session,
                            hyperparameters={"seconds": 600, "pid_file": str(tmp_path / "pid")})
        estimator.fit({"train": train}, wait=False, logs=False)
        pid = _wait_for_pid(session, estimator.latest_training_job.name, str(tmp_path / "pid"))
        os.kill(pid, 0)  # the script runs
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone as soon as the offline AWS is: nothing of the job outlives it


def test_end_all_ends_a_running_script_at_once_and_its_job_thread_sees_a_stop(tmp_path):
    """What OfflineAWS.stop() calls: the script's whole process group is gone when end_all() returns."""
    import threading

    import psutil

    from sagemaker_offline import script_training
    from sagemaker_offline.stopping import Stopped

    (tmp_path / "pid").write_text("")
    script = ("import os, subprocess, sys, time\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
              f"open({str(tmp_path / 'pid')!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
              "time.sleep(600)\n")
    stop, outcome = threading.Event(), []

    def run():
        try:
            outcome.append(script_training.run_process([sys.executable, "-c", script], tmp_path, dict(os.environ),
                                                       lambda line: None, stop))
        except Stopped:
            outcome.append("stopped")

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.time() + 30
    while not (tmp_path / "pid").read_text() and time.time() < deadline:
        time.sleep(0.05)
    pids = [int(p) for p in (tmp_path / "pid").read_text().split()]
    stop.set()  # as OfflineAWS.stop() abandons the job first
    script_training.end_all()
    for pid in pids:  # the script and the process it started: killed now, not at the job thread's next poll
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE, pid
    thread.join(10)
    assert outcome == ["stopped"]


def test_an_interrupt_stops_fit_not_the_script_and_a_kernel_restart_ends_the_script(tmp_path):
    """Jupyter's "Interrupt kernel" signals the kernel's process group: the script, in a session of its own like a
    job's container on AWS, goes on and the job completes; a restart (the kernel killed) ends the script, as it ends
    every offline process."""
    import psutil

    (tmp_path / "sleeper.py").write_text(SLEEPER)
    (tmp_path / "train.csv").write_text("1,2\n")
    kernel = Kernel()
    try:
        setup = kernel.run(textwrap.dedent(f'''\
            %load_ext helpers.offline
            import os, threading, sagemaker
            from sagemaker.sklearn import SKLearn
            from tests.test_script_mode_entry_points import _wait_for_pid
            session = sagemaker.Session()
            train = session.upload_data({str(tmp_path / "train.csv")!r}, session.default_bucket(), "interrupt/train")
            def sleeper(seconds, pid_file):
                return SKLearn(entry_point="sleeper.py", source_dir={str(tmp_path)!r}, framework_version="1.2-1",
                               role=sagemaker.get_execution_role(), instance_type="ml.m5.large", instance_count=1,
                               hyperparameters={{"seconds": seconds, "pid_file": pid_file}})
            print("kernel-pid", os.getpid())
        '''))
        assert setup["error"] is None, setup
        kernel_pid = int(setup["stdout"].split("kernel-pid ")[1].split()[0])
        # test instrumentation: a line in the cell's output once the script runs
        short_pid, long_pid = str(tmp_path / "short.pid"), str(tmp_path / "long.pid")
        result = kernel.run(f'short = sleeper(4, {short_pid!r})\n'
                            'threading.Thread(target=lambda: print("script-started", _wait_for_pid(session, '
                            f'"interrupted-fit", {short_pid!r}), flush=True), daemon=True).start()\n'
                            'short.fit({"train": train}, job_name="interrupted-fit")',
                            interrupt_after="script-started", delay=0.3)
        # SDK 2.257's telemetry decorator on Estimator.fit ends in `finally: ... return response`
        # (sagemaker/telemetry/telemetry_logging.py, _telemetry_emitter), which swallows the KeyboardInterrupt: fit()
        # returns None and the cell ends without an error, offline as on AWS. The script and its job run on.
        assert result["error"] is None and "Completed - Training job completed" not in result["stdout"], result
        script = psutil.Process(int(result["stdout"].split("script-started ")[1].split()[0]))
        assert script.is_running() and script.status() != psutil.STATUS_ZOMBIE
        waited = kernel.run("short.latest_training_job.wait(logs='None')\n"
                            "print(session.sagemaker_client.describe_training_job("
                            "TrainingJobName=short.latest_training_job.name)['TrainingJobStatus'])")
        assert waited["error"] is None and waited["stdout"].split()[-1] == "Completed", waited

        started = kernel.run(f'long = sleeper(600, {long_pid!r})\nlong.fit({{"train": train}}, wait=False, logs=False)\n'
                             f"print('long-pid', _wait_for_pid(session, long.latest_training_job.name, {long_pid!r}))")
        assert started["error"] is None, started
        script = psutil.Process(int(started["stdout"].split("long-pid ")[1].split()[0]))
        assert script.is_running()
        descendants = psutil.Process(kernel_pid).children(recursive=True)
        kernel.manager.restart_kernel(now=True)
        assert all_gone([script, *descendants]) == []
    finally:
        kernel.close()


# -- SDK v3: ModelTrainer with SourceCode under %load_ext, read back with the AWS CLI ---------------------------------
LOAD_EXT_MODEL_TRAINER = r'''
import json, os, subprocess, tempfile
from pathlib import Path
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
work = Path(tempfile.mkdtemp())
(work / "src").mkdir()
(work / "src" / "featurize.py").write_text(FEATURIZE)
(work / "train.csv").write_text("".join(f"{i},{i * 2},{i % 3}\n" for i in range(30)))
os.chdir(work)
for cell in ["%load_ext helpers.offline", """
from sagemaker.core import image_uris
from sagemaker.core.helper.session_helper import Session, get_execution_role
from sagemaker.train import ModelTrainer
from sagemaker.train.configs import Compute, InputData, SourceCode
session = Session()
train_uri = session.upload_data("train.csv", bucket=session.default_bucket(), key_prefix="v3-load-ext/train")
image = image_uris.retrieve(framework="sklearn", region=session.boto_region_name, version="1.2-1",
                            instance_type="ml.m5.large")
trainer = ModelTrainer(training_image=image, role=get_execution_role(session), base_job_name="v3-featurizer",
                       source_code=SourceCode(source_dir="src", entry_script="featurize.py"),
                       compute=Compute(instance_type="ml.m5.large", instance_count=1),
                       hyperparameters={"with_mean": 1})
trainer.train(input_data_config=[InputData(channel_name="train", data_source=train_uri)], logs=False)
name = trainer._latest_training_job.training_job_name
""", """
import json, subprocess
described = json.loads(subprocess.run(["aws", "sagemaker", "describe-training-job", "--training-job-name", name],
                                      capture_output=True, text=True, check=True).stdout)
streams = json.loads(subprocess.run(["aws", "logs", "describe-log-streams", "--log-group-name",
                                     "/aws/sagemaker/TrainingJobs", "--log-stream-name-prefix", name + "/"],
                                    capture_output=True, text=True, check=True).stdout)["logStreams"]
messages = json.loads(subprocess.run(["aws", "logs", "get-log-events", "--log-group-name", "/aws/sagemaker/TrainingJobs",
                                      "--log-stream-name", streams[0]["logStreamName"], "--start-from-head",
                                      "--query", "events[].message"], capture_output=True, text=True, check=True).stdout)
print("REPORT" + json.dumps({"status": described["TrainingJobStatus"],
                             "entrypoint": described["AlgorithmSpecification"].get("ContainerEntrypoint"),
                             "messages": messages}))
"""]:
    result = shell.run_cell(cell)
    assert result.error_in_exec is None, repr(result.error_in_exec)
'''


def test_load_ext_under_sdk_v3_trains_a_model_trainer_source_code_job_the_cli_reads_back():
    from tests.test_sdk_v3 import run_v3

    done = run_v3(f"FEATURIZE = {FEATURIZE!r}\n" + LOAD_EXT_MODEL_TRAINER, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    report = json.loads(done.stdout.split("REPORT", 1)[1].splitlines()[0])
    assert report["status"] == "Completed" and report["entrypoint"] == ["/bin/bash"], report
    assert "fitted a StandardScaler on 30 rows; hosts [\"algo-1\"]" in report["messages"], report["messages"][-20:]
