"""A kernel killed with SIGKILL cannot remove its offline AWS's temporary folders (sagemaker_offline/scratch.py): the
next offline AWS to start removes them, and only them: another kernel still running keeps its own."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sagemaker_offline import scratch

REPO = Path(__file__).resolve().parent.parent

# A kernel with the offline AWS running and a processing job whose script sleeps: it prints its offline AWS's folder,
# the script writes its job's folder (the job's /opt/ml) to argv[1].
KERNEL = r'''
import sys, time
import boto3
import sagemaker_offline

aws = sagemaker_offline.start()
print("WORKDIR=" + str(aws.workdir), flush=True)
if len(sys.argv) > 1:
    from sagemaker import image_uris

    s3 = boto3.client("s3", region_name=aws.region)
    s3.create_bucket(Bucket="scratch", CreateBucketConfiguration={"LocationConstraint": aws.region})
    s3.put_object(Bucket="scratch", Key="code/sleeper.py", Body=(
        "import os, time\n"
        f"open({sys.argv[1]!r}, 'w').write(os.environ['SAGEMAKER_OFFLINE_OPT_ML'])\n"
        "time.sleep(600)\n").encode())
    boto3.client("sagemaker", region_name=aws.region).create_processing_job(
        ProcessingJobName="sleeper", RoleArn=aws.role_arn,
        AppSpecification={"ImageUri": image_uris.retrieve("sklearn", aws.region, "1.2-1"),
                          "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/sleeper.py"]},
        ProcessingInputs=[{"InputName": "code", "S3Input": {
            "S3Uri": "s3://scratch/code/sleeper.py", "LocalPath": "/opt/ml/processing/input/code",
            "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                               "VolumeSizeInGB": 5}})
time.sleep(600)
'''
NEXT_START = ("import sagemaker_offline\nprint('WORKDIR=' + str(sagemaker_offline.start().workdir), flush=True)\n"
              "sagemaker_offline.stop()\n")


def _env(tmp: Path) -> dict:
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONPATH=os.pathsep.join(
        [str(REPO)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))
    env.pop("AWS_ENDPOINT_URL", None)  # a child of this test's own offline AWS would inherit it
    return env


def _kernel(tmp: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    process = subprocess.Popen([sys.executable, "-c", KERNEL, *args], env=_env(tmp), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, cwd=tmp)
    return process, _workdir(process.stdout)


def _workdir(lines) -> Path:
    """The folder a kernel printed as WORKDIR=... (other lines: what the libraries print on import)."""
    for line in lines:
        if line.startswith("WORKDIR="):
            return Path(line.strip().split("=", 1)[1])
    raise AssertionError("the kernel did not start its offline AWS")


def _wait_for(path: Path, seconds: float = 180) -> str:
    deadline = time.monotonic() + seconds
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.2)
    return path.read_text()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_the_next_start_removes_a_killed_kernels_folders_and_keeps_a_live_ones(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    killed, killed_workdir = _kernel(tmp, str(tmp_path / "job-root.txt"))
    live, live_workdir = _kernel(tmp)
    try:
        job_root = Path(_wait_for(tmp_path / "job-root.txt"))  # the job's /opt/ml, while its script sleeps
        assert killed_workdir.parent == tmp and job_root.parent == tmp
        assert killed_workdir.is_dir() and job_root.is_dir() and live_workdir.is_dir()
        killed.send_signal(signal.SIGKILL)
        killed.wait(30)
        assert killed_workdir.is_dir() and job_root.is_dir()  # nothing could remove them

        done = subprocess.run([sys.executable, "-c", NEXT_START], env=_env(tmp), capture_output=True, text=True,
                              timeout=300, cwd=tmp)
        assert done.returncode == 0, done.stderr
        assert not killed_workdir.exists() and not job_root.exists()
        assert live_workdir.is_dir()  # its kernel still runs
        assert not _workdir(done.stdout.splitlines()).exists()  # the next start's own folder went with its stop()
    finally:
        for process in (killed, live):
            if process.poll() is None:
                process.kill()
            process.wait(30)


def test_only_folders_named_for_a_dead_process_go(tmp_path):
    mine = Path(tempfile_in(tmp_path, scratch.prefix()))
    older_kit = tmp_path / "sagemaker-offline-abc123"  # no owner in its name: left alone
    older_kit.mkdir()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    child.kill()
    child.wait()
    dead = tmp_path / f"{scratch.PREFIX}{child.pid}-0-processing-x"  # its pid is no process now
    dead.mkdir()
    assert scratch.remove_orphans(tmp_path) == [dead]
    assert mine.is_dir() and older_kit.is_dir() and not dead.exists()


def tempfile_in(folder: Path, prefix: str) -> str:
    import tempfile

    return tempfile.mkdtemp(prefix=prefix, dir=folder)
