"""The offline AWS as a library (sagemaker_offline): it fails closed after stop, refuses what it cannot run with the
reason, and serves a learner's whole pytest session. Each case runs in a fresh process, with a socket guard that
records any connection or DNS look-up beyond loopback, as a real network namespace would show it."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Installed first in each child: any DNS look-up or connection to a non-loopback address is recorded and refused.
SOCKET_GUARD = textwrap.dedent('''
    import socket
    LEFT_THE_MACHINE = []
    _getaddrinfo, _connect = socket.getaddrinfo, socket.socket.connect

    def _loopback(host):
        return str(host) in ("localhost", "::1", "") or str(host).startswith("127.")

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            LEFT_THE_MACHINE.append(f"dns {host}")
            raise OSError(f"socket guard: no DNS look-up of {host}")
        return _getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not _loopback(host) and self.family in (socket.AF_INET, socket.AF_INET6):
            LEFT_THE_MACHINE.append(f"connect {host}")
            raise OSError(f"socket guard: no connection to {host}")
        return _connect(self, address)

    socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect
''')

# Credentials a developer may have: they must not be used to reach AWS.
REAL_LOOKING = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "AWS_DEFAULT_REGION": "us-west-2"}


def run(script: str, cwd: Path = ROOT, timeout: int = 180) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | REAL_LOOKING
    return subprocess.run([sys.executable, "-c", SOCKET_GUARD + textwrap.dedent(script)], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, env=env)


def test_a_call_after_stop_fails_at_once_in_one_line_and_leaves_nothing():
    done = run('''
        import time, boto3
        import sagemaker_offline
        with sagemaker_offline.running():
            sm = boto3.client("sagemaker")
            sm.list_models()
        s3 = boto3.client("s3")  # clients made after stop too: their calls are timed, not their making
        other = boto3.Session().client("sagemaker", region_name="eu-west-1")
        for call in (sm.list_models, s3.list_buckets, other.list_endpoints):
            started = time.monotonic()
            try:
                call()
            except Exception as error:
                print("SECONDS", round(time.monotonic() - started, 3))
                print("ERROR", type(error).__name__, "|", error._render_traceback_())
        print("LEFT", LEFT_THE_MACHINE)
    ''')
    assert done.returncode == 0, done.stderr[-3000:]
    seconds = [float(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("SECONDS")]
    assert len(seconds) == 3 and max(seconds) < 1.0, done.stdout
    errors = [line for line in done.stdout.splitlines() if line.startswith("ERROR")]
    assert all("OfflineAWSStopped" in e and "was sent nowhere" in e and "Re-run the setup cell" in e for e in errors)
    assert "sagemaker ListModels" in errors[0] and "s3 ListBuckets" in errors[1]
    assert "LEFT []" in done.stdout


def test_after_stop_the_learner_can_switch_to_aws_on_purpose():
    """allow_aws() (what helpers.connect('aws') and %unload_ext call) lets requests leave, with the learner's own keys."""
    done = run('''
        import os, boto3
        import sagemaker_offline
        with sagemaker_offline.running():
            pass
        print("PLACEHOLDER", os.environ["AWS_ACCESS_KEY_ID"])
        sagemaker_offline.allow_aws()
        print("RESTORED", os.environ["AWS_ACCESS_KEY_ID"])
        try:
            boto3.client("sagemaker").list_models()
        except Exception as error:
            print("ERROR", type(error).__name__)
        print("LEFT", LEFT_THE_MACHINE)
    ''')
    assert done.returncode == 0, done.stderr[-3000:]
    assert "PLACEHOLDER offline-aws-stopped" in done.stdout
    assert "RESTORED AKIAIOSFODNN7EXAMPLE" in done.stdout
    assert "LEFT ['dns api.sagemaker.us-west-2.amazonaws.com'" in done.stdout or "LEFT ['dns sagemaker" in \
        done.stdout, done.stdout  # now it would have gone to AWS: the guard saw it try


def test_keys_the_learner_sets_after_stop_survive_the_switch_to_aws():
    """A learner who writes their own keys into os.environ after stop(), then switches to AWS, keeps those keys: the
    switch puts back only what the stop replaced (it used to put back the keys from before the stop)."""
    done = run('''
        import os
        import sagemaker_offline
        with sagemaker_offline.running():
            pass
        os.environ["AWS_ACCESS_KEY_ID"] = "the-learners-own-key"
        os.environ["AWS_PROFILE"] = "course"
        sagemaker_offline.allow_aws()
        print("KEY", os.environ["AWS_ACCESS_KEY_ID"], "PROFILE", os.environ.get("AWS_PROFILE"))
        print("SECRET", os.environ["AWS_SECRET_ACCESS_KEY"] != "offline-aws-stopped")
    ''')
    assert done.returncode == 0, done.stderr[-3000:]
    assert "KEY the-learners-own-key PROFILE course" in done.stdout, done.stdout
    assert "SECRET True" in done.stdout, done.stdout  # the one they did not set: theirs from before the stop


def test_what_cannot_run_offline_is_refused_with_the_reason():
    done = run('''
        import boto3, botocore
        import sagemaker_offline
        from sagemaker_offline import api_support
        with sagemaker_offline.running() as aws:
            sm = boto3.client("sagemaker")
            calls = {
                "CreateProcessingJob": lambda: sm.create_processing_job(
                    ProcessingJobName="p", RoleArn=aws.role_arn, AppSpecification={"ImageUri": "x"},
                    ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                                           "VolumeSizeInGB": 5}}),
                "InvokeEndpointAsync": lambda: boto3.client("sagemaker-runtime").invoke_endpoint_async(
                    EndpointName="e", InputLocation="s3://bucket-b/in.csv", ContentType="text/csv"),
            }
            for operation, call in calls.items():
                try:
                    call()
                    print("ANSWERED", operation)
                except botocore.exceptions.ClientError as error:
                    print("REFUSED", operation, error.response["Error"]["Code"])
            print("PROCESSING JOBS", len(sm.list_processing_jobs()["ProcessingJobSummaries"]))
        print("LEFT", LEFT_THE_MACHINE)
    ''')
    assert done.returncode == 0, done.stderr[-3000:]
    assert "REFUSED CreateProcessingJob NotSupportedOffline" in done.stdout, done.stdout
    assert "REFUSED InvokeEndpointAsync NotSupportedOffline" in done.stdout, done.stdout
    assert "PROCESSING JOBS 0" in done.stdout and "LEFT []" in done.stdout


def test_script_mode_on_an_image_it_does_not_emulate_is_refused_as_script_mode_not_blamed_on_hyperparameters():
    # script mode on the scikit-learn and XGBoost framework images runs (tests/test_script_mode.py); others are refused
    done = run('''
        import boto3, botocore
        import sagemaker_offline
        from sagemaker_offline.xgboost_images import builtin_xgboost_image
        with sagemaker_offline.running() as aws:
            s3 = boto3.client("s3")
            s3.create_bucket(Bucket="script-mode-bucket", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
            s3.put_object(Bucket="script-mode-bucket", Key="train/train.csv", Body=b"1,2\\n")
            image = "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1-cpu-py310"
            try:
                boto3.client("sagemaker").create_training_job(
                    TrainingJobName="script-mode", RoleArn=aws.role_arn,
                    AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
                    HyperParameters={"sagemaker_program": '"train.py"',
                                     "sagemaker_submit_directory": '"s3://script-mode-bucket/code/sourcedir.tar.gz"'},
                    InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {
                        "S3DataType": "S3Prefix", "S3Uri": "s3://script-mode-bucket/train"}}}],
                    OutputDataConfig={"S3OutputPath": "s3://script-mode-bucket/out"},
                    ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
                    StoppingCondition={"MaxRuntimeInSeconds": 600})
                print("CREATED")
            except botocore.exceptions.ClientError as error:
                print("REFUSED", error.response["Error"]["Code"], error.response["Error"]["Message"])
    ''')
    assert done.returncode == 0, done.stderr[-3000:]
    assert "REFUSED NotSupportedOffline" in done.stdout, done.stdout
    assert "script mode (your entry point 'train.py')" in done.stdout


def test_sdk_deploy_runs_for_real_instead_of_a_canned_success():
    """moto alone answers CreateEndpoint with an endpoint InService at once; offline, a model whose artifact is gone
    by the time the endpoint starts fails as on AWS (sagemaker_offline/endpoints.py, tests/test_offline_endpoints.py)."""
    done = run('''
        import sagemaker
        import sagemaker_offline
        from sagemaker.exceptions import UnexpectedStatusException
        from sagemaker.model import Model
        with sagemaker_offline.running() as aws:
            session = sagemaker.Session()
            image = sagemaker.image_uris.retrieve("xgboost", session.boto_region_name, "1.7-1")
            # CreateModel refuses a missing artifact (issue 21), so there is one for CreateModel, deleted as soon as
            # CreateModel returns: the endpoint's creation is what fails, as on AWS
            s3 = session.boto_session.client("s3")
            s3.put_object(Bucket=session.default_bucket(), Key="m/model.tar.gz", Body=b"model")
            session.sagemaker_client.meta.events.register(
                "after-call.sagemaker.CreateModel",
                lambda **_: s3.delete_object(Bucket=session.default_bucket(), Key="m/model.tar.gz"))
            model = Model(image_uri=image, model_data=f"s3://{session.default_bucket()}/m/model.tar.gz",
                          role=aws.role_arn, sagemaker_session=session)
            try:
                model.deploy(initial_instance_count=1, instance_type="ml.m5.large")
                print("DEPLOYED")
            except UnexpectedStatusException as error:
                print("FAILED", "Failed to download model data" in str(error))
    ''')
    assert done.returncode == 0, done.stderr[-3000:]
    assert "FAILED True" in done.stdout, done.stdout


PLUGIN_TEST = '''
import boto3

from helpers import shout  # the learner's own helpers.py, beside the test

# created when pytest imports this module, before any fixture: it must be offline too
SAGEMAKER = boto3.client("sagemaker", region_name="us-west-2")


def test_a_fixture_less_first_test_reaches_no_real_endpoint():
    assert SAGEMAKER.list_models()["Models"] == []
    assert boto3.client("s3").list_buckets()["Buckets"] == []
    assert shout("ok") == "OK"


def test_the_offline_fixtures_still_work_beside_a_helpers_py(offline_session, offline_role, offline_prefix):
    import sagemaker

    assert sagemaker.get_execution_role(offline_session) == offline_role
    assert offline_prefix == "tests/test_the_offline_fixtures_still_work_beside_a_helpers_py"
'''


def test_the_plugin_serves_the_whole_session_and_a_users_helpers_py_does_not_break_it(tmp_path):
    (tmp_path / "helpers.py").write_text("def shout(text):\n    return text.upper()\n")
    (tmp_path / "conftest.py").write_text(SOCKET_GUARD + "\n\ndef pytest_sessionfinish(session):\n"
                                          "    assert not LEFT_THE_MACHINE, LEFT_THE_MACHINE\n")
    (tmp_path / "test_first.py").write_text(PLUGIN_TEST)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | REAL_LOOKING
    pytest_command = Path(sys.executable).parent / "pytest"
    done = subprocess.run([str(pytest_command), "-q", "-p", "no:cacheprovider", "-p", "no:nbval", "test_first.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "2 passed" in done.stdout, done.stdout[-2000:]


def test_the_plugin_can_be_turned_off_for_a_session_on_real_aws(tmp_path):
    (tmp_path / "test_real.py").write_text(
        "import sagemaker_offline\n\ndef test_nothing_started():\n    assert not sagemaker_offline.is_running()\n")
    pytest_command = Path(sys.executable).parent / "pytest"
    done = subprocess.run([str(pytest_command), "-q", "-p", "no:cacheprovider", "-p", "no:sagemaker-offline",
                           "-p", "no:batch-transform-course", "-p", "no:nbval", "test_real.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]


def test_iam_simulate_principal_policy_answers_as_the_offline_aws_enforces_iam():
    """SDK v3 before sagemaker-core 2.27 asks this before a training job (Studio 4.3/4.4 images ship such SDKs)."""
    done = run('''
        import boto3
        import sagemaker_offline
        with sagemaker_offline.running() as aws:
            answer = boto3.client("iam").simulate_principal_policy(
                PolicySourceArn=aws.role_arn, ActionNames=["sagemaker:CreateTrainingJob", "s3:GetObject"])
            print("DECISIONS", sorted((r["EvalActionName"], r["EvalDecision"]) for r in answer["EvaluationResults"]))
    ''')
    assert done.returncode == 0, done.stderr[-3000:]
    assert "DECISIONS [('s3:GetObject', 'allowed'), ('sagemaker:CreateTrainingJob', 'allowed')]" in done.stdout


def test_a_script_gets_the_role_credentials_as_load_ext_gives_them():
    """The AWS examples call get_execution_role(): inside `with helpers.offline():` it answers the offline role."""
    done = run('''
        import sagemaker
        import helpers
        with helpers.offline() as aws:
            print("ROLE", sagemaker.get_execution_role() == aws.role_arn)
            print("BUCKET", sagemaker.Session().default_bucket())
    ''')
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ROLE True" in done.stdout and "BUCKET sagemaker-us-west-2-123456789012" in done.stdout, done.stdout
