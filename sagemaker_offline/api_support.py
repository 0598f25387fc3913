"""What the offline SageMaker does with each API it answers: runs it for real, records it only (moto's bookkeeping, as
AWS would answer it), or refuses it because it would run code the runtime does not emulate. Never moto's canned
success for work that did not happen. docs/offline-runtime.md ("Which SageMaker APIs run offline") lists the same;
tests/test_api_support.py keeps the two in step with what the runtime patches."""
from __future__ import annotations

from typing import Callable

from moto.core.exceptions import JsonRESTError

# The error code of a refusal: a ClientError like AWS's, with a code AWS never uses, so it cannot be taken for AWS's.
NOT_OFFLINE = "NotSupportedOffline"

# Operations the runtime really runs (its handlers replace moto's: jobs.response_handlers).
RUNS = {
    "CreateTrainingJob": "trains with xgboost as the built-in XGBoost algorithm container does; script mode "
                         "(scikit-learn and XGBoost framework images; SDK v3's ModelTrainer with source_code through "
                         "the SDK's driver) runs your entry point in a fresh process",
    "DescribeTrainingJob": "the job's real progress, metrics, artifact or FailureReason",
    "StopTrainingJob": "stops the running job",
    "CreateTransformJob": "runs the transform: instances, mini-batches, the container's /invocations (built-in "
                          "XGBoost, a script-mode model's handlers, or each container of an inference pipeline)",
    "DescribeTransformJob": "the job's real progress and FailureReason",
    "StopTransformJob": "stops the running job",
    "CreateModel": "checked as SageMaker checks it (the model data must exist), then recorded for transform jobs",
    "DescribeModel": "the model as CreateModel recorded it, with the fields AWS fills in",
    "CreateProcessingJob": "runs a Python script (SKLearnProcessor, ScriptProcessor with command ['python3'], "
                           "FrameworkProcessors such as XGBoostProcessor) on the scikit-learn and XGBoost framework "
                           "images in a fresh process per instance: inputs downloaded (ShardedByS3Key: a share "
                           "each), /opt/ml/... mapped to each instance's folder, outputs uploaded at the end; other "
                           "images and entrypoints are refused",
    "DescribeProcessingJob": "the job's real status, ProcessingEndTime, ExitMessage or FailureReason",
    "StopProcessingJob": "stops the running job (every instance's script processes are killed, nothing is "
                         "uploaded)",
    "ListTransformJobs": "filtered, sorted and paged as the API reference says (listing.py)",
    "ListTrainingJobs": "filtered, sorted and paged as the API reference says (listing.py)",
    "ListModels": "filtered, sorted and paged as the API reference says (listing.py)",
    # real-time endpoints (their handlers: endpoints.response_handlers)
    "CreateEndpoint": "Creating, then InService (or Failed with AWS's reason): a serving process per instance runs the "
                      "built-in XGBoost container",
    "DescribeEndpoint": "the endpoint's real status, variants and FailureReason",
    "UpdateEndpoint": "Updating: a new fleet for the new config, then InService",
    "DeleteEndpoint": "Deleting: the serving processes end, then the endpoint is gone",
    "DescribeEndpointConfig": "the config as CreateEndpointConfig recorded it, without the empty fields moto adds "
                              "(AWS omits them)",
}

# sagemaker-runtime operations the runtime really runs (endpoints.runtime_handlers).
RUNS_RUNTIME = {
    "InvokeEndpoint": "the request goes to the endpoint's container: its answer, or its error as a ModelError",
}

# Operations that would start work the runtime cannot run: refused at once, with the reason.
REFUSED = {
    "CreateHyperParameterTuningJob": "hyperparameter tuning jobs",
    "CreateAutoMLJobV2": "Autopilot (AutoML) jobs",
    "CreateCompilationJob": "Neo compilation jobs",
    "CreateCluster": "HyperPod clusters",
    "CreateNotebookInstance": "notebook instances",
    "StartNotebookInstance": "notebook instances",
    "StartPipelineExecution": "pipeline executions run each step's job",
    # variant weights and capacities are not applied offline (docs/offline-runtime.md, "Endpoints")
    "UpdateEndpointWeightsAndCapacities": "changing a real-time endpoint's variant weights and instance counts",
}

# sagemaker-runtime: moto answers InvokeEndpointAsync with canned locations; asynchronous endpoints do not run offline.
REFUSED_RUNTIME = {
    "InvokeEndpointAsync": "asynchronous endpoints",
}


def not_offline(operation: str, what: str, detail: str = "") -> JsonRESTError:
    """The refusal: a ClientError whose code says it is the offline runtime's, not AWS's."""
    return JsonRESTError(NOT_OFFLINE, (
        f"The offline AWS cannot run {operation} ({what}{detail}): it runs the built-in XGBoost algorithm's training "
        "and transform jobs, its real-time endpoints, and script mode and Processing jobs on the scikit-learn and "
        "XGBoost framework images only, so nothing was created. Run this on AWS; docs/offline-runtime.md lists what runs offline."))


def method_name(operation: str) -> str:
    """moto's response method for an API operation: CreateAutoMLJobV2 -> create_auto_ml_job_v2."""
    import re

    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", operation).lower().replace("auto_mljob", "auto_ml_job")


def refusing(operation: str, what: str) -> Callable:
    def refuse(self, *args, **kwargs):
        raise not_offline(operation, what)

    refuse.__name__ = method_name(operation)
    return refuse


def script_mode_program(environment_or_hyperparameters: dict | None) -> str | None:
    """The script a framework (script-mode) job or model would run, as the SDK passes it: the `sagemaker_program`
    hyperparameter of a training job, the `SAGEMAKER_PROGRAM` environment variable of a model; None for built-in."""
    values = environment_or_hyperparameters or {}
    program = values.get("sagemaker_program") or values.get("SAGEMAKER_PROGRAM")
    return program.strip('"') if isinstance(program, str) else None


def script_mode_image(operation: str, image_uri: str, values: dict | None, account_id: str | None = None):
    """The framework image a script-mode job or container runs on (sagemaker_offline/framework_images.py), None for
    the built-in algorithm; script mode on an image the runtime does not emulate is refused rather than run as
    something else, and so is code with a requirements.txt (the toolkit would pip-install it from the network)."""
    from sagemaker_offline.framework_images import framework_image, sklearn_image, supported_message

    program = script_mode_program(values)
    if not program:
        return sklearn_image(image_uri)  # the scikit-learn image always runs a script (its own error if none)
    image = framework_image(image_uri, program)
    if image is None:
        raise not_offline(operation, f"script mode (your entry point {program!r}) on the image {image_uri!r}",
                          f". {supported_message()}")
    submit = (values or {}).get("sagemaker_submit_directory") or (values or {}).get("SAGEMAKER_SUBMIT_DIRECTORY")
    if account_id and isinstance(submit, str):
        from sagemaker_offline.script_training import code_archive_problem

        problem = code_archive_problem(account_id, submit.strip('"'))
        if problem:
            raise not_offline(operation, f"script mode (your entry point {program!r})", f": {problem}")
    return image


def recorded_only() -> list[str]:
    """The SageMaker operations moto answers that the runtime neither runs nor refuses: bookkeeping, as AWS answers it
    (a Describe of what was created, tags, lists, deletes of records)."""
    from moto.sagemaker.responses import SageMakerResponse

    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    patched = {method_name(op) for op in (*RUNS, *REFUSED)}
    return sorted(op for op in model.operation_names
                  if method_name(op) not in patched and callable(getattr(SageMakerResponse, method_name(op), None)))


def table_markdown() -> str:
    """The table in docs/offline-runtime.md, "Which SageMaker APIs run offline" (tools/api_table.py writes it)."""
    lines = ["| API | offline | what happens |", "|---|---|---|"]
    lines += [f"| `{op}` | runs for real | {what} |" for op, what in RUNS.items()]
    lines += [f"| `sagemaker-runtime {op}` | runs for real | {what} |" for op, what in RUNS_RUNTIME.items()]
    lines += [f"| `{op}` | refused | `{NOT_OFFLINE}`: {what} |" for op, what in REFUSED.items()]
    lines += [f"| `sagemaker-runtime {op}` | refused | `{NOT_OFFLINE}`: {what} |" for op, what in REFUSED_RUNTIME.items()]
    recorded = ", ".join(f"`{op}`" for op in recorded_only())
    lines.append(f"| {recorded} | recorded only | moto keeps the record and answers as AWS would; nothing runs |")
    return "\n".join(lines)
