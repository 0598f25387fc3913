"""Processing jobs offline (SKLearnProcessor, ScriptProcessor on the scikit-learn or XGBoost framework image): the
processing contract run for real without Docker. Each ProcessingInput is downloaded to its LocalPath, the config files
are written, `ContainerEntrypoint + ContainerArguments` (a `python3 script.py ...` command) runs in a fresh process
with the job's Environment, and at the end each output's LocalPath is uploaded to its S3Uri.

Sources: Developer Guide "How Amazon SageMaker Processing Runs Your Processing Container Image"
(https://docs.aws.amazon.com/sagemaker/latest/dg/byoc-run-image.html: the entrypoint and arguments as `docker run`
takes them, exit code 0 completes the job, any other fails it), "How to Build Your Own Processing Container"
(https://docs.aws.amazon.com/sagemaker/latest/dg/build-your-own-processing-container.html#byoc-config: Environment,
/opt/ml/config/processingjobconfig.json and resourceconfig.json), "Save and Access Metadata Information About Your
Processing Job" (https://docs.aws.amazon.com/sagemaker/latest/dg/byoc-metadata.html: /opt/ml/output/message becomes
ExitMessage, its first 1 KB), the API reference of CreateProcessingJob, ProcessingS3Input (LocalPath "must begin with
/opt/ml/processing/", https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingS3Input.html) and
ProcessingS3Output, and
SDK v2's sagemaker/processing.py (ScriptProcessor uploads the code to <job>/input/code/ and runs
`command + ["/opt/ml/processing/input/code/<script>"]`). The FailureReason of a script that exits non-zero is the
one the Developer Guide's "SageMaker Python SDK Troubleshooting" page shows for a scikit-learn processing job:
"AlgorithmError: , exit code: 1" (https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-python-sdk-troubleshooting.html).
The /opt/ml paths are rewritten inside the script's processes (opt_ml_paths.py).

InstanceCount > 1 runs one script process per instance, algo-1 ... algo-<n>, side by side, each with its own /opt/ml
(sources and what AWS leaves undocumented: docs/offline-runtime.md, "Processing jobs", and the functions below)."""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path, PurePosixPath

from sagemaker_offline import s3io, scratch

PROCESSING_ROOT = "/opt/ml/processing/"
SHARDED = "ShardedByS3Key"
_BOOTSTRAP = Path(__file__).resolve().parent / "opt_ml_bootstrap"
_PYTHONS = {"python", "python3"}
_PYTHON_FLAGS = {"-u", "-B", "-O", "-OO", "-v"}


class ProcessingFailure(Exception):
    """A processing job's failure, worded as its FailureReason."""


def instance_count(params: dict) -> int:
    """ProcessingResources.ClusterConfig.InstanceCount ("For distributed processing jobs, specify a value greater than
    1", API reference, ProcessingClusterConfig); botocore's rules keep it within 1..100 at create."""
    cluster = (params.get("ProcessingResources") or {}).get("ClusterConfig") or {}
    return int(cluster.get("InstanceCount", 1))


def host_names(count: int) -> list[str]:
    """algo-1 ... algo-<n>: the hosts in /opt/ml/config/resourceconfig.json, as SDK v2's local mode writes it per host
    (`{"current_host": host, "hosts": hosts, ...}`, sagemaker/local/image.py, write_processing_config_files) and as a
    Stack Overflow answer shows it for a three-instance processing job (`{"current_host": "algo-1", "hosts":
    ["algo-1","algo-2","algo-3"]}`, reposted in translation at https://boohere.com/id/detail/10389415.html)."""
    return [f"algo-{n}" for n in range(1, count + 1)]


def shard(items: list, index: int, count: int) -> list:
    """Instance `index`'s share of one input's objects under ShardedByS3Key: the objects in key order, dealt
    round-robin (the i-th to algo-(i mod n + 1)). AWS documents only that each instance downloads one shard
    (ProcessingS3Input.S3DataDistributionType), about 1/n of the objects (S3DataSource, for training: "each instance
    gets approximately 1/n of the number of S3 objects"; 100 objects on 5 instances put 20 on each,
    aws/amazon-sagemaker-examples#1075); which object goes to which instance it does not say, so this rule is the
    runtime's own, deterministic choice."""
    return items[index::count]


def _python_command(entrypoint: list[str]) -> tuple[list[str], str] | None:
    """(the interpreter's flags, the script) when the entrypoint is `python3 [flags] script.py`, else None."""
    if not entrypoint or PurePosixPath(entrypoint[0]).name.rstrip("0123456789.") not in _PYTHONS:
        return None
    flags = [a for a in entrypoint[1:] if a.startswith("-")]
    rest = entrypoint[1 + len(flags):]
    if any(flag not in _PYTHON_FLAGS for flag in flags) or not rest or not rest[0].endswith(".py"):
        return None
    return flags, rest[0]


# The last line of the runproc.sh a FrameworkProcessor writes (SDK v2 processing.py, _generate_framework_script):
# `{command} {entry_point} "$@"`, after `cd /opt/ml/processing/input/code/` and `tar -xzf sourcedir.tar.gz`.
_RUNPROC_LAST = re.compile(r'^(?P<command>.+?) (?P<script>[^\s"]+\.py) "\$@"$')


def _runproc(account_id: str, params: dict) -> tuple[list[str], str] | str | None:
    """For a FrameworkProcessor's `/bin/bash .../runproc.sh`: (flags, the script under the code folder), or why it
    cannot run offline; None for any other entrypoint."""
    entrypoint = list((params.get("AppSpecification") or {}).get("ContainerEntrypoint") or [])
    if len(entrypoint) != 2 or PurePosixPath(entrypoint[0]).name != "bash" or not entrypoint[1].endswith("runproc.sh"):
        return None
    folder = str(PurePosixPath(entrypoint[1]).parent)
    inputs = {(e.get("S3Input") or {}).get("LocalPath", "").rstrip("/"): e.get("S3Input") or {}
              for e in params.get("ProcessingInputs") or []}
    source = inputs.get(folder)
    if source is None:
        return f"no ProcessingInput puts {entrypoint[1]} there"
    bucket, key = s3io.split_uri(source["S3Uri"])
    if s3io.head(account_id, bucket, key) is None:
        return f"its entrypoint script {source['S3Uri']} does not exist"
    lines = [line.strip() for line in s3io.read_bytes(account_id, bucket, key).decode("utf-8", "replace").splitlines()
             if line.strip() and not line.strip().startswith("#")]
    last = _RUNPROC_LAST.match(lines[-1]) if lines else None
    parsed = _python_command(last["command"].split() + [last["script"]]) if last else None
    if "cd /opt/ml/processing/input/code/" not in lines or "tar -xzf sourcedir.tar.gz" not in lines or not parsed:
        return (f"{entrypoint[1]} is not the runproc.sh SDK v2's FrameworkProcessor writes for a Python entry point "
                "(cd to the code, tar -xzf sourcedir.tar.gz, then `python3 <script>.py \"$@\"`)")
    code = inputs.get("/opt/ml/processing/input/code")
    if code is not None:
        from sagemaker_offline.script_training import code_archive_problem

        problem = code_archive_problem(account_id, code["S3Uri"])
        if problem:
            return problem.replace("the training toolkit installs", "runproc.sh installs")
    return parsed[0], "/opt/ml/processing/input/code/" + parsed[1]


def command_of(account_id: str, params: dict) -> tuple[list[str], str, bool] | str:
    """(interpreter flags, the script's /opt/ml path, whether sourcedir.tar.gz is unpacked first), or why the job's
    entrypoint cannot run offline."""
    entrypoint = list((params.get("AppSpecification") or {}).get("ContainerEntrypoint") or [])
    direct = _python_command(entrypoint)
    if direct is not None:
        return direct[0], direct[1], False
    framework = _runproc(account_id, params)
    if isinstance(framework, tuple):
        return framework[0], framework[1], True
    if isinstance(framework, str):
        return f"the FrameworkProcessor entrypoint cannot run offline: {framework}"
    return (f"the container entrypoint {entrypoint or '(the image default)'} is not `python3 <script>.py`; "
            "offline only a Python script runs (ScriptProcessor(command=['python3']), SKLearnProcessor, or a "
            "FrameworkProcessor such as XGBoostProcessor with a .py entry point). The image's own entrypoint, or "
            "another command, runs in the image's shell")


def offline_problem(params: dict, account_id: str) -> str | None:
    """Why this CreateProcessingJob request cannot run offline (then it is refused and nothing is created), or None."""
    from sagemaker_offline.framework_images import sklearn_image
    from sagemaker_offline.xgboost_images import builtin_xgboost_image

    app = params.get("AppSpecification") or {}
    image = app.get("ImageUri", "")
    xgb = builtin_xgboost_image(image)
    if sklearn_image(image) is None and (xgb is None or xgb.is_legacy):
        return (f"the image {image!r} is not one the offline runtime emulates; offline, Processing jobs run on the "
                "scikit-learn image (SKLearnProcessor(framework_version='1.2-1'), image_uris.retrieve('sklearn', "
                "region, '1.2-1')) and the XGBoost framework images (ScriptProcessor(image_uri=image_uris.retrieve("
                "'xgboost', region, '1.7-1'), command=['python3']))")
    command = command_of(account_id, params)
    if isinstance(command, str):
        return command
    for entry in params.get("ProcessingInputs") or []:
        source = entry.get("S3Input")
        if source is None:
            return (f"the input {entry.get('InputName')!r} is a DatasetDefinition (Athena or Redshift), which needs "
                    "those services; give an S3Input instead")
        if source.get("S3InputMode", "File") != "File":
            return f"the input {entry.get('InputName')!r} uses S3InputMode {source['S3InputMode']!r}; offline only File"
        if not source.get("LocalPath", "").startswith(PROCESSING_ROOT):
            return (f"the input {entry.get('InputName')!r} has LocalPath {source.get('LocalPath')!r}; the API "
                    f"reference (ProcessingS3Input) requires it to begin with {PROCESSING_ROOT}")
    for entry in (params.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
        target = entry.get("S3Output")
        if target is None:
            return f"the output {entry.get('OutputName')!r} goes to a Feature Store feature group, not S3"
        if target.get("S3UploadMode", "EndOfJob") != "EndOfJob":
            return (f"the output {entry.get('OutputName')!r} uses S3UploadMode {target['S3UploadMode']!r}; offline "
                    "outputs are uploaded at the end of the job only (EndOfJob)")
        if not target.get("LocalPath", "").startswith("/opt/ml/"):
            return (f"the output {entry.get('OutputName')!r} has LocalPath {target.get('LocalPath')!r}; offline it "
                    "must be below /opt/ml/ (the folder the runtime maps for the job), e.g. "
                    f"{PROCESSING_ROOT}output/...")
    return None


def _local(root: Path, container_path: str) -> Path:
    """This job's folder for a path inside the container (/opt/ml/... -> <root>/...)."""
    return root / PurePosixPath(container_path).relative_to("/opt/ml")


def _download_input(account_id: str, region: str, role_arn: str, entry: dict, target: Path, index: int = 0,
                    count: int = 1) -> None:
    """One input on instance `index` of `count`: every object (FullyReplicated, the default) or its shard."""
    from sagemaker_offline.script_training import download_channel
    from sagemaker_offline.training import TrainingFailure

    source = entry["S3Input"]
    select = None
    if source.get("S3DataDistributionType", "FullyReplicated") == SHARDED and count > 1:
        def select(items: list) -> list:
            return shard(items, index, count)
    try:
        if source.get("S3DataType", "S3Prefix") == "ManifestFile":
            _download_manifest(account_id, source["S3Uri"], target, select)
        else:
            download_channel(account_id, region, role_arn, {"DataSource": {"S3DataSource": source}}, target, select)
    except TrainingFailure as error:
        raise ProcessingFailure(str(error)) from None


def _download_manifest(account_id: str, manifest_uri: str, target: Path, select=None) -> None:
    """A ManifestFile: `[{"prefix": "s3://b/p/"}, "rel/a.csv", ...]`; each object lands at LocalPath/<rel>
    (`select` picks this instance's share of the listed objects, in key order)."""
    try:
        manifest = s3io.read_manifest(account_id, manifest_uri)
    except ValueError:
        raise ProcessingFailure(f"ClientError: The manifest file {manifest_uri} is not a JSON list that starts with "
                                '{"prefix": "s3://..."}') from None
    if manifest is None:
        raise ProcessingFailure(f"ClientError: The manifest file {manifest_uri} does not exist")
    prefix, relatives = manifest
    for relative in relatives:
        obj_bucket, obj_key = s3io.split_uri(prefix.rstrip("/") + "/" + relative)
        if s3io.head(account_id, obj_bucket, obj_key) is None:
            raise ProcessingFailure(f"ClientError: The manifest file {manifest_uri} lists {relative}, but "
                                    f"s3://{obj_bucket}/{obj_key} does not exist")
    for relative in relatives if select is None else select(sorted(relatives)):
        obj_bucket, obj_key = s3io.split_uri(prefix.rstrip("/") + "/" + relative)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        s3io.download(account_id, obj_bucket, obj_key, target / relative)


def _config_files(root: Path, params: dict, arn: str, host: str = "algo-1", hosts: list[str] | None = None) -> None:
    """/opt/ml/config/processingjobconfig.json (the request as the Developer Guide's example shows it) and
    resourceconfig.json (this instance's `current_host`, every instance in `hosts`)."""
    config = root / "config"
    config.mkdir(parents=True, exist_ok=True)
    app = params.get("AppSpecification") or {}
    job_config = {
        "ProcessingJobArn": arn, "ProcessingJobName": params["ProcessingJobName"],
        "AppSpecification": {"ImageUri": app.get("ImageUri"), "ContainerEntrypoint": app.get("ContainerEntrypoint"),
                             "ContainerArguments": app.get("ContainerArguments")},
        "Environment": params.get("Environment") or {},
        "NetworkConfig": params.get("NetworkConfig"),
        "ProcessingInputs": params.get("ProcessingInputs") or [],
        "ProcessingOutputConfig": params.get("ProcessingOutputConfig") or {"Outputs": [], "KmsKeyId": None},
        "ProcessingResources": params.get("ProcessingResources"),
        "RoleArn": params.get("RoleArn"),
        "StoppingCondition": params.get("StoppingCondition") or {"MaxRuntimeInSeconds": 86400},
    }
    (config / "processingjobconfig.json").write_text(json.dumps(job_config, indent=4))
    (config / "resourceconfig.json").write_text(json.dumps({"current_host": host, "hosts": hosts or [host]}))


def _upload_outputs(account_id: str, root: Path, params: dict) -> None:
    """Each output's LocalPath (every file below it) to its S3Uri, keys relative to the folder, as EndOfJob does.
    Called per instance in host order: a file name two instances both wrote keeps the last one's content (S3 keeps
    the last PUT); what AWS does then is not documented (docs/offline-runtime.md)."""
    for entry in (params.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
        target = entry["S3Output"]
        folder = _local(root, target["LocalPath"])
        bucket, prefix = s3io.split_uri(target["S3Uri"])
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            key = "/".join(part for part in (prefix.rstrip("/"), path.relative_to(folder).as_posix()) if part)
            s3io.put_bytes(account_id, bucket, key, path.read_bytes())


def _unpack_source_dir(code_dir: Path) -> None:
    import tarfile

    archive = code_dir / "sourcedir.tar.gz"
    if not archive.is_file():
        raise ProcessingFailure("AlgorithmError: , exit code: 2 (tar: sourcedir.tar.gz: Cannot open: No such file or "
                                "directory)")
    with tarfile.open(archive) as tar:
        tar.extractall(code_dir, filter="data")


def exit_message(root: Path) -> str | None:
    """The first 1 KB of /opt/ml/output/message, or None when the script wrote none."""
    message = root / "output" / "message"
    if not message.is_file():
        return None
    return message.read_bytes()[:1024].decode("utf-8", "replace")


class _Halt:
    """What each instance's process watches (script_training.run_process asks is_set()): StopProcessingJob, or
    another instance's failure, which ends the job and so every instance."""

    def __init__(self, stop_requested):
        self.stop_requested = stop_requested
        self.failed = threading.Event()

    def is_set(self) -> bool:
        return self.failed.is_set() or (self.stop_requested is not None and self.stop_requested.is_set())


def _run_instances(command: list[str], cwds: list[Path], envs: list[dict], writes: list, stop_requested,
                   deadline: float | None = None) -> tuple[list[int | None], int | None]:
    """The script on every instance at once, each in its own process (group) with its own folder and environment;
    returns the exit codes (None for one ended by the others' failure) and the index of the first that failed, or
    None. Raises Stopped after a stop and RuntimeExceeded once `deadline` has come with a script still running
    (each instance's run_process watches the same deadline)."""
    from sagemaker_offline.script_training import run_process
    from sagemaker_offline.stopping import RuntimeExceeded, Stopped

    halt = _Halt(stop_requested)
    codes: list[int | None] = [None] * len(cwds)
    errors: list[BaseException | None] = [None] * len(cwds)
    failed: list[int] = []
    lock = threading.Lock()
    exceeded = threading.Event()

    def instance(index: int) -> None:
        try:
            codes[index] = run_process(command, cwds[index], envs[index], writes[index], halt, deadline)
        except RuntimeExceeded:
            exceeded.set()
            return
        except Stopped:
            return
        except BaseException as error:  # the process could not run: the job fails, as the failing instance's would
            errors[index] = error
            codes[index] = None
        with lock:
            if errors[index] is not None or codes[index] != 0:
                failed.append(index)
                halt.failed.set()  # the other instances end with the job

    threads = [threading.Thread(target=instance, args=(i,), name=f"processing-algo-{i + 1}", daemon=True)
               for i in range(len(cwds))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if stop_requested is not None and stop_requested.is_set():
        raise Stopped()
    if exceeded.is_set() and not failed:
        raise RuntimeExceeded()
    first = failed[0] if failed else None
    if first is not None and errors[first] is not None:
        raise errors[first]
    return codes, first


def run_processing(account_id: str, region: str, params: dict, arn: str, write, stop_requested=None,
                   deadline: float | None = None) -> str | None:
    """Run the job on each of its instances, side by side; returns its ExitMessage (or None). `write` takes one log
    line: one writer, or a list of one per instance (each instance has its own stream). Raises ProcessingFailure
    (with the exit message as its `exit_message` attribute), stopping.Stopped, or stopping.RuntimeExceeded once
    `deadline` (time.monotonic(), when MaxRuntimeInSeconds passes) has come before the scripts ended."""
    app = params.get("AppSpecification") or {}
    flags, script, unpack = command_of(account_id, params)  # offline_problem checked it at create
    arguments = list(app.get("ContainerArguments") or [])
    hosts = host_names(instance_count(params))
    writes = list(write) if isinstance(write, (list, tuple)) else [write] * len(hosts)
    roots: list[Path] = []  # /opt/ml of each instance of this job; two jobs or instances never share one
    try:
        for index, host in enumerate(hosts):
            root = Path(tempfile.mkdtemp(prefix=scratch.prefix(f"processing-{host}")))
            roots.append(root)
            for folder in ("processing", "output", "config"):
                (root / folder).mkdir(parents=True, exist_ok=True)
            for entry in params.get("ProcessingInputs") or []:
                target = _local(root, entry["S3Input"]["LocalPath"])
                target.mkdir(parents=True, exist_ok=True)
                _download_input(account_id, region, params.get("RoleArn", ""), entry, target, index, len(hosts))
            for entry in (params.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
                _local(root, entry["S3Output"]["LocalPath"]).mkdir(parents=True, exist_ok=True)  # made before the start
            _config_files(root, params, arn, host, hosts)
            if unpack:  # runproc.sh: cd /opt/ml/processing/input/code/ && tar -xzf sourcedir.tar.gz
                _unpack_source_dir(_local(root, "/opt/ml/processing/input/code"))
            if not _local(root, script).is_file():
                raise ProcessingFailure(f"AlgorithmError: , exit code: 2 (python3: can't open file {script!r}: no "
                                        "ProcessingInput puts a file there)")
        env = dict(os.environ, **(params.get("Environment") or {}))
        for kernel_only in ("MPLBACKEND", "PYTHONSTARTUP", "JPY_PARENT_PID"):
            env.pop(kernel_only, None)
        env.update({"PYTHONPATH": os.pathsep.join([str(_BOOTSTRAP)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH")
                                                                          else [])),
                    "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"})
        command = [sys.executable, *flags, str(_BOOTSTRAP / "run_script.py"), script, *arguments]
        cwds = [_local(root, "/opt/ml/processing/input/code") if unpack else root for root in roots]
        envs = [dict(env, SAGEMAKER_OFFLINE_OPT_ML=str(root)) for root in roots]
        codes, failed = _run_instances(command, cwds, envs, writes, stop_requested, deadline)
        if failed is not None:  # the first instance to fail gives the reason and the message
            failure = ProcessingFailure(f"AlgorithmError: , exit code: {codes[failed]}")
            failure.exit_message = exit_message(roots[failed])
            raise failure
        for root in roots:  # only a job that completed uploads anything; every instance's outputs, in host order
            _upload_outputs(account_id, root, params)
        return next((m for m in map(exit_message, roots) if m is not None), None)
    finally:
        for root in roots:
            shutil.rmtree(root, ignore_errors=True)
