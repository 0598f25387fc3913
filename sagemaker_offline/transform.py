"""A transform job as SageMaker runs it (docs/batch-transform-reference.md): inputs resolved at create, objects dealt to
InstanceCount instances (an agent process and container worker processes each), one `.out` per input object, two log streams per
instance (the container's and its data-log), then the end state. docs/offline-runtime.md explains the design and where it differs."""
from __future__ import annotations

import json
import os
import queue as queue_module
import shutil
import tarfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sagemaker_offline import instance_types, logs, s3io
from sagemaker_offline.records import MIB

DEFAULT_MAX_PAYLOAD_MB = 6


def _now() -> datetime:
    return logs.service_datetime()


# When AWS's phases of a transform job happen, in service-clock seconds after the create call (see jobs.py). The
# instances start while the SDK prints its dots, and the SDK's look at 60 s finds each container's stream with its
# start-up lines only; the requests come next, and the agent's first data-log line creates the second stream, so the
# SDK's look at 70 s lists the streams twice and prints the request lines twice (its tailer's quirk), as in
# tests/reference/aws/transform-1.0-1-sdk2-2024-transform.txt; then the job ends.
TRANSFORM_PHASES = {"instances": 55, "requests": 65, "end": 75}
# What SageMaker's FailureReason says when the container rejected records, and when the container itself failed;
# the cause is in the logs (tests/reference/aws/failure-reasons.json).
SEE_JOB_LOGS = "ClientError: See job logs for more information"
CONTAINER_FAILED = "AlgorithmError: See job logs for more information"


@dataclass
class BatchTrace:
    """What one mini-batch did: which instance and object, how many records and bytes, when (seconds from the start)."""

    instance: int
    object_key: str
    batch: int
    records: int
    bytes: int
    start: float
    end: float


@dataclass
class TransformTrace:
    """The fleet's view of a finished offline job, for the parallel notebook's timeline figure."""

    job_name: str
    instance_count: int
    assignment: dict[str, int] = field(default_factory=dict)  # object key -> instance index
    batches: list[BatchTrace] = field(default_factory=list)
    max_concurrent_transforms: int = 1
    max_payload_mb: int = DEFAULT_MAX_PAYLOAD_MB
    batch_strategy: str = "MultiRecord"
    peak_instance_memory_mb: float = 0.0  # the largest instance's peak RSS, its agent and container workers summed
    environment: dict[str, str] = field(default_factory=dict)  # what the container's process environment holds


def resolve_inputs(account_id: str, region: str, params: dict, role_arn: str) -> list[dict]:
    """The input objects and the base their output keys are relative to; refuses at create as SageMaker does."""
    from sagemaker_offline.validation import no_s3_objects_message, validation_error

    source = params["TransformInput"]["DataSource"]["S3DataSource"]
    data_type, uri = source["S3DataType"], source["S3Uri"]
    bucket, prefix = s3io.split_uri(uri)
    if data_type == "S3Prefix":
        objects = s3io.list_prefix(account_id, bucket, prefix)
        base = prefix[: prefix.rfind("/") + 1]
    elif data_type == "ManifestFile":
        try:
            manifest = s3io.read_manifest(account_id, uri)
        except ValueError:
            raise validation_error(f'The manifest file {uri} is not a JSON list starting with {{"prefix": "s3://..."}}'
                                   ' followed by relative keys.') from None
        if manifest is None:
            raise validation_error(f"The manifest file {uri} does not exist. Upload it, or use S3DataType S3Prefix.")
        base_uri, relatives = manifest
        bucket, base = s3io.split_uri(base_uri)
        objects = []
        for relative in relatives:
            found = s3io.head(account_id, bucket, base + relative)
            if found is None:
                raise validation_error(f"The manifest {uri} lists s3://{bucket}/{base}{relative}, which does not exist.")
            objects.append(found)
    else:
        raise validation_error(f"S3DataType {data_type} is not supported by batch transform here: use S3Prefix "
                               "(every object under a prefix) or ManifestFile (a list of objects).")
    if not objects:
        raise validation_error(no_s3_objects_message(uri, region, role_arn, bucket))
    return [{"bucket": o.bucket, "key": o.key, "size": o.size, "relative": o.key[len(base):] if o.key.startswith(base)
             else o.key} for o in objects]


def assign(inputs: list[dict], instance_count: int) -> list[int]:
    """Deal objects to instances: keys in sorted order, each to the instance with the fewest bytes so far."""
    loads = [0] * instance_count
    order = sorted(range(len(inputs)), key=lambda i: (inputs[i]["bucket"], inputs[i]["key"]))
    owner = [0] * len(inputs)
    for i in order:
        target = min(range(instance_count), key=lambda k: (loads[k], k))
        owner[i] = target
        loads[target] += max(inputs[i]["size"], 1)
    return owner


def _workers(concurrency: int, busy_instances: int) -> int:
    """Container worker processes per instance. On SageMaker every instance has its own CPUs and the built-in container
    runs one worker per CPU; here the instances share this machine's, so each gets its share (at least one, and no
    more than the requests it may have in flight)."""
    share = max(1, (os.cpu_count() or 1) // max(busy_instances, 1))
    return max(1, min(concurrency, share))


def _context():
    """Instances are processes from a fork server that has the container's libraries imported already, started without
    the learner's main module and ended with the kernel (sagemaker_offline/processes.py)."""
    from sagemaker_offline import processes

    return processes.context()


def _sdk_reads_recordio() -> bool:
    """True where SDK v2's RecordIO protobuf exists (the course's .venv); not under SDK v3 (the appendix's .venv-v3)."""
    import importlib.util

    try:
        return importlib.util.find_spec("sagemaker.amazon.record_pb2") is not None
    except ImportError:  # v3's removed-module finder answers for sagemaker.amazon
        return False


class JobFailure(Exception):
    """The job fails as a whole; the message is its FailureReason."""


class TransformRun:
    """Runs one transform job to its end state, updating moto's job record as it goes."""

    def __init__(self, aws, account_id: str, region: str, params: dict, model, inputs: list[dict], job):
        self.aws, self.account_id, self.region = aws, account_id, region
        self.params, self.model, self.inputs, self.job = params, model, inputs, job
        self.name = params["TransformJobName"]
        self.stop_requested = None  # an Event, set by StopTransformJob
        self.workdir = Path(aws.workdir) / "transform" / self.name
        self.created = logs.service_time()
        self.created_real = time.time()  # job names are made with the real clock (strftime), not the service clock
        self.epoch = int(self.created) + TRANSFORM_PHASES["instances"]
        count = int(params["TransformResources"]["InstanceCount"])
        self.instance_logs = [logs.LogStream(account_id, region, logs.TRANSFORM_GROUP,
                                             logs.transform_stream(self.name, i, self.epoch)) for i in range(count)]
        self.data_logs = [logs.LogStream(account_id, region, logs.TRANSFORM_GROUP,
                                         logs.data_log_stream(self.name, i, self.epoch)) for i in range(count)]

        self.trace = TransformTrace(self.name, count)
        aws.traces[self.name] = self.trace

    # -- set-up ------------------------------------------------------------------------------------------------------
    def _container(self):
        from sagemaker_offline.pacing import offline_images_message
        from sagemaker_offline.xgboost_images import builtin_xgboost_image

        container = self.model.primary_container or (self.model.containers or [{}])[0]
        image_uri = container.get("Image", "")
        image = builtin_xgboost_image(image_uri)
        if image is None:
            raise JobFailure(f"ClientError: The model's image {image_uri!r} cannot run offline. "
                             f"{offline_images_message()}")
        model_url = container.get("ModelDataUrl")
        if not model_url:
            # the kit's terse words (AWS's are not published), no advice: the kit's is in results.explain_failure
            raise JobFailure("ClientError: The model has no ModelDataUrl, so the container has no model to load")
        return image, model_url, dict(container.get("Environment") or {})

    def _unpack_model(self, model_url: str, folder: str = "model") -> Path:
        bucket, key = s3io.split_uri(model_url)
        if s3io.head(self.account_id, bucket, key) is None:
            # deleted after CreateModel checked it: CreateModel's own words (docs/batch-transform-reference.md, 1)
            raise JobFailure(f"ClientError: Could not find model data at {model_url}")
        archive = self.workdir / f"{folder}.tar.gz"
        s3io.download(self.account_id, bucket, key, archive)
        model_dir = self.workdir / folder
        model_dir.mkdir()
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(model_dir, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise JobFailure(f"ClientError: {model_url} is not a tar.gz model archive ({exc})") from None
        return model_dir

    def _framework_containers(self) -> list[dict] | None:
        """The model's containers when one runs a learner's script or there are several (an inference pipeline):
        each unpacked as SageMaker would (/opt/ml/model, and the code SAGEMAKER_SUBMIT_DIRECTORY names); None for the
        single built-in XGBoost container, which the rest of the job runs as before."""
        from sagemaker_offline import api_support
        from sagemaker_offline.pacing import offline_images_message
        from sagemaker_offline.xgboost_images import builtin_xgboost_image

        containers = list(self.model.containers or []) or [self.model.primary_container or {}]
        environments = [dict(c.get("Environment") or {}) for c in containers]
        if len(containers) == 1 and not api_support.script_mode_program(environments[0]) \
                and builtin_xgboost_image(containers[0].get("Image", "")) is not None:
            return None
        specs = []
        for i, (container, environment) in enumerate(zip(containers, environments)):
            image_uri = container.get("Image", "")
            name = container.get("ContainerHostname") or f"container-{i + 1}"
            program = api_support.script_mode_program(environment)
            model_url = container.get("ModelDataUrl")
            if not model_url:
                raise JobFailure(f"ClientError: The model's container {name} has no ModelDataUrl, so it has no model "
                                 "to load. Give each container the model.tar.gz its training job wrote.")
            model_dir = self._unpack_model(model_url, f"model-{i + 1}")
            if program:
                framework = api_support.script_mode_image("CreateTransformJob", image_uri, environment)
                submit = (environment.get("SAGEMAKER_SUBMIT_DIRECTORY") or "").strip('"')
                if submit.startswith("s3://"):
                    code_dir = self.workdir / f"code-{i + 1}"
                    code_dir.mkdir()
                    bucket, key = s3io.split_uri(submit)
                    if s3io.head(self.account_id, bucket, key) is None:
                        raise JobFailure(f"ClientError: Could not download the code {submit} "
                                         f"(SAGEMAKER_SUBMIT_DIRECTORY of container {name}): no such object.")
                    s3io.download(self.account_id, bucket, key, self.workdir / f"code-{i + 1}.tar.gz")
                    with tarfile.open(self.workdir / f"code-{i + 1}.tar.gz") as tar:
                        tar.extractall(code_dir, filter="data")
                elif submit.startswith("/opt/ml/model"):  # the SDK repacked the code into model.tar.gz
                    code_dir = model_dir / submit[len("/opt/ml/model"):].strip("/")
                else:
                    code_dir = model_dir / "code"
                specs.append({"kind": "script", "framework": framework.framework, "version": framework.version,
                              "name": name, "model_dir": str(model_dir), "code_dir": str(code_dir),
                              "program": program, "environ": environment})
            else:
                image = builtin_xgboost_image(image_uri)
                if image is None:
                    raise JobFailure(f"ClientError: The image {image_uri!r} of container {name} cannot run offline. "
                                     f"{offline_images_message()} Script mode runs on the scikit-learn and XGBoost "
                                     "framework images.")
                specs.append({"kind": "xgboost", "image": image, "name": name, "model_dir": str(model_dir),
                              "environ": environment})
        return specs

    def _effective(self, server_params: dict) -> tuple[int, int, str]:
        """Request value > the container's /execution-parameters > defaults (MCT 1, 6 MB) [docs/batch-transform-reference.md, section 2]."""
        p = self.params
        mct = p.get("MaxConcurrentTransforms") or server_params.get("MaxConcurrentTransforms") or 1
        mpim = p.get("MaxPayloadInMB")
        if mpim is None:
            mpim = server_params.get("MaxPayloadInMB", DEFAULT_MAX_PAYLOAD_MB)
        strategy = p.get("BatchStrategy") or {"MULTI_RECORD": "MultiRecord", "SINGLE_RECORD": "SingleRecord"}.get(
            server_params.get("BatchStrategy", ""), "MultiRecord")
        return int(mct), int(mpim), strategy

    def _environ(self, model_env: dict) -> dict:
        env = dict(model_env)
        env.update(self.params.get("Environment") or {})
        env["SAGEMAKER_BATCH"] = "true"
        p = self.params
        if p.get("MaxPayloadInMB") is not None:
            env["SAGEMAKER_MAX_PAYLOAD_IN_MB"] = str(p["MaxPayloadInMB"])
        if p.get("BatchStrategy"):
            env["SAGEMAKER_BATCH_STRATEGY"] = {"MultiRecord": "MULTI_RECORD", "SingleRecord": "SINGLE_RECORD"}[p["BatchStrategy"]]
        if p.get("MaxConcurrentTransforms"):
            env["SAGEMAKER_MAX_CONCURRENT_TRANSFORMS"] = str(p["MaxConcurrentTransforms"])
        return env

    # -- the run -------------------------------------------------------------------------------------------------------
    def _gate(self, phase: str) -> None:
        from sagemaker_offline.pacing import gate

        gate(self.aws, self.created + TRANSFORM_PHASES[phase], self.stop_requested)

    def data_log(self, index: int, message: str, seconds: float | None = None) -> None:
        """One [sagemaker logs] line of instance `index`'s agent (its first line creates the stream)."""
        seconds = logs.service_time() if seconds is None else seconds
        self.data_logs[index].write_lines([logs.data_log_line(seconds, message)], seconds)

    def run(self) -> None:
        try:
            self._run_to_end()
        except Exception as exc:  # a runtime bug must still end the job, never leave it InProgress
            self._fail_on_bug(exc)
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _run_to_end(self) -> None:
        uploaded: list[tuple[str, str]] = []
        try:
            self._gate("instances")
            self.job.transform_start_time = _now()
            self.workdir.mkdir(parents=True, exist_ok=True)
            failures = self._run(uploaded)
            if not (self.stop_requested is not None and self.stop_requested.is_set()):
                self._gate("end")
            if self.stop_requested is not None and self.stop_requested.is_set():
                self._finish("Stopped", uploaded=uploaded)
            elif failures:
                self._finish("Failed", self._failure_reason(failures))
            else:
                self._finish("Completed")
        except JobFailure as exc:
            reason = str(exc).rstrip(".")  # the SDK adds ". Check troubleshooting guide ..." after it
            self.data_log(0, reason)
            self._finish("Failed", reason, uploaded=uploaded)

    def _fail_on_bug(self, exc: Exception) -> None:
        """End the job Failed after an error of the runtime itself. The reason names the kit, never the service: AWS
        has no such failure. Objects finished before it keep their `.out`, as a failed job's do on AWS. If even the
        normal ending fails, the job record is set directly."""
        reason = (f"OfflineRuntimeError: the offline runtime failed ({type(exc).__name__}: {exc}). "
                  "This is a bug in the course kit; please report it")
        try:
            self._finish("Failed", reason)
        except Exception:  # noqa: BLE001 - the job must end whatever broke
            self.job.failure_reason = reason[:1024]
            self.job.transform_end_time = self.job.last_modified_time = _now()
            self.job.transform_start_time = self.job.transform_start_time or self.job.transform_end_time
            self.job.transform_job_status = "Failed"

    def _run(self, uploaded: list) -> list[tuple[str, str]]:
        from sagemaker_offline.xgboost_container import XGBoostServer

        p = self.params
        instance_cpus = instance_types.vcpus(p["TransformResources"]["InstanceType"])
        containers = self._framework_containers()
        if containers is None:  # the built-in XGBoost container alone
            image, model_url, model_env = self._container()
            model_dir = self._unpack_model(model_url)
            environ = self._environ(model_env)
            probe = XGBoostServer(model_dir, image, environ, cpu_count=instance_cpus).execution_parameters()
        else:  # script mode and inference pipelines (script_container.py): no /execution-parameters, defaults apply
            from sagemaker_offline.xgboost_container import Response

            for container in containers:
                container["environ"] = self._environ(container["environ"])
            image, model_dir, environ = None, None, dict(containers[0]["environ"])
            probe = Response(404, b"", "text/html; charset=utf-8")
        self.trace.environment = dict(environ)
        server_params = json.loads(probe.body) if probe.status == 200 else {}
        mct, mpim, strategy = self._effective(server_params)
        self.trace.max_concurrent_transforms, self.trace.max_payload_mb, self.trace.batch_strategy = mct, mpim, strategy
        parameters_line = (f"MaxConcurrentTransforms={mct}, MaxPayloadInMB={mpim}, "
                           f"BatchStrategy={'MULTI_RECORD' if strategy == 'MultiRecord' else 'SINGLE_RECORD'}")
        t_input = p["TransformInput"]
        split_type = t_input.get("SplitType") or "None"
        if split_type == "TFRecord":
            raise JobFailure("ClientError: SplitType TFRecord is for TensorFlow containers; the built-in XGBoost "
                             "container reads text/csv, text/libsvm and RecordIO-protobuf")
        recordio = "application/x-recordio-protobuf"
        if recordio in (t_input.get("ContentType"), p["TransformOutput"].get("Accept")) and not _sdk_reads_recordio():
            raise JobFailure("ClientError: this offline runtime reads and writes RecordIO-protobuf with SDK v2's "
                             "sagemaker.amazon.record_pb2, which SDK v3 removed; run RecordIO jobs in the course's .venv "
                             "(SDK v2). On AWS the container does not depend on the SDK.")
        if mpim == 0:
            # the kit's words (AWS's are not published): MaxPayloadInMB=0 means chunked requests (API reference)
            raise JobFailure("ClientError: MaxPayloadInMB=0 asks for chunked requests, which the built-in XGBoost "
                             "container does not accept")
        processing = p.get("DataProcessing")
        if processing:
            from sagemaker_offline.data_processing import DataProcessing, DataProcessingError

            try:  # AWS's wording for a filter it cannot read is not published; the job fails with the kit's reason
                dp = DataProcessing.from_request(processing)
            except DataProcessingError as exc:
                raise JobFailure(f"ClientError: {exc}") from None
            if dp.is_default:
                processing = None
            else:
                try:
                    dp.check_job(t_input.get("ContentType"), p["TransformOutput"].get("Accept"), split_type,
                                 p["TransformOutput"].get("AssembleWith") or "None")
                except DataProcessingError as exc:
                    raise JobFailure(f"ClientError: {exc}") from None
        count = int(p["TransformResources"]["InstanceCount"])
        owners = assign(self.inputs, count)
        (self.workdir / "in").mkdir()
        (self.workdir / "out").mkdir()
        plans: list[list[dict]] = [[] for _ in range(count)]
        for n, item in enumerate(self.inputs):
            self.trace.assignment[item["key"]] = owners[n]
            plans[owners[n]].append({"n": n, "path": str(self.workdir / "in" / str(n)),
                                     "out_path": str(self.workdir / "out" / f"{n}.out"),
                                     "label": f"{item['bucket']}/{item['key']}"})
        out_bucket, out_prefix = s3io.split_uri(p["TransformOutput"]["S3OutputPath"])
        out_prefix = out_prefix.rstrip("/") + "/" if out_prefix.strip("/") else ""
        if not s3io.bucket_exists(self.account_id, out_bucket):
            # AWS does not check the output bucket at create; its FailureReason for this case is not published, so
            # the job fails before its requests, with the S3 error code a PutObject there gets (NoSuchBucket)
            raise JobFailure(f"ClientError: Unable to write the output to {p['TransformOutput']['S3OutputPath']}: "
                             f"NoSuchBucket: The specified bucket does not exist ({out_bucket})")
        timeout = (p.get("ModelClientConfig") or {}).get("InvocationsTimeoutInSeconds", 600)
        base = {"image": image, "model_dir": str(model_dir) if model_dir else None, "environ": environ,
                "containers": containers,
                "content_type": t_input.get("ContentType"), "accept": p["TransformOutput"].get("Accept"),
                "split_type": split_type, "multi": strategy == "MultiRecord", "limit": mpim * MIB,
                "concurrency": mct, "workers": _workers(mct, sum(1 for plan in plans if plan)), "invocation_timeout": timeout,
                "assemble_with": p["TransformOutput"].get("AssembleWith") or "None",
                "compression": t_input.get("CompressionType") or "None", "data_processing": processing,
                "vcpus": instance_cpus or 1, "execution_parameters_size": len(probe.body),
                "execution_parameters_status": probe.status,
                "parameters_line": parameters_line}
        return self._drive(plans, base, out_bucket, out_prefix, uploaded)

    def _drive(self, plans, base, out_bucket, out_prefix, uploaded) -> list[tuple[str, str]]:
        """Start the instances, hand them their objects as they download, and collect what they report."""
        from sagemaker_offline.instance import run_instance, run_worker

        context = _context()
        messages = context.Queue()
        processes, agents, inboxes, queues = [], [], {}, []
        started = time.time()
        from sagemaker_offline.xgboost_container import startup_events

        for index in range(len(plans)):  # every container starts, also on an instance with no object (it sits idle)
            if base["containers"] is None:  # framework containers' start-up lines are not reproduced
                self.instance_logs[index].write_events(startup_events(base["image"], base["vcpus"]))
        self._gate("requests")
        # CloudWatch stamps what the container wrote during the requests with one delivery time per batch, so the
        # SDK prints a doubled stream block by block, as in the reference transcripts
        delivery = logs.service_time()
        for stream in self.instance_logs:
            stream.delivery_time = delivery
        for index, objects in enumerate(plans):
            if not objects:
                continue
            spec = dict(base, index=index)
            inbox, tasks, results = context.Queue(), context.Queue(), context.Queue()
            inboxes[index] = inbox
            queues.extend((tasks, results))  # held until the end: a child rebuilds a queue from its name, which
            # disappears once the parent drops its last reference (Process.start drops its args)
            for worker in range(spec["workers"]):
                processes.append(context.Process(target=run_worker, args=(spec, tasks, results, messages),
                                                 name=f"{self.name}-instance-{index}-worker-{worker}", daemon=True))
            agent = context.Process(target=run_instance, args=(spec, inbox, tasks, results, messages),
                                    name=f"{self.name}-instance-{index}", daemon=True)
            processes.append(agent)
            agents.append(agent)
        for proc in processes:
            proc.start()
        failures: list[tuple[str, str]] = []
        pending = sum(len(objects) for objects in plans)
        try:
            stopped = self._deliver(plans, inboxes)
            while pending and not stopped:
                if self.stop_requested is not None and self.stop_requested.is_set():
                    stopped = True
                    break
                try:
                    message = messages.get(timeout=0.05)
                except queue_module.Empty:
                    if not any(agent.is_alive() for agent in agents):  # an agent reports everything before it ends
                        try:
                            message = messages.get(timeout=0.5)
                        except queue_module.Empty:
                            from sagemaker_offline.processes import ended_early_reason

                            raise JobFailure(ended_early_reason(agents)) from None
                    else:
                        continue
                pending -= self._handle(message, started, out_bucket, out_prefix, uploaded, failures)
            if not stopped:
                for proc in processes:
                    proc.join(timeout=5)
                while True:  # the last log lines and memory figures, already sent by processes that have ended
                    try:
                        message = messages.get(timeout=0.001 if all(not p.is_alive() for p in processes) else 0.05)
                    except queue_module.Empty:
                        break
                    self._handle(message, started, out_bucket, out_prefix, uploaded, failures)
        finally:
            for proc in processes:
                if proc.is_alive():
                    proc.terminate()
                    proc.join(timeout=5)
        return failures

    def _deliver(self, plans, inboxes) -> bool:
        """Download each instance's objects in its order, first objects first, so instances start while later objects
        are still copying (an instance's local volume); returns True when the job was stopped meanwhile."""
        rounds = max(len(objects) for objects in plans)
        for position in range(rounds):
            for index, objects in enumerate(plans):
                if position < len(objects):
                    if self.stop_requested is not None and self.stop_requested.is_set():
                        return True
                    item = objects[position]
                    source = self.inputs[item["n"]]
                    s3io.download(self.account_id, source["bucket"], source["key"], Path(item["path"]))
                    inboxes[index].put(item)
        for inbox in inboxes.values():
            inbox.put(None)
        return False

    def _handle(self, message, started, out_bucket, out_prefix, uploaded, failures) -> int:
        """Act on one report from an instance; returns how many objects it finished (0 or 1)."""
        kind = message[0]
        if kind == "log":
            seconds = logs.service_time()
            events = [event for event in message[2] if event[0] != "data"]
            self.instance_logs[message[1]].write_events(events, seconds)
            for event in message[2]:
                if event[0] == "data":
                    self.data_log(message[1], event[1], seconds)
        elif kind == "batch":
            _, index, n, number, records, size, t0, t1 = message
            self.trace.batches.append(BatchTrace(index, self.inputs[n]["key"], number, records, size,
                                                 t0 - started, t1 - started))
        elif kind == "memory":
            self.trace.peak_instance_memory_mb = max(self.trace.peak_instance_memory_mb, message[2])
        elif kind == "done":
            _, index, n, path = message
            key = out_prefix + self.inputs[n]["relative"] + ".out"
            s3io.upload(self.account_id, out_bucket, key, Path(path))
            os.remove(path)
            uploaded.append((out_bucket, key))
            return 1
        elif kind == "failed":
            _, index, n, reason, data_lines = message
            item = self.inputs[n]
            seconds = logs.service_time()
            for line in data_lines:
                self.data_log(index, line, seconds)
            failures.append((f"s3://{item['bucket']}/{item['key']}", reason))
            return 1
        return 0

    # -- the end -------------------------------------------------------------------------------------------------------
    def _failure_reason(self, failures: list[tuple[str, str]]) -> str:
        """AWS's words: the cause is in the logs (explain_failure in helpers/course/results.py gives the kit's diagnosis)."""
        if all(reason.startswith("ping: ") for _, reason in failures):
            return CONTAINER_FAILED
        return SEE_JOB_LOGS

    def _finish(self, status: str, reason: str | None = None, uploaded: list | None = None) -> None:
        from sagemaker_offline.pacing import hold_past_creation_second

        hold_past_creation_second(self.created_real)
        if status == "Stopped" and uploaded:
            for bucket, key in uploaded:  # a stopped job stores no output
                s3io.delete(self.account_id, bucket, key)
        if reason:
            self.job.failure_reason = reason[:1024]
        self.job.transform_end_time = self.job.last_modified_time = _now()
        if self.job.transform_start_time is None:
            self.job.transform_start_time = self.job.transform_end_time
        self.job.transform_job_status = status
