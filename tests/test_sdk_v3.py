"""SDK v3 and the course: the v2 notebooks' setup cell under v3 says in one line what to do, the helpers and the offline
AWS work without SDK v2 (the appendix, notebooks/A1_sdk_v3.ipynb), and .venv-v3 pins what .venv pins.

The v3 checks run in .venv-v3 (a subprocess): v2 and v3 cannot share one environment. `make test` builds it first."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from helpers.connection.names import CourseSetupError
from helpers.course.index import course_notebooks

ROOT = Path(__file__).resolve().parent.parent
V3_PYTHON = ROOT / ".venv-v3" / "bin" / "python"


def run_v3(script: str, timeout: int = 180) -> subprocess.CompletedProcess:
    if not V3_PYTHON.exists():
        pytest.skip("needs .venv-v3 (make .venv-v3/.installed; make test builds it)")
    return subprocess.run([str(V3_PYTHON), "-c", script], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def setup_cells() -> set[str]:
    """The first code cell of every v2 course notebook: the setup cell a learner runs first. (A2's `%load_ext` line is
    the offline AWS alone, which works under either SDK: test_load_ext_works_under_v3.)"""
    cells = set()
    for entry in course_notebooks("v2"):
        notebook = json.loads((ROOT / "notebooks" / entry["file"]).read_text())
        cell = "".join(next(c for c in notebook["cells"] if c["cell_type"] == "code")["source"])
        if not cell.lstrip().startswith("%load_ext"):
            cells.add(cell)
    return cells


LOAD_EXT_UNDER_V3 = r"""
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
result = shell.run_cell("%load_ext helpers.offline")
assert result.error_in_exec is None, result.error_in_exec
result = shell.run_cell(
    "import boto3\n"
    "from sagemaker.core.helper.session_helper import Session, get_execution_role\n"
    "session = Session()\n"
    "print('ROLE', get_execution_role(session))\n"
    "print('BUCKET', session.default_bucket())\n")
assert result.error_in_exec is None, result.error_in_exec
"""


def test_load_ext_works_under_v3():
    """A learner's own SDK v3 notebook gets the offline AWS from the same first line as a v2 one, as its role."""
    done = run_v3(LOAD_EXT_UNDER_V3)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "SageMaker offline: every boto3 and SageMaker SDK call" in done.stdout
    assert "ROLE arn:aws:iam::123456789012:role/" in done.stdout, done.stdout
    assert "BUCKET sagemaker-us-west-2-123456789012" in done.stdout, done.stdout


# The cell runs in an IPython shell, as in Jupyter: what the learner sees is what IPython prints for the error.
IN_IPYTHON = r"""
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
result = shell.run_cell(CELL)
error = result.error_in_exec
print("ERROR-TYPE:", type(error).__name__ if error else None)
"""


@pytest.mark.parametrize("cell", sorted(setup_cells()))
def test_v2_setup_cell_under_v3_says_in_one_line_what_to_do(cell):
    done = run_v3(f"CELL = {cell!r}\n" + IN_IPYTHON)
    assert done.returncode == 0, done.stderr[-2000:]
    shown = [line for line in done.stdout.splitlines() if line.strip() and not line.startswith("ERROR-TYPE:")]
    assert "ERROR-TYPE: CourseSetupError" in done.stdout, done.stdout + done.stderr
    assert len(shown) == 1, f"expected one line of advice, got:\n{done.stdout}"
    advice = shown[0]
    assert advice.startswith("CourseSetupError: This kernel has SageMaker Python SDK 3."), advice
    for hint in (".venv", "make lab", "notebooks/sdk-v3/", "same name", "Do not install SDK v2"):
        assert hint in advice, f"{hint!r} missing from: {advice}"
    assert "pip install 'sagemaker" not in advice  # never the downgrade of a Studio image's SDK
    assert "Traceback" not in done.stdout and "helpers/" not in done.stdout  # no frames of the kit


def test_appendix_setup_under_v2_says_where_it_runs():
    from helpers.connection import sdk_v3

    with pytest.raises(CourseSetupError, match=r"SDK v3 and this kernel has SDK 2\.\d+.*make lab-v3") as raised:
        sdk_v3.check_versions()
    assert "\n" not in str(raised.value)


# Under v3: helpers and the offline AWS import no v2-only module, and the appendix's calls open no network connection.
WITHOUT_V2 = r"""
import ipaddress, socket, sys
from importlib.metadata import version

assert version("sagemaker").startswith("3."), version("sagemaker")
attempts = []
real_connect = socket.socket.connect

def loopback_only(sock, address):
    host = address[0] if isinstance(address, tuple) else str(address)
    if host not in ("127.0.0.1", "::1", "localhost") and sock.family in (socket.AF_INET, socket.AF_INET6):
        attempts.append(address)
        raise OSError(f"offline mode opened a connection to {address}")
    return real_connect(sock, address)

real_getaddrinfo = socket.getaddrinfo

def local_names_only(host, *args, **kwargs):  # a name lookup comes before any connection to a named host
    try:
        ipaddress.ip_address(host)  # an address needs no lookup; connect() decides
    except ValueError:
        pass
    else:
        return real_getaddrinfo(host, *args, **kwargs)
    if host not in (None, "localhost"):
        attempts.append(host)
        raise OSError(f"offline mode looked up {host}")
    return real_getaddrinfo(host, *args, **kwargs)

socket.socket.connect = loopback_only
socket.getaddrinfo = local_names_only
for target in (("192.0.2.1", 443), ("example.com", 443)):  # the guard itself must see connections
    try:
        socket.create_connection(target, timeout=1)
    except OSError:
        pass
assert attempts == [("192.0.2.1", 443), "example.com"], attempts
attempts.clear()

import helpers
from helpers.course import data, models
from helpers.connection import sdk_v3

course = sdk_v3.connect(quiet=True)
course_data = models.upload_course_data(course)
from sagemaker.core import image_uris
from sagemaker.core.common_utils import name_from_base
from sagemaker.core.resources import Model
from sagemaker.core.s3 import S3Downloader
from sagemaker.core.shapes import ContainerDefinition
from sagemaker.core.transformer import Transformer
from sagemaker.serve import ModelBuilder

image_uri = image_uris.retrieve(framework="xgboost", region=course.region, version="1.7-1")
model_data = models.train_course_model(course, course_data)
built = ModelBuilder(image_uri=image_uri, s3_model_data_url=model_data, role_arn=course.role,
                     instance_type="ml.m4.xlarge", sagemaker_session=course.session).build(model_name="built")
described = Model.get(model_name="built", session=course.boto_session, region=course.region)
assert described.primary_container.model_data_url == model_data
transformer = Transformer(model_name=built.model_name, instance_count=1, instance_type="ml.m4.xlarge",
                          output_path=course.s3_uri("v3-test"), sagemaker_session=course.session)
transformer.transform(data=course_data.test_uri, content_type="text/csv", split_type="Line", logs=False)
out = S3Downloader.read_file(course.s3_uri("v3-test", "test.csv.out"), sagemaker_session=course.session)
assert len(out.splitlines()) == len(course_data.test), out[:200]
# RecordIO needs SDK v2's record_pb2: under v3 the job fails saying so, not as a bug of the kit.
from sagemaker.core.resources import TransformJob
from sagemaker.core.shapes import TransformDataSource, TransformInput, TransformOutput, TransformResources, TransformS3DataSource
try:
    TransformJob.create(
        transform_job_name="recordio-under-v3", model_name=built.model_name,
        transform_input=TransformInput(data_source=TransformDataSource(s3_data_source=TransformS3DataSource(
            s3_data_type="S3Prefix", s3_uri=course_data.test_uri)), content_type="text/csv", split_type="Line"),
        transform_output=TransformOutput(s3_output_path=course.s3_uri("v3-recordio"), accept="application/x-recordio-protobuf"),
        transform_resources=TransformResources(instance_type="ml.m4.xlarge", instance_count=1),
        session=course.boto_session, region=course.region).wait()
except Exception as failed:
    assert "SDK v3 removed" in str(failed) and "bug" not in str(failed), failed
else:
    raise AssertionError("a RecordIO job completed under SDK v3")

# The appendix's exercise 1 check passes notebook 04's SingleRecord job on one instance, and rejects others.
from helpers.checks import sdk_v3 as checks
predictions = [float(line) for line in out.splitlines()]
try:
    checks.check_single_record(transformer, course.session, predictions)
except AssertionError as wrong:
    assert "BatchStrategy" in str(wrong), wrong
else:
    raise AssertionError("check_single_record accepted a MultiRecord job")
single = Transformer(model_name=built.model_name, instance_count=1, instance_type=course.instance_type,
                     strategy="SingleRecord", output_path=course.s3_uri("v3-single"), sagemaker_session=course.session)
single.transform(data=course_data.test_uri, content_type="text/csv", split_type="Line", logs=False)
checks.check_single_record(single, course.session, predictions)  # the solution: prints Correct!
try:
    checks.check_single_record(built, course.session, predictions)
except AssertionError as wrong:
    assert "Transformer" in str(wrong), wrong
else:
    raise AssertionError("check_single_record accepted a Model")
v2_only = sorted(m for m in sys.modules if m in ("sagemaker.session", "sagemaker.estimator", "sagemaker.amazon.common"))
assert not v2_only, v2_only
assert not attempts, attempts
helpers.offline.stop()
print("ok")
"""


def test_helpers_and_offline_aws_work_under_v3_without_network():
    done = run_v3(WITHOUT_V2)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), (done.stdout + done.stderr)[-3000:]
    assert "Correct! One record per request on one instance" in done.stdout, done.stdout[-2000:]


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, spec = re.match(r"([A-Za-z0-9_.\-]+(?:\[[^\]]*\])?)(.*)", line).groups()
            pins[name.lower()] = spec.strip()
    return pins


def test_v3_requirements_pin_what_the_course_pins():
    """.venv-v3 differs from .venv only in the SDK (and JupyterLab, which the v3 kernel does not need)."""
    v2, v3 = _pins(ROOT / "requirements.txt"), _pins(ROOT / "requirements-v3.txt")
    assert v3.pop("sagemaker").startswith(">=3."), "requirements-v3.txt must pin SDK v3"
    assert v2.pop("sagemaker").startswith(">=2."), "requirements.txt must pin SDK v2"
    mismatched = {name: (v2.get(name), spec) for name, spec in v3.items() if v2.get(name) != spec}
    assert not mismatched, f"requirements-v3.txt pins differ from requirements.txt: {mismatched}"


def test_describe_model_omits_the_fields_a_model_was_created_without(course):
    """AWS leaves out VpcConfig and Containers when CreateModel had none; moto's empty ones break SDK v3's shapes."""
    client = course.sagemaker_client
    model_data = f"s3://{course.bucket}/model.tar.gz"
    course.s3_client.put_object(Bucket=course.bucket, Key="model.tar.gz", Body=b"model")  # CreateModel checks it
    client.create_model(ModelName="no-vpc", ExecutionRoleArn=course.role,
                        PrimaryContainer={"Image": "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1",
                                          "ModelDataUrl": model_data})
    described = client.describe_model(ModelName="no-vpc")
    assert "VpcConfig" not in described and "Containers" not in described, described
    assert described["PrimaryContainer"]["ModelDataUrl"] == model_data
    client.create_model(ModelName="with-vpc", ExecutionRoleArn=course.role,
                        PrimaryContainer={"Image": "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1",
                                          "ModelDataUrl": model_data},
                        VpcConfig={"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0123456789abcdef0"]})
    assert client.describe_model(ModelName="with-vpc")["VpcConfig"]["Subnets"] == ["subnet-0123456789abcdef0"]


def test_exercise_2_check_accepts_the_id_and_prediction_only():
    import pandas as pd

    from helpers.checks import sdk_v3 as checks

    test_with_ids = pd.DataFrame({"tract_id": ["T001", "T002"], "MEDV": [24.0, 21.6], "CRIM": [0.1, 0.2]})
    predictions = [25.5, 20.25]
    checks.check_id_and_prediction("T001,25.5\nT002,20.25\n", test_with_ids, predictions)
    wrong = {
        "T001,24.0,25.5\nT002,21.6,20.25\n": "MEDV",               # output_filter "$[0,1,-1]" kept the label
        "T001,25.5\n": "lines",                                    # a record lost
        "T002,20.25\nT001,25.5\n": "tract_id",                     # not in input order
        "T001,24.0\nT002,21.6\n": "prediction",                    # the label instead of the prediction
        "T001,x\nT002,y\n": "prediction",
    }
    for answer, hint in wrong.items():
        with pytest.raises(AssertionError, match=hint):
            checks.check_id_and_prediction(answer, test_with_ids, predictions)
    with pytest.raises(AssertionError, match="str"):
        checks.check_id_and_prediction(["T001,25.5"], test_with_ids, predictions)


V3_FIXTURES_TEST = '''
from sagemaker.core.helper.session_helper import get_execution_role


def test_the_offline_fixtures_under_v3(offline_session, offline_role, offline_bucket, course_model):
    assert get_execution_role(offline_session) == offline_role
    assert offline_bucket == offline_session.default_bucket()
    model = offline_session.sagemaker_client.describe_model(ModelName=course_model.name)
    assert model["PrimaryContainer"]["ModelDataUrl"] == course_model.model_data
'''


def test_the_pytest_fixtures_work_under_v3(tmp_path):
    if not V3_PYTHON.exists():
        pytest.skip("needs .venv-v3 (make .venv-v3/.installed; make test builds it)")
    (tmp_path / "test_v3_fixtures.py").write_text(V3_FIXTURES_TEST)
    done = subprocess.run([str(V3_PYTHON), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_v3_fixtures.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout[-4000:] + done.stderr[-2000:]


IMAGE_CHECK_UNDER_V3 = r"""
import pytest
from helpers.checks import training

eu = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
us = "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1"
training.check_image_uri(eu, "eu-west-1", "1.7-1", us)
with pytest.raises(AssertionError, match="registry account differs"):
    training.check_image_uri(us.replace("us-west-2", "eu-west-1"), "eu-west-1", "1.7-1", us)
"""


def test_image_uri_check_reads_v3s_table():
    """notebooks/sdk-v3/01's Exercise 2 check: SDK v3 removed sagemaker.image_uris, so it reads sagemaker.core's."""
    done = run_v3(IMAGE_CHECK_UNDER_V3)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "Correct!" in done.stdout


V3_TRACK_CLEAN_UP = r"""
import logging

from sagemaker.core.common_utils import name_from_base
from sagemaker.core.resources import Model, TrainingJob
from sagemaker.core.shapes import ContainerDefinition
from sagemaker.core.transformer import Transformer
from sagemaker.train import ModelTrainer
from sagemaker.train.configs import Compute, InputData, OutputDataConfig

from helpers.connection import sdk_v3
from helpers.connection.aws import resources
from helpers.course import models

course = sdk_v3.connect(quiet=True)
from sagemaker.serve import ModelBuilder  # after connect: sagemaker.serve needs a region at import
course_data = models.upload_course_data(course)
image = models.image_uri(course)
trainer = ModelTrainer(training_image=image, role=course.role, base_job_name=course.named("course-xgboost"),
                       compute=Compute(instance_type=course.instance_type, instance_count=1),
                       output_data_config=OutputDataConfig(s3_output_path=course.s3_uri("model")),
                       hyperparameters={"objective": "reg:squarederror", "num_round": 5},
                       sagemaker_session=course.session, tags=course.core_tags)
trainer.train(input_data_config=[InputData(channel_name="train", data_source=course_data.train_uri,
                                           content_type="text/csv")], logs=False)
job = max(TrainingJob.get_all(name_contains=trainer.base_job_name, session=course.boto_session, region=course.region),
          key=lambda j: j.creation_time)
artifact = job.model_artifacts.s3_model_artifacts
built = ModelBuilder(image_uri=image, s3_model_data_url=artifact, role_arn=course.role, sagemaker_session=course.session,
                     log_level=logging.WARNING).build(model_name=name_from_base(course.named("boston-xgboost")))
course.sagemaker_client.add_tags(ResourceArn=built.model_arn, Tags=course.tags)  # as notebooks/sdk-v3/02 does
core = Model.create(model_name=name_from_base(course.named("boston-core")), execution_role_arn=course.role,
                    primary_container=ContainerDefinition(image=image, model_data_url=artifact),
                    tags=course.core_tags, session=course.boto_session, region=course.region)
Transformer(model_name=built.model_name, instance_count=1, instance_type=course.instance_type,
            output_path=course.s3_uri("batch-transform-sdk"), tags=course.transformer_tags,
            base_transform_job_name=course.named("boston-xgboost"),
            sagemaker_session=course.session).transform(data=course_data.test_uri, content_type="text/csv",
                                                        split_type="Line", logs=False)
everything = [o["Key"] for o in course.s3_client.list_objects_v2(Bucket=course.bucket).get("Contents", [])]
outside = [key for key in everything if not key.startswith(course.prefix + "/")]
assert not outside, f"the v3 calls wrote outside the course prefix: {outside}"
report = resources.clean_up(course, quiet=True)
assert sorted(report.models) == sorted([built.model_name, core.model_name]), report.models
assert len(report.s3_objects) == len(everything), (report.s3_objects, everything)
assert course.sagemaker_client.list_models()["Models"] == []
assert course.s3_client.list_objects_v2(Bucket=course.bucket).get("KeyCount", 0) == 0
print("CLEANED", len(report.models), len(report.s3_objects))
"""


def test_clean_up_finds_everything_the_v3_track_makes():
    """notebooks/sdk-v3/99: what ModelTrainer, ModelBuilder.build (+ AddTags), Model.create (core tags) and the core
    Transformer make is tagged or under the learner's prefix, so the clean-up of either track removes all of it."""
    done = run_v3(V3_TRACK_CLEAN_UP, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "CLEANED 2 " in done.stdout, done.stdout[-2000:]
