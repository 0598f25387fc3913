"""Where the runtime plugs into moto's SageMaker: create calls are checked as SageMaker checks them, then jobs run in a
background thread and move InProgress -> Completed / Failed (with a FailureReason) / Stopped, as on AWS, through AWS's
phases on the service clock (service.ServiceClock)."""
from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any, Callable

from sagemaker_offline import api_support, logs
from sagemaker_offline.pacing import JobThread, gate, hold_past_creation_second, is_paced, offline_images_message


def _now() -> datetime:
    return logs.service_datetime()  # moto stores naive UTC datetimes; offline time is the service clock's


# When AWS's phases of a training job happen, in service-clock seconds after the create call. They fall between the
# SDK's polls (logs every 10 s, status every 30 s), so `fit()` prints what a fast built-in XGBoost job prints on AWS
# (tests/reference/aws/training-1.7-1-sdk2-2025.txt): the status lines one by one up to "Training" and "Uploading"
# together, the container's lines (CloudWatch shows them once the job is uploading), an empty line, "Completed".
# fit() describes the job at once, sleeps 5 s, then reads the logs every 10 s and describes every 30 s (at about
# 36, 66, 96, 126, 156 s); each phase sits mid-way between two of those looks.
TRAINING_PHASES = {"preparing": 15, "downloading": 45, "downloading_image": 80, "training": 100, "uploading": 115,
                   "logs": 120, "end": 135}


def _params(response) -> dict:
    return json.loads(response.body or "{}")


def _validate(operation: str, params: dict, backend) -> None:
    """Field rules first, then names already taken and unknown models, as SageMaker answers a create call."""
    from sagemaker_offline.validation import check_existing_resources, validate_request

    validate_request(operation, params)
    check_existing_resources(operation, params, backend)


def _backend(response):
    from moto.sagemaker.models import sagemaker_backends

    return sagemaker_backends[response.current_account][response.region]


# -- training -------------------------------------------------------------------------------------------------------
def _fill_in_training_defaults(job) -> None:
    """What DescribeTrainingJob shows for fields the request left out (tests/reference/aws/describe-training-job-2022.json)."""
    channels = []
    for channel in job.input_data_config or []:
        channel = dict(channel)
        source = channel.get("DataSource", {}).get("S3DataSource")
        if source is not None:
            channel["DataSource"] = dict(channel["DataSource"], S3DataSource=dict(
                source, S3DataDistributionType=source.get("S3DataDistributionType") or "FullyReplicated"))
        channel.setdefault("CompressionType", "None")
        channel.setdefault("RecordWrapperType", "None")
        channels.append(channel)
    job.input_data_config = channels
    job.output_data_config = dict(job.output_data_config, KmsKeyId=job.output_data_config.get("KmsKeyId", ""))
    for flag in ("enable_network_isolation", "enable_inter_container_traffic_encryption", "enable_managed_spot_training"):
        if getattr(job, flag, None) is None:
            setattr(job, flag, False)


def _holding_interrupts(aws, kind: str, name_field: str, create):
    """The create call as one step, as on AWS: an interrupt during it ends only its wait (sagemaker_offline/interrupts.py)."""

    def handler(self) -> Any:
        with aws.interrupts.held(kind, _params(self).get(name_field, "")) as interrupted:
            return create(self, interrupted)

    return handler


def _script_values(account_id: str, params: dict) -> dict | None:
    """What names a training job's script: v2's `sagemaker_program` hyperparameters, or for SDK v3's ModelTrainer
    (source_code) the entry script of its sourcecode.json, refused at once when it cannot run offline."""
    from sagemaker_offline import model_trainer_driver

    if not model_trainer_driver.is_driver_job(params):
        return params.get("HyperParameters")
    code = model_trainer_driver.source_code(account_id, params)
    problem = model_trainer_driver.problem(code)
    if problem:
        raise api_support.not_offline("CreateTrainingJob", "script mode (SDK v3 ModelTrainer with source_code)",
                                      f": {problem}")
    return {"sagemaker_program": code["entry_script"]}


def _create_training_job(aws, original):
    def create(self, interrupted) -> Any:
        params = _params(self)
        backend = _backend(self)
        _validate("CreateTrainingJob", params, backend)
        script_image = api_support.script_mode_image("CreateTrainingJob", params["AlgorithmSpecification"].get(
            "TrainingImage", ""), _script_values(self.current_account, params), self.current_account)
        name = params["TrainingJobName"]
        result = original(self)
        job = backend.training_jobs[name]
        job.algorithm_specification.pop("MetricDefinitions", None)  # moto's placeholder metrics are not XGBoost's
        _fill_in_training_defaults(job)
        t0 = logs.service_time()
        start = _now()
        job.creation_time = start
        job.training_job_status, job.secondary_status = "InProgress", "Starting"
        job.training_start_time, job.training_end_time, job.last_modified_time = None, None, start
        job.secondary_status_transitions = [{"Status": "Starting", "StartTime": start,
                                             "StatusMessage": "Starting the training job"}]
        job.final_metric_data_list = None
        job.model_artifacts = None
        account, region = self.current_account, self.region
        created = time.time()
        stream = logs.LogStream(account, region, logs.TRAINING_GROUP,
                                logs.training_stream(name, 1, int(t0) + TRAINING_PHASES["training"]))
        held = logs.HeldLines(stream)  # written as they happen, visible from TRAINING_PHASES["logs"]
        write, publish = held.write, held.publish

        def transition(status: str, message: str) -> None:
            """A new secondary status, or (same status) a new message for the current one, as AWS reports them."""
            now = _now()
            current = job.secondary_status_transitions[-1]
            if current["Status"] == status:
                current["StatusMessage"] = message
            else:
                current["EndTime"] = now
                job.secondary_status_transitions.append({"Status": status, "StartTime": now, "StatusMessage": message})
            job.secondary_status = status
            job.last_modified_time = now

        def run() -> None:
            from sagemaker_offline.stopping import (MAX_RUNTIME_MESSAGE, STOPPED_MESSAGE, STOPPING_MESSAGE,
                                                    RuntimeExceeded, Stopped, check, container_deadline, max_runtime)
            from sagemaker_offline.training import TrainingFailure, run_training
            from sagemaker_offline.xgboost_images import builtin_xgboost_image

            stop = runner.stop_requested
            limit = max_runtime(params)

            def phase(name: str) -> None:
                """Wait for the phase's service second; MaxRuntimeInSeconds counts from TrainingStartTime (the
                Downloading phase), so a limit passing by the phase's start stops the job at that second."""
                counted = TRAINING_PHASES[name] - TRAINING_PHASES["downloading"]
                if limit is not None and counted >= limit:
                    gate(aws, t0 + TRAINING_PHASES["downloading"] + limit, stop)
                    check(stop)
                    raise RuntimeExceeded()
                gate(aws, t0 + TRAINING_PHASES[name], stop)
                check(stop)

            try:
                phase("preparing")
                transition("Starting", "Preparing the instances for training")
                phase("downloading")
                job.training_start_time = _now()
                transition("Downloading", "Downloading input data")
                phase("downloading_image")
                transition("Downloading", "Downloading the training image")
                phase("training")
                transition("Training", "Training image download completed. Training in progress.")
                # the container's own run counts in real seconds, after the phases' service seconds before it
                deadline = container_deadline(params, TRAINING_PHASES["training"] - TRAINING_PHASES["downloading"])
                image = params["AlgorithmSpecification"].get("TrainingImage", "")
                if script_image is not None:  # script mode: the learner's entry point (script_training.py)
                    from sagemaker_offline import model_trainer_driver
                    from sagemaker_offline.script_training import run_script_training

                    if model_trainer_driver.is_driver_job(params):  # SDK v3's ModelTrainer(source_code=...)
                        result = model_trainer_driver.run(account, region, params, write, stop, deadline)
                    else:
                        result = run_script_training(account, region, params, write, script_image, stop, deadline)
                else:
                    xgb_image = builtin_xgboost_image(image)
                    if xgb_image is None:
                        raise TrainingFailure(f"ClientError: Image {image!r} cannot run offline. "
                                              f"{offline_images_message()}")
                    result = run_training(account, params, write, xgb_image, stop, deadline)
                # the upload is not counted: the API reference's StoppingCondition puts "archiving and uploading
                # models after it has been stopped" beyond MaxRuntimeInSeconds
                gate(aws, t0 + TRAINING_PHASES["uploading"], stop)
                transition("Uploading", "Uploading generated training model")
                gate(aws, t0 + TRAINING_PHASES["logs"], stop)
                publish()
                gate(aws, t0 + TRAINING_PHASES["end"], stop)
                hold_past_creation_second(created)
                job.model_artifacts = {"S3ModelArtifacts": result["artifact"]}
                now = _now()
                job.final_metric_data_list = [dict(m, Timestamp=now) for m in result["metrics"]]
                transition("Completed", "Training job completed")
                job.secondary_status_transitions[-1]["EndTime"] = now
                job.training_job_status = "Completed"
            except Stopped as stopped:  # StopTrainingJob or MaxRuntimeInSeconds: the script's group is killed
                # (script_training.run_process), nothing is uploaded, no FailureReason (sagemaker_offline/stopping.py)
                publish()
                hold_past_creation_second(created)
                transition("Stopping", STOPPING_MESSAGE)
                if isinstance(stopped, RuntimeExceeded):
                    transition("MaxRuntimeExceeded", MAX_RUNTIME_MESSAGE)
                else:
                    transition("Stopped", STOPPED_MESSAGE)
                job.secondary_status_transitions[-1]["EndTime"] = job.last_modified_time
                job.training_job_status = "Stopped"
            except Exception as exc:  # every failure becomes the job's FailureReason, as on AWS
                reason = str(exc) if isinstance(exc, TrainingFailure) else f"AlgorithmError: {type(exc).__name__}: {exc}"
                reason = reason.rstrip(".")  # the SDK adds ". Check troubleshooting guide ..." after it
                write(logs.container_line(logs.service_time(), reason, "ERROR"))
                gate(aws, t0 + TRAINING_PHASES["logs"], stop)
                publish()
                gate(aws, t0 + TRAINING_PHASES["end"], stop)
                hold_past_creation_second(created)
                job.failure_reason = reason[:1024]
                transition("Failed", "Training job failed")
                job.training_job_status = "Failed"
            finally:
                job.training_end_time = job.last_modified_time = _now()
                if job.training_start_time is None:
                    job.training_start_time = job.training_end_time
                # AWS bills from the download of the input data to the end (reference: tests/reference/aws)
                job.billable_time_in_seconds = max(1, int((job.training_end_time - job.training_start_time)
                                                          .total_seconds()))
                job.training_time_in_seconds = job.billable_time_in_seconds

        paced = is_paced(aws, self)
        runner = JobThread(run, f"training-{name}", aws.clock, paced)
        aws.jobs[("training", account, region, name)] = runner
        runner.start(0 if paced else aws.quick_finish_seconds, interrupted)
        return result

    return _holding_interrupts(aws, "training", "TrainingJobName", create)


# -- processing -----------------------------------------------------------------------------------------------------
# When AWS's phases of a processing job happen, in service-clock seconds after the create call: the container starts
# about three minutes in (the log stream `<job>/algo-1-<epoch>` of a real job is named for a time 2-3 minutes after its
# creation: `papermill-powers-2020-11-07-00-49-42/algo-1-1604710358`, aws-samples/sagemaker-run-notebook#11), its lines
# reach CloudWatch while it runs, and the job ends after the outputs are uploaded. Each phase falls between two of the
# SDK's looks (logs_for_processing_job: logs every 10 s, status every 30 s).
PROCESSING_PHASES = {"container": 155, "logs": 165, "end": 185}


def _create_processing_job(aws, original):
    def create(self, interrupted) -> Any:
        from sagemaker_offline import processing

        params = _params(self)
        backend = _backend(self)
        _validate("CreateProcessingJob", params, backend)
        problem = processing.offline_problem(params, self.current_account)
        if problem:
            raise api_support.not_offline("CreateProcessingJob", "a Processing job", f": {problem}")
        name = params["ProcessingJobName"]
        result = original(self)
        job = backend.processing_jobs[name]
        # what moto leaves out of its record, and what AWS fills in (StoppingCondition: the byoc-config example)
        job.processing_resources = params.get("ProcessingResources")
        job.environment = params.get("Environment") or None
        job.stopping_condition = params.get("StoppingCondition") or {"MaxRuntimeInSeconds": 86400}
        t0 = logs.service_time()
        start = _now()
        job.creation_time = job.last_modified_time = start
        job.processing_job_status = "InProgress"
        job.processing_start_time = job.processing_end_time = None
        job.exit_message = job.failure_reason = None
        account, region = self.current_account, self.region
        created = time.time()
        # one stream per instance, `<job>/algo-<n>-<epoch>`, the instances starting together (a two-node job's streams
        # `training-job-test-remote-debug/algo-1-1680535238` and `.../algo-2-1680535238`, Developer Guide,
        # https://docs.aws.amazon.com/sagemaker/latest/dg/train-remote-debugging.html); each instance's lines are
        # written as they happen, visible once the containers' logs are
        epoch = int(t0) + PROCESSING_PHASES["container"]
        held = [logs.HeldLines(logs.LogStream(account, region, logs.PROCESSING_GROUP,
                                              logs.processing_stream(name, host, epoch)))
                for host in range(1, processing.instance_count(params) + 1)]
        write = [one.write for one in held]

        def publish() -> None:
            for one in held:
                one.publish()

        def run() -> None:
            from sagemaker_offline.processing import ProcessingFailure, run_processing
            from sagemaker_offline.stopping import Stopped, check, container_deadline

            stop = runner.stop_requested
            try:
                gate(aws, t0 + PROCESSING_PHASES["container"], stop)
                job.processing_start_time = job.last_modified_time = _now()
                check(stop)
                # MaxRuntimeInSeconds counts the container's real seconds from ProcessingStartTime, as a training
                # job's counts from TrainingStartTime (sagemaker_offline/stopping.py); the upload after it does not
                deadline = container_deadline({"StoppingCondition": job.stopping_condition}, 0)
                message = run_processing(account, region, params, job.arn, write, stop, deadline)
                gate(aws, t0 + PROCESSING_PHASES["logs"], stop)
                publish()
                gate(aws, t0 + PROCESSING_PHASES["end"], stop)
                hold_past_creation_second(created)
                job.exit_message = message  # DescribeProcessingJob shows it once the job has ended (byoc-metadata)
                job.processing_job_status = "Completed"
            except Stopped:  # StopProcessingJob or MaxRuntimeInSeconds (stopping.RuntimeExceeded) killed the script
                # (script_training.run_process): nothing uploaded, no FailureReason; a processing job has no
                # secondary status to tell the two apart (DescribeProcessingJob, ProcessingStoppingCondition:
                # "After the condition is met, the processing job is stopped.")
                publish()
                hold_past_creation_second(created)
                job.processing_job_status = "Stopped"
            except Exception as exc:  # every failure becomes the job's FailureReason, as on AWS
                reason = str(exc) if isinstance(exc, ProcessingFailure) else f"AlgorithmError: {type(exc).__name__}: {exc}"
                gate(aws, t0 + PROCESSING_PHASES["logs"], stop)
                publish()
                gate(aws, t0 + PROCESSING_PHASES["end"], stop)
                hold_past_creation_second(created)
                job.exit_message = getattr(exc, "exit_message", None)
                job.failure_reason = reason[:1024]
                job.processing_job_status = "Failed"
            finally:
                job.processing_end_time = job.last_modified_time = _now()

        paced = is_paced(aws, self)
        runner = JobThread(run, f"processing-{name}", aws.clock, paced)
        aws.jobs[("processing", account, region, name)] = runner
        runner.start(0 if paced else aws.quick_finish_seconds, interrupted)
        return result

    return _holding_interrupts(aws, "processing", "ProcessingJobName", create)


def _signal_stop(aws, response, kind: str, name: str) -> None:
    """Tell the job's runner (if it is still running here) that StopXJob was called; it ends as Stopped."""
    runner = aws.jobs.get((kind, response.current_account, response.region, name))
    if runner is not None:
        runner.stop_requested.set()


def _stop_processing_job(aws):
    def handler(self) -> Any:
        from moto.core.responses import EmptyResult
        from moto.sagemaker.exceptions import ValidationError
        from moto.sagemaker.models import FakeProcessingJob

        name = _params(self).get("ProcessingJobName", "")
        job = _backend(self).processing_jobs.get(name)
        if job is None:  # moto's wording for an unknown processing job
            arn = FakeProcessingJob.arn_formatter(name, self.current_account, self.region)
            raise ValidationError(message=f"Could not find processing job '{arn}'.")
        if job.processing_job_status == "InProgress":
            job.processing_job_status = "Stopping"
            job.last_modified_time = _now()
            _signal_stop(aws, self, "processing", name)
        return EmptyResult()

    return handler


# -- transform ------------------------------------------------------------------------------------------------------
def _create_transform_job(aws, original):
    def create(self, interrupted) -> Any:
        from sagemaker_offline.transform import TransformRun, resolve_inputs
        params = _params(self)
        backend = _backend(self)
        _validate("CreateTransformJob", params, backend)
        model = backend._models.get(params["ModelName"])
        for container in ([model.primary_container or {}] + list(model.containers or [])) if model else []:
            if container:  # script mode on an image the runtime does not emulate is refused (api_support.py)
                api_support.script_mode_image("CreateTransformJob", container.get("Image", ""),
                                              container.get("Environment"), self.current_account)
        name = params["TransformJobName"]
        inputs = resolve_inputs(self.current_account, self.region, params, aws.role_arn)  # raises like SageMaker
        result = original(self)
        job = backend.transform_jobs[name]
        for empty in ("failure_reason", "labeling_job_arn", "auto_ml_job_arn"):
            setattr(job, empty, None)
        # what the service fills in when the request left it out (tests/reference/aws/describe-transform-job-devguide.json)
        job.transform_input = dict(job.transform_input, CompressionType=job.transform_input.get("CompressionType")
                                   or "None")
        job.transform_output = dict(job.transform_output, KmsKeyId=job.transform_output.get("KmsKeyId", ""))
        job.data_processing = job.data_processing or {"InputFilter": "$", "OutputFilter": "$", "JoinSource": "None"}
        start = _now()
        job.creation_time = start
        job.transform_job_status = "InProgress"
        job.transform_start_time, job.transform_end_time, job.last_modified_time = None, None, start
        run = TransformRun(aws, self.current_account, self.region, params, backend._models[params["ModelName"]],
                           inputs, job)
        from sagemaker_offline.processes import start_fork_server

        start_fork_server()
        paced = is_paced(aws, self)
        runner = JobThread(run.run, f"transform-{name}", aws.clock, paced)
        run.stop_requested = runner.stop_requested
        aws.jobs[("transform", self.current_account, self.region, name)] = runner
        runner.start(0 if paced else aws.quick_finish_seconds, interrupted)
        return result

    return _holding_interrupts(aws, "transform", "TransformJobName", create)


def _describe_job(aws, original):
    """A describe call first raises the interrupt held back during this thread's create call: the SDK's wait() now
    holds the job's handle (latest_transform_job), as it would on AWS, where the create call returns at once."""

    def handler(self) -> Any:
        aws.interrupts.deliver()
        return original(self)

    return handler


def _stop_transform_job(aws):
    def handler(self) -> Any:
        from moto.core.responses import EmptyResult
        from moto.sagemaker.exceptions import ValidationError

        name = _params(self).get("TransformJobName", "")
        backend = _backend(self)
        job = backend.transform_jobs.get(name)
        if job is None:
            raise ValidationError(message=f"Could not find transform job '{name}'.")
        if job.transform_job_status != "InProgress":
            raise ValidationError(message=f"Transform job {name} is in status {job.transform_job_status}; only an "
                                          "InProgress job can be stopped.")
        job.transform_job_status = "Stopping"
        job.last_modified_time = _now()
        _signal_stop(aws, self, "transform", name)
        return EmptyResult()

    return handler


def _stop_training_job(aws):
    def handler(self) -> Any:
        from moto.core.responses import EmptyResult
        from moto.sagemaker.exceptions import ValidationError

        name = _params(self).get("TrainingJobName", "")
        job = _backend(self).training_jobs.get(name)
        if job is None:
            raise ValidationError(message=f"Could not find training job '{name}'.")
        if job.training_job_status == "InProgress":
            job.training_job_status = "Stopping"
            _signal_stop(aws, self, "training", name)
        return EmptyResult()

    return handler


def _missing_model_data(account_id: str, params: dict) -> str | None:
    """The first ModelDataUrl of the request that names no S3 object (nor a prefix with objects under it), if any."""
    from sagemaker_offline import s3io

    containers = ([params["PrimaryContainer"]] if params.get("PrimaryContainer") else []) + list(
        params.get("Containers") or [])
    for container in containers:
        url = container.get("ModelDataUrl")
        if not url or not url.startswith("s3://"):
            continue
        bucket, key = s3io.split_uri(url)
        if not s3io.bucket_exists(account_id, bucket):
            return url
        if s3io.head(account_id, bucket, key) is None and not s3io.list_prefix(account_id, bucket, key):
            return url
    return None


def _create_model(original):
    """CreateModel checks the model data exists, as SageMaker does: "Could not find model data at s3://....", a
    ValidationException (aws/amazon-sagemaker-examples#2264, 2021; aws/aws-step-functions-data-science-sdk-python#61,
    2020; the same words from CloudFormation in aws-ia/ecs-blueprints#223, 2024)."""
    def handler(self) -> Any:
        from sagemaker_offline.validation import validation_error

        params = _params(self)
        _validate("CreateModel", params, _backend(self))
        missing = _missing_model_data(self.current_account, params)
        if missing is not None:
            raise validation_error(f"Could not find model data at {missing}.")
        return original(self)

    return handler


def _describe_model(original):
    """moto answers `VpcConfig: {}` and `Containers: []` for a model created without them. AWS omits such fields, and
    botocore's model requires SecurityGroupIds and Subnets in any VpcConfig, so SDK v3's shapes reject the empty one
    (Model.get, ModelBuilder.build in notebooks/A1_sdk_v3.ipynb; docs/batch-transform-reference.md, section 9)."""
    def handler(self) -> Any:
        from moto.core.responses import ActionResult

        result = original(self)
        body = result.result if isinstance(result, ActionResult) else None
        if isinstance(body, dict):
            body = {key: value for key, value in body.items()
                    if not (key in ("VpcConfig", "Containers", "PrimaryContainer") and not value)}
            return ActionResult(body)
        return result

    return handler


def _list(operation: str, lister: Callable):
    """A List* call answered from moto's records by sagemaker_offline/listing.py, after the request's field rules."""
    def handler(self) -> Any:
        from moto.core.responses import ActionResult

        from sagemaker_offline.validation import validate_request

        params = _params(self)
        validate_request(operation, params)
        return ActionResult(lister(_backend(self), params))

    return handler


def response_handlers(aws) -> dict[str, Callable]:
    """The moto SageMakerResponse methods the runtime replaces, by name."""
    from moto.sagemaker.responses import SageMakerResponse

    from sagemaker_offline import listing

    handlers = {
        "create_training_job": _create_training_job(aws, SageMakerResponse.create_training_job),
        "create_transform_job": _create_transform_job(aws, SageMakerResponse.create_transform_job),
        "stop_transform_job": _stop_transform_job(aws),
        "stop_training_job": _stop_training_job(aws),
        "create_processing_job": _create_processing_job(aws, SageMakerResponse.create_processing_job),
        "describe_processing_job": _describe_job(aws, SageMakerResponse.describe_processing_job),
        "stop_processing_job": _stop_processing_job(aws),
        "create_model": _create_model(SageMakerResponse.create_model),
        "describe_transform_job": _describe_job(aws, SageMakerResponse.describe_transform_job),
        "describe_training_job": _describe_job(aws, SageMakerResponse.describe_training_job),
        "describe_model": _describe_model(SageMakerResponse.describe_model),
        "list_transform_jobs": _list("ListTransformJobs", listing.list_transform_jobs),
        "list_training_jobs": _list("ListTrainingJobs", listing.list_training_jobs),
        "list_models": _list("ListModels", listing.list_models),
    }
    return {action: logged_if_from_another_process(action, handler) for action, handler in handlers.items()}


def logged_if_from_another_process(action: str, handler: Callable) -> Callable:
    """A request that came through the loopback server (the AWS CLI) goes to sagemaker_offline.request_log too, which
    otherwise sees only this process's botocore calls (the contract tests and the AWS run plan read it)."""
    operation = "".join(part.title() for part in action.split("_"))

    def logged(self) -> Any:
        if getattr(self, "is_werkzeug_request", False):
            from sagemaker_offline import request_log

            request_log.record_other_process("sagemaker", operation, _params(self))
        return handler(self)

    return logged
