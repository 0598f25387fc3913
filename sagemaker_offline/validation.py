"""Create-time request checks for the offline SageMaker, answered the way SageMaker answers them.

Field rules (lengths, ranges, patterns, enums, list and map sizes) come from botocore's SageMaker service model
through sagemaker_offline/service_rules.py (shared with the console walkthrough); here they get SageMaker's wording. A few
documented limits the model does not carry are added per operation. The offline runtime calls these from its wrapper around moto's
SageMaker backend (CreateTransformJob, CreateModel, CreateTrainingJob), so every notebook sees the same errors.
"""

from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.utils import arn_formatter

from sagemaker_offline.service_rules import Broken, MapKey, broken_constraints

# SageMaker applies this MaxPayloadInMB when a request leaves it out (API reference, MaxPayloadInMB).
DEFAULT_MAX_PAYLOAD_IN_MB = 6
# Documented in the API reference text, not in the model's constraints.
MAX_PAYLOAD_IN_MB = 100
MAX_TRANSFORM_INSTANCE_COUNT = 100


# ---------------------------------------------------------------------------------------------------------------
# Exceptions and the texts SageMaker uses for checks that need the account's state.


def validation_error(message: str) -> Exception:
    """A moto error that reaches boto3 as ClientError code "ValidationException"."""
    return ValidationError(message)


def resource_in_use(message: str) -> Exception:
    """A moto error that reaches boto3 as ClientError code "ResourceInUse" (e.g. a job name already taken)."""
    return ResourceInUseException(message)


def resource_not_found(message: str) -> Exception:
    """A moto error that reaches boto3 as ClientError code "ResourceNotFound"."""
    return ResourceNotFound(message)


def duplicate_job_message(kind: str, arn: str) -> str:
    """ResourceInUse text for a reused job name; kind is "training job" or "transform job".

    The training-job text is SageMaker's (amazon-sagemaker-examples#3108); the transform-job one follows it.
    """
    return (
        f"{kind[0].upper()}{kind[1:]} names must be unique within an AWS account and region, "
        f"and a {kind} with this name already exists ({arn})"
    )


def duplicate_model_message(arn: str) -> str:
    """ValidationException text SageMaker gives CreateModel for a name already in use."""
    return f'Cannot create already existing model "{arn}".'


def model_not_found_message(arn: str) -> str:
    """ValidationException text for a model that does not exist (as DescribeModel and CreateEndpointConfig say)."""
    return f'Could not find model "{arn}".'


def model_not_found(model_name: str, account_id: str, region: str) -> Exception:
    """The ValidationException for a CreateTransformJob whose ModelName names no model in this account and region."""
    return validation_error(model_not_found_message(arn_formatter("model", model_name, account_id, region)))


def no_s3_objects_message(s3_uri: str, region: str, role_arn: str, bucket: str) -> str:
    """ValidationException text CreateTransformJob gives when its input prefix matches no object (docs/batch-transform-reference.md, section 1)."""
    return (
        f'No S3 objects found under S3 URL "{s3_uri}" given in input data source. '
        f"Please ensure that the bucket exists in the selected region ({region}), "
        f"that objects exist under that S3 prefix, and that the role \"{role_arn}\" "
        f'has "s3:ListBucket" permissions on bucket "{bucket}".'
    )


def check_existing_resources(operation: str, params: dict, backend) -> None:
    """Raise what SageMaker raises for a name already taken or, for a transform job, a model that does not exist.

    backend is moto's SageMakerModelBackend for the caller's account and region.
    """
    account, region = backend.account_id, backend.region_name
    if operation == "CreateTransformJob":
        name = params["TransformJobName"]
        if name in backend.transform_jobs:
            arn = arn_formatter("transform-job", name, account, region)
            raise resource_in_use(duplicate_job_message("transform job", arn))
        if params["ModelName"] not in backend._models:
            raise model_not_found(params["ModelName"], account, region)
    elif operation == "CreateTrainingJob":
        name = params["TrainingJobName"]
        if name in backend.training_jobs:
            arn = arn_formatter("training-job", name, account, region)
            raise resource_in_use(duplicate_job_message("training job", arn))
    elif operation == "CreateProcessingJob":
        name = params["ProcessingJobName"]
        if name in backend.processing_jobs:
            arn = arn_formatter("processing-job", name, account, region)
            raise resource_in_use(duplicate_job_message("processing job", arn))
    elif operation == "CreateModel":
        name = params["ModelName"]
        if name in backend._models:
            raise validation_error(duplicate_model_message(arn_formatter("model", name, account, region)))


# ---------------------------------------------------------------------------------------------------------------
# Field rules from botocore's service model (sagemaker_offline/service_rules.py), reported in the wording of AWS JSON services.


def validate_request(operation: str, params: dict) -> None:
    """Raise a ValidationException for a request SageMaker would refuse at create time.

    operation is an API name such as "CreateTransformJob"; params are the request members in API (PascalCase)
    form, as boto3 sends them. Model constraints are all reported together; the extra documented limits are
    checked once those pass, one at a time, as the service checks them after its field validation.
    """
    problems = _aws_messages(broken_constraints(operation, params))
    if problems:
        count = len(problems)
        detected = f"{count} validation error{'s' if count > 1 else ''} detected: "
        raise validation_error(detected + "; ".join(problems))
    for rule in _EXTRA_RULES.get(operation, ()):
        advice = rule(params)
        if advice:
            raise validation_error(advice)



def _aws_path(steps) -> str:
    """The path as AWS names it: camelCase members, 1-based list members (`tags.2.member.key`), map keys as they are."""
    parts = []
    for step in steps:
        if isinstance(step, int):
            parts.append(f"{step + 1}.member")
        else:
            parts.append(step if isinstance(step, MapKey) else _camel(step))
    return ".".join(parts)


def _constraint_text(broken: Broken) -> str:
    if broken.rule == "pattern":
        # The service quotes its own pattern, which starts with ^ where botocore's model dropped it: "Member must satisfy
        # regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*" (CreateModel, aws-samples/
        # sagemaker-ml-workflow-with-apache-airflow#3, 2019); the same for an EndpointName with {0,62}.
        pattern = broken.limit if broken.limit.startswith("^") else "^" + broken.limit
        return f"Member must satisfy regular expression pattern: {pattern}"
    if broken.rule == "enum":
        return f"Member must satisfy enum value set: [{', '.join(broken.limit)}]"
    word = "value" if broken.kind in ("integer", "long", "float", "double") else "length"
    relation = "less than or equal to" if broken.rule == "max" else "greater than or equal to"
    return f"Member must have {word} {relation} {broken.limit}"


def _aws_messages(found: list[Broken]) -> list[str]:
    """The service's wording; a map's bad keys (or scalar values) make one message naming the whole map."""
    messages, reported = [], set()
    for broken in found:
        if broken.part:
            map_steps = broken.steps[:-1]
            if (map_steps, broken.part) in reported:
                continue
            reported.add((map_steps, broken.part))
            text = "Map keys must satisfy constraint" if broken.part == "key" else "Map value must satisfy constraint"
            messages.append(f"Value {_java_repr(broken.whole_map)} at '{_aws_path(map_steps)}' failed to satisfy "
                            f"constraint: {text}: [{broken.map_rules}]")
        elif broken.rule == "required":
            messages.append(f"Value null at '{_aws_path(broken.steps)}' failed to satisfy constraint: "
                            "Member must not be null")
        else:
            messages.append(f"Value {_java_repr(broken.value)} at '{_aws_path(broken.steps)}' failed to satisfy "
                            f"constraint: {_constraint_text(broken)}")
    return messages


def _camel(member_name):
    # AWS names a member in error paths with a lower-case first letter: S3Uri -> s3Uri.
    return member_name[:1].lower() + member_name[1:]


def _java_repr(value):
    """The value as the service echoes it: quoted, with maps and lists in Java's toString form."""
    if value is None:
        return "null"
    return f"'{_java_text(value)}'"


def _java_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_java_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_java_text(item) for item in value) + "]"
    return str(value)


# ---------------------------------------------------------------------------------------------------------------
# Documented limits the service model does not carry (API reference text; docs/batch-transform-reference.md, section 1).


def _max_payload_limit(params):
    """The API reference gives MaxPayloadInMB the range 0-100; botocore's model carries only the minimum, so the
    maximum is reported here in the service's own format for a range (the same words as every other field rule)."""
    payload = params.get("MaxPayloadInMB")
    if payload is not None and payload > MAX_PAYLOAD_IN_MB:
        return (f"1 validation error detected: Value '{payload}' at 'maxPayloadInMB' failed to satisfy constraint: "
                f"Member must have value less than or equal to {MAX_PAYLOAD_IN_MB}")
    return None


def _concurrency_payload_limit(params):
    """The API reference: "The value of (MaxConcurrentTransforms * MaxPayloadInMB) also cannot exceed 100 MB."
    SageMaker's wording for the refusal is in no public transcript; this text is the kit's, stated without advice
    (the notebooks and the course's results.explain_failure give the kit's advice)."""
    concurrency = params.get("MaxConcurrentTransforms")
    if not concurrency:
        return None  # 0 or unset lets the container choose, so there is nothing to multiply yet
    payload = params.get("MaxPayloadInMB")
    if payload is None:
        payload = DEFAULT_MAX_PAYLOAD_IN_MB
    if concurrency * payload > MAX_PAYLOAD_IN_MB:
        return (f"The value of (MaxConcurrentTransforms * MaxPayloadInMB) cannot exceed {MAX_PAYLOAD_IN_MB} MB: "
                f"{concurrency} * {payload} = {concurrency * payload}.")
    return None


def _transform_instance_limit(params):
    count = (params.get("TransformResources") or {}).get("InstanceCount")
    if count is not None and count > MAX_TRANSFORM_INSTANCE_COUNT:
        return (
            f"TransformResources.InstanceCount is {count}, but a transform job can use at most "
            f"{MAX_TRANSFORM_INSTANCE_COUNT} instances. Set InstanceCount (instance_count) to "
            f"{MAX_TRANSFORM_INSTANCE_COUNT} or less."
        )
    return None


_EXTRA_RULES = {
    "CreateTransformJob": (_max_payload_limit, _concurrency_payload_limit, _transform_instance_limit),
}
