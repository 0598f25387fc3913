"""Real-time endpoints offline: CreateEndpoint / UpdateEndpoint / DeleteEndpoint move an endpoint through AWS's
statuses on the service clock, each instance of it is a serving process running the built-in XGBoost container
(sagemaker_offline/serving.py), and sagemaker-runtime InvokeEndpoint really sends the request to it.

Every message, status and log name below follows tests/reference/aws/endpoints.json (each entry cites its source);
docs/offline-runtime.md ("Endpoints") says where the offline endpoint differs from AWS's.
"""
from __future__ import annotations

import json
import shutil
import tarfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from sagemaker_offline import instance_types, logs, s3io

# When AWS's steps of CreateEndpoint happen, in service-clock seconds after the call. The SDK's deploy() describes the
# endpoint every 30 s and prints "-" while it is Creating, "!" once InService: public transcripts of SDK v2 deploy()
# print 13 to 15 dashes (tests/reference/aws/endpoints.json "deploy_progress"), so InService falls between the 13th
# and 14th look. The container starts (its log stream appears) a minute or so before that.
ENDPOINT_PHASES = {"container": 330, "in_service": 405}
# DeleteEndpoint: "Deleting" until then (no public source gives the time); before the endpoint_deleted waiter's first
# look (30 s), as a small endpoint's deletion is over by then.
DELETE_SECONDS = 20
# InvokeEndpoint's body limit: "Maximum payload size 6 MB" (API_runtime_InvokeEndpoint); the front end answers 413
# before the container sees the request (tests/reference/aws/endpoints.json "payload_too_large").
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
READY_TIMEOUT_SECONDS = 120  # real seconds a serving process may take to load the model


def _model_error_message(status: int, body: bytes, region: str, account: str, endpoint: str) -> str:
    """ModelError's message as AWS writes it (aws/sagemaker-xgboost-container#390, 1.5-1, 2023)."""
    kind = "client" if 400 <= status < 500 else "server"
    text = body.decode("utf-8", "replace")
    console = (f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logEventViewer:group="
               f"{logs.endpoint_group(endpoint)}")
    return (f'Received {kind} error ({status}) from primary with message "{text}". See {console} in account '
            f"{account} for more information.")


def not_found_message(endpoint: str, account: str) -> str:
    """InvokeEndpoint on an endpoint that is not there (aws/amazon-sagemaker-examples#559, #293)."""
    return f"Endpoint {endpoint} of account {account} not found."


def endpoint_arn(region: str, account: str, name: str) -> str:
    """AWS writes endpoint names in lower case inside the ARN (aws/amazon-sagemaker-examples#293)."""
    return f"arn:aws:sagemaker:{region}:{account}:endpoint/{name.lower()}"


def could_not_find(region: str, account: str, name: str) -> str:
    """DescribeEndpoint / DeleteEndpoint of an unknown endpoint (aws/amazon-sagemaker-examples#2402)."""
    return f'Could not find endpoint "{endpoint_arn(region, account, name)}".'


class EndpointFailure(Exception):
    """Creating the endpoint failed; the message is the FailureReason."""


def download_failure(url: str) -> str:
    """FailureReason when the model artifact is not there (aws-solutions-library-samples/fraud-detection-using-machine-
    learning#9, 2021; aws-samples/cvat-on-aws-china#3, 2022). The SDK's "Reason:  Failed" (two spaces) in both
    public transcripts shows AWS's text starts with a space."""
    return (f' Failed to download model data for container "container_1" from URL: "{url}". Please ensure that there '
            "is an object located at the URL and that the role passed to CreateModel has permissions to download the "
            "object.")


def extract_failure(url: str) -> str:
    """FailureReason when the artifact is not a tar.gz archive (aws/deep-learning-containers#569, 2020; leading space
    as above)."""
    return (f' Failed to extract model data archive for container "container_1" from URL "{url}". Please ensure that '
            "the object located at the URL is a valid tar.gz archive.")


def ping_failure(variant: str) -> str:
    """FailureReason when the container cannot answer /ping, e.g. a model it cannot load (aws/sagemaker-python-sdk#787,
    awslabs/llm-hosting-container#18)."""
    return (f"The primary container for production variant {variant} did not pass the ping health check. Please check "
            "CloudWatch logs for this endpoint.")


# -- one serving process ----------------------------------------------------------------------------------------------
class Serving:
    """The kernel's handle on one instance's serving process: one request at a time through a pipe."""

    def __init__(self, spec: dict, stream: logs.LogStream):
        from sagemaker_offline.processes import context
        from sagemaker_offline.serving import run_serving

        ctx = context()
        self._conn, child = ctx.Pipe()
        self.stream = stream
        self._lock = threading.Lock()
        self.process = ctx.Process(target=run_serving, args=(spec, child), name=f"serving-{spec['name']}",
                                   daemon=True)
        self.process.start()
        child.close()

    def ready(self) -> tuple[bool, list]:
        if not self._conn.poll(READY_TIMEOUT_SECONDS):
            return False, [("container", "ERROR", "the container did not answer GET /ping")]
        try:
            _, ok, events = self._conn.recv()
        except (EOFError, OSError):
            return False, []
        return ok, events

    def invoke(self, body: bytes, content_type: str | None, accept: str | None) -> tuple:
        with self._lock:
            self._conn.send((body, content_type, accept))
            return self._conn.recv()

    def stop(self) -> None:
        """End the process (DeleteEndpoint, a replaced fleet, the offline AWS stopping): no process is left behind."""
        try:
            with self._lock:
                self._conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2)
        self._conn.close()


# -- one endpoint -----------------------------------------------------------------------------------------------------
class EndpointRun:
    """An endpoint's life offline: its fleet (serving processes per variant), its status on moto's record, its logs."""

    def __init__(self, aws, account: str, region: str, name: str, backend, paced: bool = True):
        self.aws, self.account, self.region, self.name, self.backend = aws, account, region, name, backend
        # False for a request through the loopback server (the AWS CLI, the AWS rehearsal's kernels), whose pollers
        # do not move this process's clock: the create call then waits for the end (jobs.is_paced)
        self.paced = paced
        self.fleet: list[tuple[str, Serving]] = []  # (variant name, serving process)
        self._next = 0
        self._lock = threading.Lock()
        self.runner = None  # the JobThread of the current create / update
        self.workdir = Path(aws.workdir) / "endpoints" / name
        self.latencies: list[float] = []  # container seconds per request (what the kit measures offline)
        self._generation = 0  # each create / update starts new instances, with new log streams

    @property
    def record(self):
        return self.backend.endpoints.get(self.name)

    # -- fleet ----------------------------------------------------------------------------------------------------------
    def _start_fleet(self, config_name: str, generation: int) -> list[tuple[str, Serving]]:
        """Download and unpack each variant's model, start one serving process per instance, wait for its /ping."""
        from sagemaker_offline.pacing import offline_images_message
        from sagemaker_offline.xgboost_container import startup_events
        from sagemaker_offline.xgboost_images import builtin_xgboost_image

        config = self.backend.endpoint_configs[config_name]
        fleet: list[tuple[str, Serving]] = []
        try:
            for variant in config.production_variants:
                variant_name = variant["VariantName"]
                model = self.backend._models[variant["ModelName"]]
                container = model.primary_container or (model.containers or [{}])[0]
                image = builtin_xgboost_image(container.get("Image", ""))
                if image is None:
                    raise EndpointFailure(f"ClientError: The model's image {container.get('Image')!r} cannot run "
                                          f"offline. {offline_images_message()}")
                url = container.get("ModelDataUrl") or ""
                model_dir = self._unpack(url, self.workdir / f"{generation}-{variant_name}")
                serverless = variant.get("ServerlessConfig")
                count = 1 if serverless else int(variant.get("InitialInstanceCount") or 1)
                vcpus = 1 if serverless else (instance_types.vcpus(variant.get("InstanceType", "")) or 1)
                environ = dict(container.get("Environment") or {})
                for index in range(count):
                    stream = logs.LogStream(self.account, self.region, logs.endpoint_group(self.name),
                                            logs.endpoint_stream(self.name, variant_name, generation * 100 + index))
                    spec = {"name": f"{self.name}-{variant_name}-{index}", "model_dir": str(model_dir),
                            "image": image, "environ": environ, "vcpus": vcpus}
                    stream.write_events(startup_events(image, vcpus))
                    serving = Serving(spec, stream)
                    fleet.append((variant_name, serving))
                    ok, events = serving.ready()
                    stream.write_events(events)
                    if not ok:
                        raise EndpointFailure(ping_failure(variant_name))
        except Exception:
            for _, serving in fleet:
                serving.stop()
            raise
        return fleet

    def _unpack(self, url: str, target: Path) -> Path:
        try:
            bucket, key = s3io.split_uri(url)
            present = s3io.head(self.account, bucket, key) is not None
        except Exception:  # not an s3:// URL
            present = False
        if not present:
            raise EndpointFailure(download_failure(url))
        target.mkdir(parents=True, exist_ok=True)
        archive = target / "model.tar.gz"
        s3io.download(self.account, bucket, key, archive)
        model_dir = target / "model"
        model_dir.mkdir()
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(model_dir, filter="data")
        except (tarfile.TarError, OSError):
            raise EndpointFailure(extract_failure(url)) from None
        return model_dir

    def _stop_fleet(self, fleet) -> None:
        for _, serving in fleet:
            serving.stop()

    # -- status changes -------------------------------------------------------------------------------------------------
    def _set(self, status: str, reason: str | None = None) -> None:
        record = self.record
        if record is None:
            return
        record.endpoint_status = status
        record.failure_reason = reason
        record.last_modified_time = logs.service_datetime()

    def _deployed(self, config_name: str) -> None:
        """What DescribeEndpoint shows per variant once InService (API_ProductionVariantSummary): DeployedImages."""
        record = self.record
        config = self.backend.endpoint_configs[config_name]
        now = logs.service_datetime()
        variants = []
        for variant in config.production_variants:
            model = self.backend._models[variant["ModelName"]]
            container = model.primary_container or (model.containers or [{}])[0]
            image = container.get("Image", "")
            summary = {"VariantName": variant["VariantName"],
                       "DeployedImages": [{"SpecifiedImage": image, "ResolvedImage": image, "ResolutionTime": now}]}
            if variant.get("ServerlessConfig"):
                summary.update(CurrentServerlessConfig=variant["ServerlessConfig"],
                               DesiredServerlessConfig=variant["ServerlessConfig"])
            else:
                count = int(variant.get("InitialInstanceCount") or 1)
                weight = float(variant.get("InitialVariantWeight", 1.0))
                summary.update(CurrentWeight=weight, DesiredWeight=weight, CurrentInstanceCount=count,
                               DesiredInstanceCount=count)
            variants.append(summary)
        record.production_variants = variants
        record.endpoint_config_name = config_name

    def create(self, config_name: str, interrupted=None) -> None:
        self._run(config_name, updating=False, interrupted=interrupted)

    def update(self, config_name: str) -> None:
        self._set("Updating")
        self._run(config_name, updating=True)

    def _run(self, config_name: str, updating: bool, interrupted=None) -> None:
        from sagemaker_offline.pacing import JobThread, gate

        aws = self.aws
        t0 = logs.service_time()
        generation, self._generation = self._generation, self._generation + 1

        def run() -> None:
            stop = runner.stop_requested
            try:
                gate(aws, t0 + ENDPOINT_PHASES["container"], stop)
                if stop.is_set():
                    return
                fleet = self._start_fleet(config_name, generation)
                gate(aws, t0 + ENDPOINT_PHASES["in_service"], stop)
                if stop.is_set() or self.record is None:
                    self._stop_fleet(fleet)
                    return
                with self._lock:
                    old, self.fleet = self.fleet, fleet
                self._stop_fleet(old)
                self._deployed(config_name)
                self._set("InService")
            except Exception as exc:  # every failure becomes the endpoint's FailureReason, as on AWS
                reason = str(exc) if isinstance(exc, EndpointFailure) else f"{type(exc).__name__}: {exc}"
                gate(aws, t0 + ENDPOINT_PHASES["in_service"], stop)
                if updating:  # the endpoint goes on serving its previous configuration
                    self._set("InService", reason)
                else:
                    self._set("Failed", reason)

        runner = JobThread(run, f"endpoint-{self.name}", aws.clock, self.paced)
        self.runner = runner
        runner.start(0 if self.paced else aws.quick_finish_seconds, interrupted)

    def delete(self) -> None:
        """Deleting: the fleet stops at once (billing ends), the record goes DELETE_SECONDS later."""
        from sagemaker_offline.pacing import JobThread, gate

        self.abandon()
        self._set("Deleting")
        record = self.record
        t0 = logs.service_time()

        def run() -> None:
            gate(self.aws, t0 + DELETE_SECONDS)
            if self.backend.endpoints.get(self.name) is record:
                del self.backend.endpoints[self.name]
            if self.aws.endpoints.get((self.account, self.region, self.name)) is self:
                del self.aws.endpoints[(self.account, self.region, self.name)]
            shutil.rmtree(self.workdir, ignore_errors=True)

        JobThread(run, f"delete-endpoint-{self.name}", self.aws.clock, self.paced).start(
            0 if self.paced else self.aws.quick_finish_seconds)

    def abandon(self) -> None:
        """The offline AWS stops (sagemaker_offline.stop(), kernel exit): end every serving process."""
        if self.runner is not None:
            self.runner.stop_requested.set()
        with self._lock:
            fleet, self.fleet = self.fleet, []
        self._stop_fleet(fleet)

    def pick(self) -> tuple[str, Serving] | None:
        """The instance that gets the next request (round robin; variant weights are not applied offline)."""
        with self._lock:
            if not self.fleet:
                return None
            self._next = (self._next + 1) % len(self.fleet)
            return self.fleet[self._next]


# -- moto handlers ----------------------------------------------------------------------------------------------------
def _params(response) -> dict:
    return json.loads(response.body or "{}")


def _backend(response):
    from moto.sagemaker.models import sagemaker_backends

    return sagemaker_backends[response.current_account][response.region]


def _run_of(aws, response, name: str) -> EndpointRun | None:
    return aws.endpoints.get((response.current_account, response.region, name))


def _create_endpoint(aws, original):
    def handler(self) -> Any:
        from moto.sagemaker.exceptions import ValidationError

        params = _params(self)
        name = params.get("EndpointName", "")
        backend = _backend(self)
        if name in backend.endpoints:  # tests/reference/aws/endpoints.json "already_exists"
            raise ValidationError(message=f'Cannot create already existing endpoint '
                                          f'"{endpoint_arn(self.region, self.current_account, name)}".')
        with aws.interrupts.held("endpoint", name) as interrupted:
            result = original(self)
            record = backend.endpoints[name]
            record.arn = endpoint_arn(self.region, self.current_account, name)
            record.endpoint_status = "Creating"
            record.creation_time = record.last_modified_time = logs.service_datetime()
            record.production_variants = None  # AWS lists the variants once they are deployed
            from sagemaker_offline.processes import start_fork_server

            start_fork_server()
            from sagemaker_offline.pacing import is_paced

            run = EndpointRun(aws, self.current_account, self.region, name, backend, paced=is_paced(aws, self))
            aws.endpoints[(self.current_account, self.region, name)] = run
            run.create(params["EndpointConfigName"], interrupted)
        from moto.core.responses import ActionResult

        return ActionResult({"EndpointArn": record.arn})

    return handler


def _describe_endpoint(aws, original):
    def handler(self) -> Any:
        from moto.core.responses import ActionResult
        from moto.sagemaker.exceptions import ValidationError

        aws.interrupts.deliver()
        name = _params(self).get("EndpointName", "")
        record = _backend(self).endpoints.get(name)
        if record is None:
            raise ValidationError(message=could_not_find(self.region, self.current_account, name))
        body = {"EndpointName": record.endpoint_name, "EndpointArn": record.arn,
                "EndpointConfigName": record.endpoint_config_name}
        if record.production_variants:
            body["ProductionVariants"] = record.production_variants
        if record.data_capture_config:
            body["DataCaptureConfig"] = record.data_capture_config
        body["EndpointStatus"] = record.endpoint_status
        if record.failure_reason:
            body["FailureReason"] = record.failure_reason
        body["CreationTime"] = record.creation_time
        body["LastModifiedTime"] = record.last_modified_time
        return ActionResult(body)

    return handler


def _delete_endpoint(aws):
    def handler(self) -> Any:
        from moto.core.responses import EmptyResult
        from moto.sagemaker.exceptions import ValidationError

        name = _params(self).get("EndpointName", "")
        record = _backend(self).endpoints.get(name)
        if record is None or record.endpoint_status == "Deleting":
            raise ValidationError(message=could_not_find(self.region, self.current_account, name))
        run = _run_of(aws, self, name)
        if run is not None:
            from sagemaker_offline.pacing import is_paced

            run.paced = is_paced(aws, self)
            run.delete()
        else:
            del _backend(self).endpoints[name]
        return EmptyResult()

    return handler


def _update_endpoint(aws):
    def handler(self) -> Any:
        from moto.core.responses import ActionResult
        from moto.sagemaker.exceptions import ValidationError

        params = _params(self)
        name = params.get("EndpointName", "")
        backend = _backend(self)
        record = backend.endpoints.get(name)
        if record is None:
            raise ValidationError(message=could_not_find(self.region, self.current_account, name))
        config = params.get("EndpointConfigName", "")
        if config not in backend.endpoint_configs:
            raise ValidationError(message=f'Could not find endpoint configuration "arn:aws:sagemaker:{self.region}:'
                                          f'{self.current_account}:endpoint-config/{config.lower()}".')
        if record.endpoint_status != "InService":
            raise ValidationError(message=f'Cannot update endpoint "{record.arn}" while it is in status '
                                          f"{record.endpoint_status}; wait until it is InService.")
        run = _run_of(aws, self, name)
        if run is None:
            raise ValidationError(message=could_not_find(self.region, self.current_account, name))
        from sagemaker_offline.pacing import is_paced

        run.paced = is_paced(aws, self)
        run.update(config)
        return ActionResult({"EndpointArn": record.arn})

    return handler


def _invoke_endpoint(aws):
    """sagemaker-runtime InvokeEndpoint (moto's SageMakerRuntimeResponse.invoke_endpoint answers canned bodies)."""

    def handler(self) -> Any:
        from urllib.parse import unquote

        account, region = self.current_account, self.region
        name = unquote(self.path.split("/endpoints/", 1)[-1].split("/", 1)[0])
        record = _backend(self).endpoints.get(name)
        run = _run_of(aws, self, name)
        if record is None or record.endpoint_status not in ("InService", "Updating") or run is None:
            return _error(400, "ValidationError", not_found_message(name, account))
        body = self.body if isinstance(self.body, bytes) else (self.body or "").encode()
        if len(body) > MAX_PAYLOAD_BYTES:  # tests/reference/aws/endpoints.json "payload_too_large"
            return 413, {"status": 413, "Content-Type": "application/json"}, json.dumps(
                {"message": f"HTTP content length exceeded {MAX_PAYLOAD_BYTES} bytes."})
        picked = run.pick()
        if picked is None:
            return _error(400, "ValidationError", not_found_message(name, account))
        variant, serving = picked
        status, out, content_type, events, seconds = serving.invoke(
            body, self.headers.get("Content-Type"), self.headers.get("Accept"))
        serving.stream.write_events(events)
        run.latencies.append(seconds)
        if status in (200, 204):
            return 200, {"status": 200, "Content-Type": content_type, "x-Amzn-Invoked-Production-Variant": variant}, out
        stream_arn = (f"arn:aws:logs:{region}:{account}:log-group:{serving.stream.group}:log-stream:"
                      f"{serving.stream.stream}")
        return _error(424, "ModelError", _model_error_message(status, out, region, account, name),
                      OriginalStatusCode=status, OriginalMessage=out.decode("utf-8", "replace"),
                      LogStreamArn=stream_arn)

    return handler


def _error(status: int, code: str, message: str, **fields) -> tuple:
    """moto takes the HTTP status from the "status" header; botocore reads the code from x-amzn-ErrorType and the
    modelled fields (ModelError's OriginalStatusCode, OriginalMessage, LogStreamArn) from the JSON body."""
    return status, {"status": status, "x-amzn-ErrorType": code, "Content-Type": "application/json"}, json.dumps(
        {"message": message, **fields})


def _describe_endpoint_config(original):
    """moto answers `DataCaptureConfig: {}` for a config created without one. AWS omits the field (optional in
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeEndpointConfig.html), and botocore's model
    requires InitialSamplingPercentage, DestinationS3Uri and CaptureOptions in any DataCaptureConfig, so SDK v3's
    `EndpointConfig.get` rejects the empty one (notebooks/sdk-v3/07_batch_transform_or_endpoint.ipynb, Step 3e)."""
    def handler(self) -> Any:
        from moto.core.responses import ActionResult

        result = original(self)
        body = result.result if isinstance(result, ActionResult) else None
        if isinstance(body, dict):
            return ActionResult({key: value for key, value in body.items()
                                 if not (key in ("DataCaptureConfig", "AsyncInferenceConfig") and not value)})
        return result

    return handler


def response_handlers(aws) -> dict[str, Callable]:
    """The moto SageMakerResponse methods this module replaces, by name."""
    from moto.sagemaker.responses import SageMakerResponse

    return {
        "create_endpoint": _create_endpoint(aws, SageMakerResponse.create_endpoint),
        "describe_endpoint": _describe_endpoint(aws, SageMakerResponse.describe_endpoint),
        "describe_endpoint_config": _describe_endpoint_config(SageMakerResponse.describe_endpoint_config),
        "delete_endpoint": _delete_endpoint(aws),
        "update_endpoint": _update_endpoint(aws),
    }


def runtime_handlers(aws) -> dict[str, Callable]:
    """The moto SageMakerRuntimeResponse methods this module replaces."""
    return {"invoke_endpoint": _invoke_endpoint(aws)}
