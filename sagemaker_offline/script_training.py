"""Script-mode training jobs (scikit-learn and XGBoost framework images), run as the SageMaker training toolkit runs
them: the SDK's sourcedir.tar.gz unpacked as the code directory, the channels downloaded, the learner's entry point
started in a fresh process with the hyperparameters as command-line arguments and the toolkit's SM_* variables, its
output streamed into the job's log, and the model directory packed into model.tar.gz.

Sources (aws/sagemaker-training-toolkit at 33839372faf8017edb7dafc6290c1ef63557b404): environment.py (to_env_vars,
to_cmd_args), mapping.py, entry_point.py (run, install: requirements.txt is pip-installed), process.py (check_error:
an exit code other than 0 raises ExecuteUserScriptError), errors.py (its message), trainer.py (the failure file and
"Reporting training SUCCESS/FAILURE"); aws/sagemaker-scikit-learn-container training.py (entry_point.run without
capture_error, so the ErrorMessage is empty and the traceback is in the log only)."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

from sagemaker_offline import s3io, scratch
from sagemaker_offline.stopping import check
from sagemaker_offline.training import TrainingFailure

CURRENT_HOST = "algo-1"
TOOLKIT_LOGGER = "sagemaker-training-toolkit"


def _decoded(value):
    """The toolkit reads each hyperparameter with json.loads, keeping the raw string when that fails."""
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _arg_value(value) -> str:
    if hasattr(value, "items"):
        return ",".join(f"{k}={v}" for k, v in sorted(value.items()))
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def cmd_args(hyperparameters: dict) -> list[str]:
    """mapping.to_cmd_args: sorted keys, `--name value` (`-n` for one-letter names)."""
    args: list[str] = []
    for key in sorted(hyperparameters):
        args += [f"--{key}" if len(key) > 1 else f"-{key}", _arg_value(hyperparameters[key])]
    return args


def _env_value(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def code_archive_problem(account_id: str, submit_directory: str) -> str | None:
    """Why the runtime cannot run this code offline, or None: a requirements.txt would be pip-installed from PyPI by
    the toolkit (entry_point.install), and offline there is no network."""
    if not submit_directory.startswith("s3://"):
        return None
    bucket, key = s3io.split_uri(submit_directory)
    if s3io.head(account_id, bucket, key) is None:
        return None  # the job fails at download, as on AWS
    try:
        with tarfile.open(fileobj=io.BytesIO(s3io.read_bytes(account_id, bucket, key))) as tar:
            names = {Path(name).as_posix().lstrip("./") for name in tar.getnames()}
    except tarfile.TarError:
        return None
    if "requirements.txt" in names:
        return ("your source_dir has a requirements.txt, which the training toolkit installs with pip from the "
                "network; offline there is none. Remove requirements.txt (the kit's environment has numpy, pandas, "
                "scikit-learn and xgboost) or run the job on AWS")
    return None


def download_channel(account_id: str, region: str, role_arn: str, channel: dict, target: Path, select=None) -> None:
    """Every object under the channel's S3 prefix into `target`; `select` (a processing instance's ShardedByS3Key
    share, processing.shard) picks which of them, in key order, once the prefix is known to hold any."""
    from sagemaker_offline.validation import no_s3_objects_message

    source = channel["DataSource"]["S3DataSource"]
    bucket, prefix = s3io.split_uri(source["S3Uri"])
    objects = s3io.list_prefix(account_id, bucket, prefix)
    if not objects:
        raise TrainingFailure("ClientError: Data download failed:"
                              + no_s3_objects_message(source["S3Uri"], region, role_arn, bucket))
    if select is not None:
        objects = select(objects)
    base = prefix[: prefix.rfind("/") + 1] if not prefix.endswith("/") else prefix
    target.mkdir(parents=True, exist_ok=True)
    for obj in objects:
        # A prefix naming a folder ("<...>/sm_drivers", no slash) puts that folder's files straight into the channel:
        # SDK v3 uploads its drivers so and runs /opt/ml/input/data/sm_drivers/sm_train.sh (model_trainer_driver.py).
        folder = obj.key.startswith(prefix + "/") and not prefix.endswith("/")
        relative = (obj.key[len(prefix) + 1:] if folder else obj.key[len(base):].lstrip("/")) or Path(obj.key).name
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        s3io.download(account_id, obj.bucket, obj.key, target / relative)


def _unpack_code(account_id: str, submit_directory: str, code_dir: Path) -> None:
    bucket, key = s3io.split_uri(submit_directory)
    if s3io.head(account_id, bucket, key) is None:
        raise TrainingFailure(f"AlgorithmError: Framework Error: the code archive {submit_directory} "
                              "(sagemaker_submit_directory) does not exist. The SDK uploads it before it creates the "
                              "job; upload sourcedir.tar.gz there or fit() the estimator again")
    with tarfile.open(fileobj=io.BytesIO(s3io.read_bytes(account_id, bucket, key))) as tar:
        tar.extractall(code_dir, filter="data")


def _kill_with_parent() -> None:
    """In the script's process: end it if the runtime's process dies (a killed kernel), as a job dies with its
    instance (Linux's PR_SET_PDEATHSIG; elsewhere the stop and the job's end still kill it)."""
    os.setsid()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _toolkit_line(message: str, level: str = "INFO") -> str:
    """logging_config.configure_logger's format: "%(asctime)s %(name)-12s %(levelname)-8s %(message)s"."""
    from sagemaker_offline import logs

    stamp = logs.service_datetime()
    return f"{stamp:%Y-%m-%d %H:%M:%S},{stamp.microsecond // 1000:03d} {TOOLKIT_LOGGER:<12} {level:<8} {message}"


def run_script_training(account_id: str, region: str, params: dict, write, image, stop_requested=None,
                        deadline: float | None = None) -> dict:
    """Run the learner's entry point as the framework container does; returns {"artifact", "metrics"} or raises
    TrainingFailure with the FailureReason AWS writes (Stopped / RuntimeExceeded when stopped, `deadline` being the
    time.monotonic() moment MaxRuntimeInSeconds passes)."""
    raw = params.get("HyperParameters") or {}
    program = str(_decoded(raw.get("sagemaker_program", "")))
    submit_directory = str(_decoded(raw.get("sagemaker_submit_directory", "")))
    hyperparameters = {k: _decoded(v) for k, v in raw.items() if not k.startswith("sagemaker_")}
    name = params["TrainingJobName"]
    with tempfile.TemporaryDirectory(prefix=scratch.prefix("script-training")) as tmp:
        root = Path(tmp)
        code_dir, model_dir = root / "code", root / "model"
        input_dir, output_dir = root / "input", root / "output"
        output_data_dir, intermediate = output_dir / "data", output_dir / "intermediate"
        for folder in (code_dir, model_dir, input_dir / "config", output_data_dir, intermediate):
            folder.mkdir(parents=True)
        if submit_directory.startswith("s3://"):
            _unpack_code(account_id, submit_directory, code_dir)
        else:
            raise TrainingFailure("AlgorithmError: Framework Error: the hyperparameter sagemaker_submit_directory is "
                                  "not an S3 URI; create the job with the SDK's estimator (it uploads sourcedir.tar.gz)")
        if not (code_dir / program).is_file():
            raise TrainingFailure(f"AlgorithmError: ExecuteUserScriptError:\nExitCode 2\nErrorMessage \"\"\nCommand "
                                  f"\"{sys.executable} {program}\" (no file {program} in the code archive)")
        channels = {}
        for channel in params.get("InputDataConfig", []):
            target = input_dir / "data" / channel["ChannelName"]
            download_channel(account_id, region, params.get("RoleArn", ""), channel, target)
            channels[channel["ChannelName"]] = str(target)
        resources = params.get("ResourceConfig") or {}
        resource_config = {"current_host": CURRENT_HOST, "hosts": [CURRENT_HOST],
                           "current_instance_type": resources.get("InstanceType", "")}
        input_data_config = {c["ChannelName"]: {k: v for k, v in c.items() if k in ("ContentType", "TrainingInputMode",
                                                                                    "S3DistributionType")}
                             for c in params.get("InputDataConfig", [])}
        args = cmd_args(hyperparameters)
        env_values = {
            "hosts": [CURRENT_HOST], "network_interface_name": "eth0", "hps": hyperparameters,
            "user_entry_point": program, "framework_params": {}, "resource_config": resource_config,
            "input_data_config": input_data_config, "output_data_dir": str(output_data_dir),
            "channels": sorted(channels), "current_host": CURRENT_HOST,
            "current_instance_type": resources.get("InstanceType", ""), "module_name": program.rsplit(".py", 1)[0],
            "log_level": int(_decoded(raw.get("sagemaker_container_log_level", 20)) or 20),
            "framework_module": ("sagemaker_sklearn_container.training:main" if image.framework == "sklearn"
                                 else "sagemaker_xgboost_container.training:main"),
            "input_dir": str(input_dir), "input_config_dir": str(input_dir / "config"), "output_dir": str(output_dir),
            "num_cpus": os.cpu_count() or 1, "num_gpus": 0, "num_neurons": 0, "model_dir": str(model_dir),
            "module_dir": submit_directory, "user_args": args, "output_intermediate_dir": str(intermediate),
        }
        env_values.update({f"channel_{k}": v for k, v in channels.items()})
        env_values.update({f"hp_{k}": v for k, v in hyperparameters.items()})
        sm_vars = {f"SM_{k.upper()}": _env_value(v) for k, v in env_values.items()}
        sm_vars["SM_TRAINING_ENV"] = json.dumps({**{k: v for k, v in env_values.items()
                                                    if not k.startswith(("channel_", "hp_"))}, "job_name": name})
        command = [sys.executable, program, *args]
        write(_toolkit_line("Imported framework " + env_values["framework_module"].split(":")[0]))
        write(_toolkit_line("Invoking user script"))
        write("")
        write("Environment variables:")
        write("")
        for key, value in sm_vars.items():
            if key != "SM_TRAINING_ENV":
                write(f"{key}={value}")
        write("")
        write("Invoking script with the following command:")
        write("")
        write(" ".join(command))
        write("")
        env = dict(os.environ, **sm_vars, PYTHONUNBUFFERED="1", PYTHONPATH=str(code_dir), PYTHONDONTWRITEBYTECODE="1",
                   TRAINING_JOB_NAME=name)  # the container's variable, which the toolkit reads (params.TRAINING_JOB_ENV)
        env.pop("MPLBACKEND", None)
        code = run_process(command, code_dir, env, write, stop_requested, deadline)
        if code != 0:
            write(_toolkit_line("Reporting training FAILURE", "ERROR"))
            # errors._CalledProcessError.__str__; the sklearn container passes no stderr, so ErrorMessage is empty
            reason = f'ExecuteUserScriptError:\nExitCode {code}\nErrorMessage ""\nCommand "{" ".join(command)}"'
            write(_toolkit_line(reason, "ERROR"))
            raise TrainingFailure(f"AlgorithmError: {reason}")
        write(_toolkit_line("Reporting training SUCCESS"))
        artifact = pack_outputs(account_id, params, model_dir, output_data_dir)
    return {"artifact": artifact, "metrics": []}


def pack_outputs(account_id: str, params: dict, model_dir: Path, output_data_dir: Path) -> str:
    """/opt/ml/model as <output path>/<job>/output/model.tar.gz, /opt/ml/output/data as output.tar.gz beside it (only
    when the script wrote something there), as SageMaker uploads them; returns the model artifact's URI."""
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        for path in sorted(model_dir.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(model_dir)), recursive=False)
    out_bucket, out_prefix = s3io.split_uri(params["OutputDataConfig"]["S3OutputPath"])
    key = "/".join(p for p in (out_prefix.strip("/"), params["TrainingJobName"], "output", "model.tar.gz") if p)
    s3io.put_bytes(account_id, out_bucket, key, archive.getvalue())
    if output_data_dir.is_dir() and any(output_data_dir.iterdir()):
        data = io.BytesIO()
        with tarfile.open(fileobj=data, mode="w:gz") as tar:
            for path in sorted(output_data_dir.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(output_data_dir)), recursive=False)
        s3io.put_bytes(account_id, out_bucket, key.rsplit("/", 1)[0] + "/output.tar.gz", data.getvalue())
    return f"s3://{out_bucket}/{key}"


_running: set[subprocess.Popen] = set()  # the scripts running now, which end_all() ends with the offline AWS
_running_lock = threading.Lock()


def _kill_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def end_all() -> None:
    """End every running script's process group before the offline AWS's stop returns (service.OfflineAWS.stop): its
    job thread would end it too, but only at its next poll, after the learner's code has gone on."""
    with _running_lock:
        processes = list(_running)
    for process in processes:
        _kill_group(process)


def run_process(command: list[str], cwd: Path, env: dict, write, stop_requested, deadline: float | None = None) -> int:
    """The script in its own process group; its stdout and stderr lines go to the log as they come; a stop kills the
    whole group, as the instance would end, and so does the job's MaxRuntimeInSeconds passing (`deadline`, a
    time.monotonic() moment; RuntimeExceeded). A script that ended before either keeps its exit code."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, preexec_fn=_kill_with_parent)
    with _running_lock:
        _running.add(process)
    reader = threading.Thread(target=lambda: [write(line.decode("utf-8", "replace").rstrip("\r\n"))
                                              for line in iter(process.stdout.readline, b"")], daemon=True)
    reader.start()
    try:
        while process.poll() is None:
            check(stop_requested, deadline)  # the finally below kills the group before the job reports it
            time.sleep(0.02)
        check(stop_requested)  # ended by end_all() as the offline AWS stopped: a stop, not the script's failure
    finally:
        _kill_group(process)
        with _running_lock:
            _running.discard(process)
        reader.join(timeout=5)
        process.stdout.close()
    return process.returncode
