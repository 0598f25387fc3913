"""SDK v3's script mode offline: a training job that `ModelTrainer(source_code=SourceCode(...))` created. v3 does not use
the training toolkit's `sagemaker_program` hyperparameter: it uploads the code as the input channel `code`, its own
driver files (sm_train.sh, sourcecode.json, scripts/environment.py, distributed_drivers/basic_script_driver.py,
common/utils.py) as the channel `sm_drivers`, and replaces the image's entry point with
`/bin/bash -c "chmod +x /opt/ml/input/data/sm_drivers/sm_train.sh && /opt/ml/input/data/sm_drivers/sm_train.sh"`.

Offline, sm_train.sh's steps are done here: the code channel's tar.gz unpacked (its `tar -xzf`), the environment of
scripts/environment.py (set_env) with this machine's folders in place of /opt/ml, then the SDK's own
basic_script_driver.py from the job's sm_drivers channel runs for real (only its failure file is moved under the job's
folder), so the command, its arguments and its error text are the SDK's. The shell's `set -x` trace lines are not
reproduced. Sources: sagemaker-train 1.27.0 (SDK 3.27; the same drivers in sagemaker-train 1.14.0, SDK 3.12), in
aws/sagemaker-python-sdk's sagemaker-train/src/sagemaker/train/: model_trainer.py (_prepare_train_script,
the code and sm_drivers channels), templates.py (TRAIN_SCRIPT_TEMPLATE, EXECUTE_BASIC_SCRIPT_DRIVER),
constants.py (DEFAULT_CONTAINER_ENTRYPOINT/ARGUMENTS), container_drivers/scripts/environment.py,
container_drivers/common/utils.py (execute_commands, write_failure_file)."""
from __future__ import annotations

import json
import os
import sys
import tarfile
import tempfile
from pathlib import Path

from sagemaker_offline import s3io, scratch
from sagemaker_offline.training import TrainingFailure

CODE_CHANNEL, DRIVERS_CHANNEL = "code", "sm_drivers"
TRAIN_SCRIPT = "sm_train.sh"
CURRENT_HOST = "algo-1"


def is_driver_job(params: dict) -> bool:
    """A job whose container runs the SDK v3 driver script (ModelTrainer with source_code)."""
    spec = params.get("AlgorithmSpecification") or {}
    arguments = " ".join(spec.get("ContainerArguments") or [])
    channels = {c.get("ChannelName") for c in params.get("InputDataConfig") or []}
    return f"{DRIVERS_CHANNEL}/{TRAIN_SCRIPT}" in arguments and DRIVERS_CHANNEL in channels


def source_code(account_id: str, params: dict) -> dict | None:
    """The job's SourceCode as the SDK wrote it to sourcecode.json in the sm_drivers channel, or None if absent."""
    channel = next(c for c in params["InputDataConfig"] if c["ChannelName"] == DRIVERS_CHANNEL)
    bucket, prefix = s3io.split_uri(channel["DataSource"]["S3DataSource"]["S3Uri"])
    found = s3io.head(account_id, bucket, prefix.rstrip("/") + "/sourcecode.json")
    if found is None:
        return None
    return json.loads(s3io.read_bytes(account_id, bucket, found.key) or b"{}") or {}


def problem(code: dict | None) -> str | None:
    """Why the runtime cannot run this SourceCode offline, or None."""
    if not code or not code.get("entry_script"):
        return ("the job's SourceCode has no entry_script (a `command` runs a shell command in the image, which the "
                "offline runtime does not emulate); give SourceCode(source_dir=..., entry_script='train.py')")
    if code.get("requirements"):
        return ("your SourceCode names requirements, which the driver installs with pip from the network; offline "
                "there is none. Leave requirements out (the kit's environment has numpy, pandas, scikit-learn and "
                "xgboost) or run the job on AWS")
    if not str(code["entry_script"]).endswith(".py"):
        return "offline, the entry_script must be a Python file (.py); a .sh script runs in the image's shell"
    return None


def _environment(params: dict, root: Path, channels: dict[str, str], code: dict) -> dict[str, str]:
    """scripts/environment.py's set_env, its values serialized as sm_train.sh exports them (safe_serialize)."""
    hps = {k: _deserialized(v) for k, v in (params.get("HyperParameters") or {}).items()}
    instance_type = (params.get("ResourceConfig") or {}).get("InstanceType", "")
    resource_config = {"current_host": CURRENT_HOST, "current_instance_type": instance_type,
                       "current_group_name": "homogeneousCluster", "hosts": [CURRENT_HOST],
                       "instance_groups": [{"instance_group_name": "homogeneousCluster",
                                            "instance_type": instance_type, "hosts": [CURRENT_HOST]}],
                       "network_interface_name": "eth0"}
    input_data_config = {c["ChannelName"]: {k: v for k, v in (("TrainingInputMode", c.get("InputMode") or "File"),
                                                              ("S3DistributionType", "FullyReplicated"),
                                                              ("RecordWrapperType", "None"))}
                         for c in params.get("InputDataConfig") or []}
    env: dict = {
        "SM_MODEL_DIR": str(root / "model"), "SM_INPUT_DIR": str(root / "input"),
        "SM_INPUT_DATA_DIR": str(root / "input" / "data"), "SM_INPUT_CONFIG_DIR": str(root / "input" / "config"),
        "SM_OUTPUT_DIR": str(root / "output"), "SM_OUTPUT_FAILURE": str(root / "output" / "failure"),
        "SM_OUTPUT_DATA_DIR": str(root / "output" / "data"), "SM_LOG_LEVEL": 20,
        "SM_MASTER_ADDR": CURRENT_HOST, "SM_MASTER_PORT": 7777,
        "SM_SOURCE_DIR": channels[CODE_CHANNEL], "SM_ENTRY_SCRIPT": code.get("entry_script", ""),
    }
    for channel, folder in channels.items():
        env[f"SM_CHANNEL_{channel.upper()}"] = folder
    env["SM_CHANNELS"] = list(channels)
    for key, value in hps.items():
        env[f"SM_HP_{key.replace('-', '_').upper()}"] = value
    env["SM_HPS"] = hps
    env.update({"SM_CURRENT_HOST": CURRENT_HOST, "SM_CURRENT_INSTANCE_TYPE": instance_type, "SM_HOSTS": [CURRENT_HOST],
                "SM_NETWORK_INTERFACE_NAME": "eth0", "SM_HOST_COUNT": 1, "SM_CURRENT_HOST_RANK": 0,
                "SM_NUM_CPUS": os.cpu_count() or 1, "SM_NUM_GPUS": 0, "SM_NUM_NEURONS": 0,
                "SM_RESOURCE_CONFIG": resource_config, "SM_INPUT_DATA_CONFIG": input_data_config})
    env["SM_TRAINING_ENV"] = {
        "channel_input_dirs": dict(channels), "current_host": CURRENT_HOST, "current_instance_type": instance_type,
        "hosts": [CURRENT_HOST], "master_addr": CURRENT_HOST, "master_port": 7777, "hyperparameters": hps,
        "input_data_config": input_data_config, "input_config_dir": env["SM_INPUT_CONFIG_DIR"],
        "input_data_dir": env["SM_INPUT_DATA_DIR"], "input_dir": env["SM_INPUT_DIR"],
        "job_name": params["TrainingJobName"], "log_level": 20, "model_dir": env["SM_MODEL_DIR"],
        "network_interface_name": "eth0", "num_cpus": env["SM_NUM_CPUS"], "num_gpus": 0, "num_neurons": 0,
        "output_data_dir": env["SM_OUTPUT_DATA_DIR"], "resource_config": resource_config}
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in env.items()}


def _deserialized(value):
    """common/utils.py safe_deserialize: JSON when it parses, else the string."""
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


# Runs the SDK's basic_script_driver.py from the job's sm_drivers channel as sm_train.sh does, with its failure file
# (common/utils.py FAILURE_FILE, /opt/ml/output/failure in the container) in the job's folder.
_DRIVER_SHIM = """import runpy, sys
sys.path.insert(0, sys.argv[1])
import common.utils
common.utils.FAILURE_FILE = sys.argv[2]
sys.argv = [sys.argv[3]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run(account_id: str, region: str, params: dict, write, stop_requested=None, deadline: float | None = None) -> dict:
    """Run the job's entry script as the SDK's driver does in the framework container; returns {"artifact",
    "metrics"} or raises TrainingFailure with the failure file's text as the FailureReason (Stopped / RuntimeExceeded
    when stopped; `deadline` is when MaxRuntimeInSeconds passes, script_training.run_process)."""
    from sagemaker_offline.script_training import download_channel, pack_outputs, run_process

    code = source_code(account_id, params)
    why = problem(code)
    if why:
        raise TrainingFailure(f"ClientError: {why}")
    with tempfile.TemporaryDirectory(prefix=scratch.prefix("model-trainer")) as tmp:
        root = Path(tmp)
        for folder in ("model", "input/config", "output/data"):
            (root / folder).mkdir(parents=True)
        channels = {}
        for channel in params["InputDataConfig"]:
            target = root / "input" / "data" / channel["ChannelName"]
            download_channel(account_id, region, params.get("RoleArn", ""), channel, target)
            channels[channel["ChannelName"]] = str(target)
        code_dir, drivers = Path(channels[CODE_CHANNEL]), Path(channels[DRIVERS_CHANNEL])
        write("Starting training script")
        write("Setting up environment variables")
        env = _environment(params, root, channels, code)
        write("Environment Variables:")
        for key, value in env.items():
            write(f"{key}={value}")
        source_dir = str(code.get("source_dir") or "")
        if source_dir.endswith(".tar.gz"):  # sm_train.sh: cd /opt/ml/input/data/code; tar -xzf <name>
            with tarfile.open(code_dir / os.path.basename(source_dir)) as tar:
                tar.extractall(code_dir, filter="data")
        write("Running Basic Script driver")
        failure = root / "output" / "failure"
        driver = drivers / "distributed_drivers" / "basic_script_driver.py"
        command = [sys.executable, "-c", _DRIVER_SHIM, str(drivers), str(failure), str(driver)]
        process_env = dict(os.environ, **env, TRAINING_JOB_NAME=params["TrainingJobName"], PYTHONUNBUFFERED="1",
                           PYTHONDONTWRITEBYTECODE="1")
        process_env.pop("MPLBACKEND", None)
        process_env.pop("PYTHONPATH", None)
        exit_code = run_process(command, code_dir, process_env, write, stop_requested, deadline)
        if exit_code != 0:
            write(f"An error occurred with exit code {exit_code}")  # sm_train.sh's handle_error
            text = failure.read_text().strip() if failure.exists() and failure.stat().st_size else (
                "Training Execution failed. For more details, see CloudWatch logs at 'aws/sagemaker/TrainingJobs'.\n"
                f"TrainingJob - {params['TrainingJobName']}")
            raise TrainingFailure(f"AlgorithmError: {text}")
        write("Training Container Execution Completed")
        artifact = pack_outputs(account_id, params, root / "model", root / "output" / "data")
    return {"artifact": artifact, "metrics": []}
