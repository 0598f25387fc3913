"""What the SageMaker console's "Create model" and "Create batch transform job" forms submit, as API requests.

Notebook 08_console_walkthrough uses it to put console fields, the boto3 request and the SDK call side by side.
Field labels follow the AWS Developer Guide's console walkthroughs; `ConsoleField.source` says which page.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from helpers.connection.names import COURSE_PREFIX, COURSE_TAG_KEY, COURSE_TAG_VALUE, DEFAULT_INSTANCE_TYPE, OFFLINE_REGION

# AWS's own documentation placeholders: clearly not a learner's bucket or account.
PLACEHOLDER_BUCKET = "amzn-s3-demo-bucket"
PLACEHOLDER_ACCOUNT_ID = "111122223333"
DEMO_REGION = OFFLINE_REGION
# What sagemaker.image_uris.retrieve("xgboost", "us-west-2", "1.7-1") returns (tests/test_console.py checks it).
# 246618743249 is AWS's public registry for SageMaker images, not a learner's account.
DEMO_IMAGE_URI = "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1"
DEMO_MODEL_NAME = "boston-xgboost-model"
DEMO_JOB_NAME = "boston-xgboost-console-job"
DEMO_ROLE_NAME = "service-role/AmazonSageMaker-ExecutionRole-course"
# Where the course's training job leaves its artifact (helpers/course/models.py), with the lesson's job timestamp.
DEMO_MODEL_KEY = "model/course-xgboost-2021-08-31-23-02-30-970/output/model.tar.gz"

# The console pages the labels were checked against (awsdocs/amazon-sagemaker-developer-guide, doc_source/).
DG_BT_CONSOLE = "DG ex1-batch-transform.md (console steps, 2019)"
DG_BT_TUNING = "DG batch-transform.md (console tuning note)"
DG_AUTOPILOT = "DG autopilot-deploy-models-batch.md (Studio form, same fields)"
DG_MODEL_CONSOLE = "DG serverless-endpoints-create.md, neo-deployment-hosting-services-console.md"
UNVERIFIED = "not found in AWS docs"

SECTION_JOB = "Batch transform job configuration"
SECTION_JOB_MORE = "Batch transform job configuration > Additional configuration"
SECTION_INPUT = "Input data configuration"
SECTION_OUTPUT = "Output data configuration"
SECTION_FILTERS = "Input/output filtering and data joins"
SECTION_TAGS = "Tags"
SECTION_MODEL = "Model settings"
SECTION_CONTAINER = "Container definition 1"

SINGLE_MODEL_INPUT = "Provide model artifacts and inference image location"


class ConsoleFormError(ValueError):
    """A console form the service would refuse; the message names each console field and the fix."""


class ExerciseCheckError(AssertionError):
    """An exercise answer that does not give the request the task asks for; the message says which field to change."""


@dataclass(frozen=True)
class ConsoleField:
    """One field of a console form and where its value lands in the API request and in the SDK."""

    label: str  # as printed on the console form
    section: str  # the form section that holds it
    api_path: str | None  # dotted path in the request; None = the field only picks which other fields appear
    sdk_call: str | None  # the SDK call that takes it: Model, model.transformer, transformer.transform
    sdk_arg: str | None  # that call's keyword argument
    demo: Any = None  # the demo's value (None = left blank); "{bucket}" is filled in by demo_form
    allowed: tuple = ()  # the console's choices; () = free text (Instance type: the API's enum)
    default: str = ""  # what the console shows before you touch it ("" = blank)
    kind: str = "text"  # text, int, choice, pairs (key/value rows)
    required: bool = False  # the API refuses the request without it
    to_api: tuple = ()  # (console choice, API value) pairs where the two differ
    source: str = UNVERIFIED  # where the label was checked
    v3: str | None = None  # the SDK v3 call and argument that set it, for the v3 track: "Transformer(strategy)"

    @property
    def cli_option(self) -> str | None:
        """The AWS CLI option that carries the field (`aws sagemaker create-transform-job --transform-resources
        InstanceType=...`): the request's top-level field in kebab case, as the CLI names every option."""
        if not self.api_path:
            return None
        from botocore import xform_name

        top, *inner = self.api_path.split(".")
        option = f"--{xform_name(top, '-')}"
        if not inner:
            if self.kind == "pairs":  # a list of tags, or a map: the CLI's shorthand for each
                return f"{option} " + ("Key=...,Value=..." if top == "Tags" else "KEY=VALUE")
            return option
        value = f"{inner[-1]}=" + ("{KEY=VALUE}" if self.kind == "pairs" else "...")
        for name in reversed(inner[:-1]):  # the CLI's shorthand nests structures in braces
            value = f"{name}={{{value}}}"
        return f"{option} {value}"


def _s3(suffix: str) -> str:
    return "s3://{bucket}/" + COURSE_PREFIX + "/" + suffix


# The "Create batch transform job" form, in the order the console shows it.
CONSOLE_FIELDS: tuple[ConsoleField, ...] = (
    ConsoleField("Job name", SECTION_JOB, "TransformJobName", "transformer.transform", "job_name",
                 DEMO_JOB_NAME, required=True, source=DG_BT_CONSOLE, v3="transformer.transform(job_name)"),
    ConsoleField("Model name", SECTION_JOB, "ModelName", "Model", "name",
                 DEMO_MODEL_NAME, required=True, source=DG_BT_CONSOLE, v3="Transformer(model_name)"),
    ConsoleField("Instance type", SECTION_JOB, "TransformResources.InstanceType", "model.transformer", "instance_type",
                 DEFAULT_INSTANCE_TYPE, kind="choice", required=True, source=DG_BT_CONSOLE,
                 v3="Transformer(instance_type)"),
    ConsoleField("Instance count", SECTION_JOB, "TransformResources.InstanceCount", "model.transformer",
                 "instance_count", 1, kind="int", required=True, source=DG_BT_CONSOLE,
                 v3="Transformer(instance_count)"),
    ConsoleField("Max concurrent transforms", SECTION_JOB_MORE, "MaxConcurrentTransforms", "model.transformer",
                 "max_concurrent_transforms", kind="int", source=DG_BT_TUNING,
                 v3="Transformer(max_concurrent_transforms)"),
    ConsoleField("Max payload size (MB)", SECTION_JOB_MORE, "MaxPayloadInMB", "model.transformer", "max_payload",
                 kind="int", source=DG_BT_TUNING, v3="Transformer(max_payload)"),
    ConsoleField("Batch strategy", SECTION_JOB_MORE, "BatchStrategy", "model.transformer", "strategy",
                 allowed=("MultiRecord", "SingleRecord"), kind="choice", source=DG_BT_TUNING,
                 v3="Transformer(strategy)"),
    ConsoleField("Environment variables", SECTION_JOB, "Environment", "model.transformer", "env",
                 kind="pairs", source=DG_BT_CONSOLE, v3="Transformer(env)"),
    ConsoleField("S3 data type", SECTION_INPUT, "TransformInput.DataSource.S3DataSource.S3DataType",
                 "transformer.transform", "data_type", "S3Prefix", allowed=("ManifestFile", "S3Prefix"),
                 default="ManifestFile", kind="choice", required=True, source=DG_BT_CONSOLE,
                 v3="transformer.transform(data_type)"),
    ConsoleField("Split type", SECTION_INPUT, "TransformInput.SplitType", "transformer.transform", "split_type",
                 "Line", allowed=("None", "Line", "RecordIO", "TFRecord"), default="None", kind="choice",
                 source=DG_AUTOPILOT, v3="transformer.transform(split_type)"),
    ConsoleField("Compression", SECTION_INPUT, "TransformInput.CompressionType", "transformer.transform",
                 "compression_type", allowed=("None", "Gzip"), default="None", kind="choice", source=DG_AUTOPILOT,
                 v3="transformer.transform(compression_type)"),
    ConsoleField("Content type", SECTION_INPUT, "TransformInput.ContentType", "transformer.transform",
                 "content_type", "text/csv", source=DG_BT_CONSOLE, v3="transformer.transform(content_type)"),
    ConsoleField("S3 location", SECTION_INPUT, "TransformInput.DataSource.S3DataSource.S3Uri",
                 "transformer.transform", "data", _s3("test/"), required=True, source=DG_BT_CONSOLE,
                 v3="transformer.transform(data)"),
    ConsoleField("S3 output path", SECTION_OUTPUT, "TransformOutput.S3OutputPath", "model.transformer",
                 "output_path", _s3("batch-transform-console/"), required=True, v3="Transformer(output_path)"),
    ConsoleField("Encryption key", SECTION_OUTPUT, "TransformOutput.KmsKeyId", "model.transformer",
                 "output_kms_key", source=DG_BT_CONSOLE, v3="Transformer(output_kms_key)"),
    ConsoleField("Accept", SECTION_OUTPUT, "TransformOutput.Accept", "model.transformer", "accept",
                 source=DG_BT_CONSOLE, v3="Transformer(accept)"),
    ConsoleField("Assemble with", SECTION_OUTPUT, "TransformOutput.AssembleWith", "model.transformer",
                 "assemble_with", "Line", allowed=("None", "Line"), kind="choice", v3="Transformer(assemble_with)"),
    ConsoleField("Input filter", SECTION_FILTERS, "DataProcessing.InputFilter", "transformer.transform",
                 "input_filter", v3="transformer.transform(input_filter)"),
    ConsoleField("Join source", SECTION_FILTERS, "DataProcessing.JoinSource", "transformer.transform",
                 "join_source", allowed=("None", "Input"), kind="choice", v3="transformer.transform(join_source)"),
    ConsoleField("Output filter", SECTION_FILTERS, "DataProcessing.OutputFilter", "transformer.transform",
                 "output_filter", v3="transformer.transform(output_filter)"),
    ConsoleField("Tags", SECTION_TAGS, "Tags", "model.transformer", "tags",
                 {COURSE_TAG_KEY: COURSE_TAG_VALUE}, kind="pairs", source=DG_BT_CONSOLE, v3="Transformer(tags)"),
)

# The "Create model" form, for a single built-in container.
MODEL_FIELDS: tuple[ConsoleField, ...] = (
    ConsoleField("Model name", SECTION_MODEL, "ModelName", "Model", "name", DEMO_MODEL_NAME, required=True,
                 source=DG_MODEL_CONSOLE, v3="Model.create(model_name)"),
    ConsoleField("IAM role", SECTION_MODEL, "ExecutionRoleArn", "Model", "role",
                 "arn:aws:iam::{account_id}:role/" + DEMO_ROLE_NAME, required=True, source=DG_MODEL_CONSOLE,
                 v3="Model.create(execution_role_arn)"),
    ConsoleField("Container input options", SECTION_CONTAINER, None, None, None, SINGLE_MODEL_INPUT,
                 allowed=(SINGLE_MODEL_INPUT,), default=SINGLE_MODEL_INPUT, kind="choice", source=DG_MODEL_CONSOLE),
    ConsoleField("Provide model artifacts and inference image options", SECTION_CONTAINER, "PrimaryContainer.Mode",
                 None, None, allowed=("Use a single model", "Use multiple models"), default="Use a single model",
                 kind="choice", to_api=(("Use a single model", "SingleModel"), ("Use multiple models", "MultiModel")),
                 source=DG_MODEL_CONSOLE, v3="ContainerDefinition(mode)"),
    ConsoleField("Location of inference code image", SECTION_CONTAINER, "PrimaryContainer.Image", "Model",
                 "image_uri", DEMO_IMAGE_URI, required=True, source=DG_MODEL_CONSOLE, v3="ContainerDefinition(image)"),
    ConsoleField("Location of model artifacts", SECTION_CONTAINER, "PrimaryContainer.ModelDataUrl", "Model",
                 "model_data", _s3(DEMO_MODEL_KEY),
                 source=DG_MODEL_CONSOLE, v3="ContainerDefinition(model_data_url)"),
    ConsoleField("Environment variables", SECTION_CONTAINER, "PrimaryContainer.Environment", "Model", "env",
                 kind="pairs", source=DG_MODEL_CONSOLE, v3="ContainerDefinition(environment)"),
)


def demo_form(bucket: str = PLACEHOLDER_BUCKET) -> dict:
    """The demo's "Create batch transform job" form: console label -> what the learner types (blank fields left out)."""
    return _demo(CONSOLE_FIELDS, bucket=bucket, account_id=PLACEHOLDER_ACCOUNT_ID)


def demo_model_form(bucket: str = PLACEHOLDER_BUCKET, account_id: str = PLACEHOLDER_ACCOUNT_ID) -> dict:
    """The demo's "Create model" form: the course's XGBoost model, artifact and role under placeholder names."""
    return _demo(MODEL_FIELDS, bucket=bucket, account_id=account_id)


def _demo(fields: Iterable[ConsoleField], **names: str) -> dict:
    form = {}
    for field in fields:
        if field.demo is None:
            continue
        value = field.demo
        if isinstance(value, str):
            value = value.format(**names)
        elif isinstance(value, dict):
            value = dict(value)
        form[field.label] = value
    return form


def console_request(form: Mapping[str, Any] | None = None, /, **fields: Any) -> dict:
    """The CreateTransformJob request the console submits for `form` (console label -> value); blanks are omitted.

    Call it as `console_request(form)`, `console_request(**form)`, or with labels written as keywords
    (`console_request(Job_name="my-job", ...)`). Raises ConsoleFormError with one line of advice per bad field.
    """
    __tracebackhide__ = True  # IPython skips this frame in a learner's traceback
    return _build(_merge(form, fields, CONSOLE_FIELDS), CONSOLE_FIELDS, "CreateTransformJob")


def console_model_request(form: Mapping[str, Any] | None = None, /, **fields: Any) -> dict:
    """The CreateModel request the console's "Create model" form submits (single container, artifacts + image)."""
    __tracebackhide__ = True
    return _build(_merge(form, fields, MODEL_FIELDS), MODEL_FIELDS, "CreateModel")


def _merge(form: Mapping[str, Any] | None, keywords: Mapping[str, Any], table: tuple[ConsoleField, ...]) -> dict:
    merged = dict(form or {})
    by_keyword = {re.sub(r"\W+", "_", f.label).strip("_"): f.label for f in table}
    for key, value in keywords.items():
        merged[by_keyword.get(key, key)] = value
    return merged


def _build(form: Mapping[str, Any], table: tuple[ConsoleField, ...], operation: str) -> dict:
    by_label = {f.label: f for f in table}
    problems = []
    for label in form:
        if label not in by_label:
            close = difflib.get_close_matches(str(label), by_label, n=1)
            hint = f' Did you mean "{close[0]}"?' if close else ""
            problems.append(f'"{label}" is not a field of this console form.{hint}')
    request: dict = {}
    for field in table:
        try:
            value = _api_value(field, form.get(field.label), operation)
        except ConsoleFormError as err:
            problems.append(str(err))
            continue
        if value is None:
            if field.required:
                problems.append(f"{field.label} is required: the console will not create the "
                                f"{_resource(operation)} until it is filled in.")
            continue
        if field.api_path:
            _set_path(request, field.api_path, value)
    if not problems:
        found = request_problems(request, operation)
        # A bad pattern says more than the length it also breaks: give one line per field.
        patterned = {path for path, problem in found if "pattern" in problem}
        problems = [_advice(path, problem, table, request) for path, problem in found
                    if "pattern" in problem or path not in patterned]
    if problems:
        raise ConsoleFormError(f"The {_resource(operation)} form has {len(problems)} problem(s):\n- "
                               + "\n- ".join(problems))
    return request


def _resource(operation: str) -> str:
    return "model" if operation == "CreateModel" else "batch transform job"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, (dict, list, tuple)) and not value)


def _api_value(field: ConsoleField, raw: Any, operation: str) -> Any:
    """The API value for one console field, or None when the field is left blank (and has no console default)."""
    if raw is Ellipsis:
        raise ConsoleFormError(f"{field.label} still holds the placeholder `...`: replace it with a value.")
    if _blank(raw):
        # A required field left alone keeps what the console preselects; an optional one is not sent.
        raw = field.default if field.required and field.default else None
        if raw is None:
            return None
    if field.kind == "int":
        return _integer(field, raw)
    if field.kind == "pairs":
        return _pairs(field, raw)
    if not isinstance(raw, str):
        raise ConsoleFormError(f'{field.label} is a text box: type it as text, e.g. "{raw}".')
    value = raw.strip()
    if field.kind == "choice":
        value = _choice(field, value, operation)
    return value


def _integer(field: ConsoleField, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ConsoleFormError(f"{field.label} takes a whole number, not {raw}.")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and re.fullmatch(r"\s*-?\d+\s*", raw):
        return int(raw)
    raise ConsoleFormError(f"{field.label} takes a whole number such as 1; you typed {raw!r}.")


def _pairs(field: ConsoleField, raw: Any) -> Any:
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, (list, tuple)) and all(isinstance(p, Mapping) and set(p) == {"Key", "Value"} for p in raw):
        items = [(p["Key"], p["Value"]) for p in raw]
    elif isinstance(raw, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in raw):
        items = [tuple(p) for p in raw]
    else:
        raise ConsoleFormError(f'{field.label} is a list of key/value rows: give a dict such as {{"KEY": "value"}}.')
    for key, value in items:
        if not isinstance(key, str) or not isinstance(value, str):
            raise ConsoleFormError(f"{field.label} rows hold text: write {key!r}: {value!r} as "
                                   f'"{key}": "{value}".')
    keys = [k for k, _ in items]
    if len(set(keys)) != len(keys):
        raise ConsoleFormError(f"{field.label} has the key {_first_duplicate(keys)!r} twice: keep one row per key.")
    if field.api_path == "Tags":
        return [{"Key": k, "Value": v} for k, v in items]
    return dict(items)


def _first_duplicate(keys: list) -> str:
    seen = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return ""


def _choice(field: ConsoleField, value: str, operation: str) -> str | None:
    choices = allowed_values(field, operation)
    if field.api_path is None and value not in choices:
        raise ConsoleFormError(f'{field.label}: this walkthrough covers only "{choices[0]}" (an image and a '
                               f'model artifact); "{value}" is not supported here.')
    if value not in choices:
        close = [c for c in choices if c.lower() == value.lower()] or difflib.get_close_matches(value, choices, n=1)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        shown = ", ".join(choices) if len(choices) <= 6 else f"{len(choices)} instance types, see allowed_values()"
        raise ConsoleFormError(f'{field.label} "{value}" is not one of the console\'s choices ({shown}).{hint}')
    if field.api_path is None:
        return None  # the choice only decides which fields the form shows
    return dict(field.to_api).get(value, value)


def allowed_values(field: ConsoleField, operation: str = "CreateTransformJob") -> tuple:
    """The console's choices for a field; for Instance type, every transform instance type botocore lists."""
    if field.allowed or field.kind != "choice":
        return field.allowed
    return tuple(_shape_at(operation, field.api_path).enum)


def _set_path(request: dict, path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = request
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value


# --- checking a request against botocore's service model ------------------------------------------------------


def _service_model():
    from sagemaker_offline.service_rules import service_model

    return service_model()  # the one copy the offline SageMaker's checks load too


def _input_shape(operation: str):
    return _service_model().operation_model(operation).input_shape


def _shape_at(operation: str, path: str):
    shape = _input_shape(operation)
    for key in path.split("."):
        shape = shape.members[key]
    return shape


def request_problems(request: Mapping[str, Any], operation: str = "CreateTransformJob") -> list[tuple[str, str]]:
    """(API path, problem) for each way `request` breaks botocore's input shape, including enums, patterns and maxima.

    botocore's own ParamValidator checks names, types, required members and minima; the rest (maxima, patterns,
    enums) comes from the walk of the same service model that the offline SageMaker uses (sagemaker_offline/service_rules.py),
    worded for the console.
    """
    from botocore.validate import ParamValidator

    from sagemaker_offline.service_rules import broken_constraints

    report = ParamValidator().validate(dict(request), _input_shape(operation))
    # Minimum lengths and values are reported below, with the others, from the same metadata.
    problems = [("", line.strip()) for line in report.generate_report().splitlines()
                if line.strip() and not line.startswith(("Invalid length", "Invalid value for parameter"))]
    if problems:  # wrong names or types: the constraint walk below would trip over them
        return problems
    for broken in broken_constraints(operation, dict(request)):
        if broken.rule == "required":
            continue  # ParamValidator has said so already
        path = _console_path(broken.steps[:-1]) + " key" if broken.part == "key" else _console_path(broken.steps)
        problems.append((path, _problem_text(broken)))
    return problems


def validate_request(request: Mapping[str, Any], operation: str = "CreateTransformJob") -> None:
    """Raise ConsoleFormError unless `request` is a well-formed `operation` request for botocore's service model."""
    problems = request_problems(request, operation)
    if problems:
        lines = [f"{path or operation}: {problem}" for path, problem in problems]
        raise ConsoleFormError(f"Not a valid {operation} request:\n- " + "\n- ".join(lines))


def _console_path(steps: tuple) -> str:
    """A request path as the console's advice names it: `Tags[0].Key`, `Environment key`, `Environment['A']`."""
    from sagemaker_offline.service_rules import MapKey

    text = ""
    for step in steps:
        if isinstance(step, int):
            text += f"[{step}]"
        elif isinstance(step, MapKey):
            text += f"[{str(step)!r}]"
        else:
            text += f".{step}" if text else step
    return text


def _problem_text(broken) -> str:
    """The broken constraint in the console's words."""
    if broken.rule == "pattern":
        return f"{broken.value!r} does not match the pattern {broken.limit}"
    if broken.rule == "enum":
        return f"{broken.value!r} is not one of {', '.join(broken.limit)}"
    size = len(broken.value) if broken.kind in ("string", "list", "map") else broken.value
    unit = {"string": "characters", "list": "entries", "map": "entries"}.get(broken.kind, "")
    side = "above the maximum" if broken.rule == "max" else "below the minimum"
    return f"{f'{size} {unit}'.strip()} is {side} of {broken.limit}"


_NAME_HINT = ("use only letters, digits and hyphens (no underscores, dots or spaces), start and end with a letter "
              "or digit, at most 63 characters")


def _advice(path: str, problem: str, table: tuple[ConsoleField, ...], request: Mapping[str, Any]) -> str:
    """One line a learner can act on: the console field, what is wrong, and the change that fixes it."""
    field = next((f for f in table if f.api_path and re.match(re.escape(f.api_path) + r"($|\[| key)", path)), None)
    if field is None:
        return f"{path}: {problem}" if path else problem
    label, value = field.label, _get_path(request, path)
    if "pattern" in problem:
        if path in ("TransformJobName", "ModelName"):
            example = re.sub(r"[^a-zA-Z0-9]+", "-", value).strip("-") or "boston-xgboost"
            return f'{label} "{value}" is not a valid SageMaker name: {_NAME_HINT}, e.g. "{example}".'
        if path.endswith(("S3Uri", "S3OutputPath", "ModelDataUrl")):
            return f'{label} "{value}" is not an S3 URI: write it as "s3://<bucket>/<prefix>/".'
        if path == "ExecutionRoleArn":
            return (f'{label} "{value}" is not a role ARN: paste the role\'s ARN, '
                    '"arn:aws:iam::<12-digit account id>:role/<role name>".')
        if path.endswith(" key"):
            return (f"{label}: {problem.split(' does not')[0]} is not a valid variable name; names start with a "
                    "letter or underscore and hold only letters, digits and underscores.")
    if "above the maximum" in problem and path.endswith("Environment"):
        return f"{label}: {problem}; the console takes at most that many rows."
    return f"{label} ({path}): {problem}."


# --- showing the request and the SDK code -----------------------------------------------------------------------


def format_call(request: Mapping[str, Any], method: str = "create_transform_job",
                client: str = "sagemaker_client") -> str:
    """`request = {...}` then `client.method(**request)`: boto3 code a learner can paste into a notebook."""
    return f"request = {_literal(request, indent=4)}\n{client}.{method}(**request)"


def _literal(value: Any, indent: int | None = None, level: int = 0) -> str:
    """Python source for `value`, laid out like json.dumps(indent=...) but with True/False/None."""
    if isinstance(value, _Code):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dict, list, tuple)) and value:
        items = ([f"{_literal(k)}: {_literal(v, indent, level + 1)}" for k, v in value.items()]
                 if isinstance(value, dict) else [_literal(v, indent, level + 1) for v in value])
        open_, close = "{}" if isinstance(value, dict) else "[]"
        if indent is None:
            return open_ + ", ".join(items) + close
        pad, inner = " " * indent * level, " " * indent * (level + 1)
        return open_ + "\n" + ",\n".join(inner + item for item in items) + "\n" + pad + close
    return repr(value)


def print_console_request(form: Mapping[str, Any]) -> None:
    """Print the boto3 call that sends exactly what the "Create batch transform job" form submits."""
    print(format_call(console_request(form), "create_transform_job"))


def print_console_model_request(form: Mapping[str, Any]) -> None:
    """Print the boto3 call that sends exactly what the "Create model" form submits."""
    print(format_call(console_model_request(form), "create_model"))


def sdk_equivalent(form: Mapping[str, Any], model_form: Mapping[str, Any] | None = None, *,
                   session_variable: str | None = None, wait: bool = True, track: str = "v2") -> str:
    """SageMaker Python SDK code that submits the same CreateTransformJob request as `form` (v2, or v3 with
    `track="v3"`: notebooks/sdk-v3/08_console_walkthrough.ipynb).

    With `model_form` it is the lesson's Model -> model.transformer -> transformer.transform (v3: Model.create ->
    Transformer -> transformer.transform); without it, a Transformer for the existing model named in the form.
    `session_variable` adds `sagemaker_session=<name>`; `wait=False` adds `wait=False, logs=False` so the call
    returns once the job is created.
    """
    if track == "v3":
        return _sdk_v3_equivalent(form, model_form, session_variable=session_variable, wait=wait)
    request = console_request(form)
    values = {f.label: _get_path(request, f.api_path) for f in CONSOLE_FIELDS}
    session = {"sagemaker_session": _Code(session_variable)} if session_variable else {}
    lines = []
    if model_form is not None:
        model_request = console_model_request(model_form)
        if model_request["ModelName"] != request["ModelName"]:
            raise ConsoleFormError(f'The job form uses the model "{request["ModelName"]}" but the model form '
                                   f'creates "{model_request["ModelName"]}": give both the same Model name.')
        model_values = {f.label: _get_path(model_request, f.api_path) for f in MODEL_FIELDS if f.api_path}
        model_args = {f.sdk_arg: model_values[f.label] for f in MODEL_FIELDS
                      if f.sdk_call == "Model" and model_values.get(f.label) is not None}
        if model_values.get("Provide model artifacts and inference image options") not in (None, "SingleModel"):
            raise ConsoleFormError("Model(...) hosts a single model; for multiple models the SDK has MultiDataModel.")
        lines += ["from sagemaker.model import Model", "",
                  _call("model = Model", {**model_args, **session}), ""]
        first = _call("transformer = model.transformer", _args(values, "model.transformer"))
    else:
        lines += ["from sagemaker.transformer import Transformer", ""]
        first = _call("transformer = Transformer",
                      {"model_name": request["ModelName"], **_args(values, "model.transformer"), **session})
    transform_args = _args(values, "transformer.transform")
    if not wait:
        transform_args.update(wait=False, logs=False)
    lines += [first, "", _call("transformer.transform", transform_args)]
    return "\n".join(lines)


def _sdk_v3_equivalent(form: Mapping[str, Any], model_form: Mapping[str, Any] | None, *,
                       session_variable: str | None, wait: bool) -> str:
    """SDK v3's code for the same requests: `Model.create` (the CreateModel fields in snake_case, the container as a
    `ContainerDefinition`), then `sagemaker.core.transformer.Transformer`, whose arguments are v2's."""
    request = console_request(form)
    values = {f.label: _get_path(request, f.api_path) for f in CONSOLE_FIELDS}
    lines = []
    model_name: Any = request["ModelName"]
    if model_form is not None:
        model_request = _matching_model_request(request, model_form)
        container = model_request["PrimaryContainer"]
        shapes = {"Image": "image", "ModelDataUrl": "model_data_url", "Environment": "environment", "Mode": "mode"}
        inner = "".join(f"        {shapes[key]}={_literal(value)},\n" for key, value in container.items())
        model_args = {"model_name": model_request["ModelName"],
                      "primary_container": _Code(f"ContainerDefinition(\n{inner}    )"),
                      "execution_role_arn": model_request["ExecutionRoleArn"]}
        if session_variable:  # a resource class takes the boto3 session and region, not the SDK's Session
            model_args.update(session=_Code(f"{session_variable}.boto_session"),
                              region=_Code(f"{session_variable}.boto_region_name"))
        lines += ["from sagemaker.core.resources import Model", "from sagemaker.core.shapes import ContainerDefinition",
                  "from sagemaker.core.transformer import Transformer", "",
                  _call("model = Model.create", model_args, V3_ARGUMENT_ORDER), ""]
        model_name = _Code("model.model_name")
    else:
        lines += ["from sagemaker.core.transformer import Transformer", ""]
    session = {"sagemaker_session": _Code(session_variable)} if session_variable else {}
    transformer_args = {"model_name": model_name, **_args(values, "model.transformer"), **session}
    transform_args = _args(values, "transformer.transform")
    if not wait:
        transform_args.update(wait=False, logs=False)
    lines += [_call("transformer = Transformer", transformer_args, V3_ARGUMENT_ORDER), "",
              _call("transformer.transform", transform_args, V3_ARGUMENT_ORDER)]
    return "\n".join(lines)


def _matching_model_request(request: Mapping[str, Any], model_form: Mapping[str, Any]) -> dict:
    model_request = console_model_request(model_form)
    if model_request["ModelName"] != request["ModelName"]:
        raise ConsoleFormError(f'The job form uses the model "{request["ModelName"]}" but the model form '
                               f'creates "{model_request["ModelName"]}": give both the same Model name.')
    return model_request


# Keyword order of SDK v3's Model.create and of sagemaker.core.transformer.Transformer (v2's order after model_name).
V3_ARGUMENT_ORDER = (
    "model_name", "primary_container", "execution_role_arn", "session", "region",
    "instance_count", "instance_type", "strategy", "assemble_with", "output_path", "output_kms_key",
    "accept", "max_concurrent_transforms", "max_payload", "tags", "env", "sagemaker_session",
    "data", "data_type", "content_type", "compression_type", "split_type", "job_name", "input_filter",
    "output_filter", "join_source", "wait", "logs",
)


# Keyword order of the SDK v2 signatures (Model.__init__, Model.transformer, Transformer.transform), as in the lesson.
SDK_ARGUMENT_ORDER = (
    "image_uri", "model_data", "role", "env", "name", "sagemaker_session",
    "model_name", "instance_count", "instance_type", "strategy", "assemble_with", "output_path", "output_kms_key",
    "accept", "max_concurrent_transforms", "max_payload", "tags",
    "data", "data_type", "content_type", "compression_type", "split_type", "job_name", "input_filter",
    "output_filter", "join_source", "wait", "logs",
)


class _Code(str):
    """A variable name to print as code, not as a string literal."""


def _args(values: Mapping[str, Any], call: str) -> dict:
    return {f.sdk_arg: values[f.label] for f in CONSOLE_FIELDS
            if f.sdk_call == call and values.get(f.label) is not None}


def _call(head: str, kwargs: Mapping[str, Any], order: tuple = ()) -> str:
    order = order or SDK_ARGUMENT_ORDER
    lines = [f"{head}("]
    for name, value in sorted(kwargs.items(), key=lambda item: order.index(item[0])):
        lines.append(f"    {name}={_literal(value)},")
    return "\n".join(lines + [")"])


def _get_path(request: Mapping[str, Any], path: str | None) -> Any:
    node: Any = request
    for key in (path or "").split("."):
        if not path or not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


# --- tables for the notebook -------------------------------------------------------------------------------------


def fields_markdown(model: bool = False, bucket: str = PLACEHOLDER_BUCKET,
                    account_id: str = PLACEHOLDER_ACCOUNT_ID, track: str = "v2") -> str:
    """Markdown table: console field, section, demo value, API field, AWS CLI option, SDK argument (notebook 08's
    step tables; the CLI commands themselves are in notebook 03, Step 8). `track="v3"` names SDK v3's arguments."""
    table = MODEL_FIELDS if model else CONSOLE_FIELDS
    demo = _demo(table, bucket=bucket, account_id=account_id)
    rows = ["| Console field | Section | Demo value | API field | AWS CLI option | SDK argument |",
            "|---|---|---|---|---|---|"]
    for field in table:
        value = demo.get(field.label)
        if isinstance(value, dict):
            shown = ", ".join(f"{k} = {v}" for k, v in value.items())
        elif value is None:
            shown = f"*(blank; console shows {field.default})*" if field.default else "*(blank)*"
        else:
            shown = str(value)
        api = f"`{field.api_path}`" if field.api_path else "*(chooses the fields below)*"
        if track == "v3":
            sdk = f"`{field.v3[:-1]}=...)`" if field.v3 else "*(none)*"
        else:
            sdk = f"`{field.sdk_call}({field.sdk_arg}=...)`" if field.sdk_arg else "*(none)*"
        cli = f"`{field.cli_option}`" if field.cli_option else "*(none)*"
        rows.append(f"| {field.label} | {field.section} | `{shown}` | {api} | {cli} | {sdk} |".replace("`*(", "*(")
                    .replace(")*`", ")*"))
    return "\n".join(rows)


# --- exercises in notebook 08 ------------------------------------------------------------------------------------


def exercise_target(number: int, bucket: str = PLACEHOLDER_BUCKET) -> dict:
    """The CreateTransformJob request exercise `number` of notebook 08 asks the learner's form to produce."""
    base = console_request(demo_form(bucket))
    if number == 1:
        # One CSV line per request, and each prediction written after its input row. A join needs the formats of
        # both sides: Content type (already text/csv) and Accept (the Developer Guide's "Associate Prediction Results
        # with Input Records": https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform-data-processing.html).
        output = {**base["TransformOutput"], "Accept": "text/csv"}
        return {**base, "BatchStrategy": "SingleRecord", "DataProcessing": {"JoinSource": "Input"},
                "TransformOutput": output}
    if number == 2:
        # The SDK call printed in the exercise, field for field.
        prefix = f"s3://{bucket}/{COURSE_PREFIX}"
        return {
            "TransformJobName": "boston-xgboost-gzip-job",
            "ModelName": DEMO_MODEL_NAME,
            "MaxConcurrentTransforms": 4,
            "MaxPayloadInMB": 1,
            "BatchStrategy": "MultiRecord",
            "TransformInput": {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"{prefix}/batch-input-gzip/"}},
                "ContentType": "text/csv",
                "CompressionType": "Gzip",
                "SplitType": "Line",
            },
            "TransformOutput": {"S3OutputPath": f"{prefix}/batch-output-gzip/", "Accept": "text/csv",
                                "AssembleWith": "Line"},
            "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 2},
        }
    raise ValueError(f"Notebook 08 has exercises 1 and 2, not {number}.")


def check_exercise(number: int, form: Mapping[str, Any], bucket: str = PLACEHOLDER_BUCKET) -> None:
    """Print whether `form` answers exercise `number` of notebook 08; raises ExerciseCheckError naming wrong fields."""
    if any(value is Ellipsis for value in form.values()):
        print(f"Exercise {number}: not answered yet. Replace each ... with a value, then run this cell again.")
        return
    target = exercise_target(number, bucket)
    try:
        request = console_request(form)
    except ConsoleFormError as err:
        raise ExerciseCheckError(f"Exercise {number}: the console would refuse this form.\n{err}") from None
    if number == 1 and _get_path(request, "TransformResources.InstanceType"):
        # Exercise 1 changes how records travel, not the instance: Step 2's form holds the course's instance type
        # (COURSE_INSTANCE_TYPE), whichever it is.
        target["TransformResources"] = {**target["TransformResources"],
                                        "InstanceType": _get_path(request, "TransformResources.InstanceType")}
    wrong = []
    for field in CONSOLE_FIELDS:
        got, want = _get_path(request, field.api_path), _get_path(target, field.api_path)
        if got != want:
            wrong.append(f'{field.label}: the form sends {_show(got)}; the task needs {_show(want)}.')
    if wrong:
        if _get_path(target, "DataProcessing.JoinSource") and not _get_path(request, "TransformOutput.Accept"):
            wrong.append("A join writes the input record and the prediction together, so the job must know both "
                         "formats: with Join source Input, set Content type and Accept.")
        raise ExerciseCheckError(f"Exercise {number}: {len(wrong)} field(s) to change.\n- " + "\n- ".join(wrong))
    print(f"Exercise {number}: correct. The form sends the request the task describes.")


def _show(value: Any) -> str:
    return "nothing (blank)" if value is None else json.dumps(value)
