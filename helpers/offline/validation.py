"""Create-time request checks for the offline SageMaker, answered the way SageMaker answers them.

Field rules (lengths, ranges, patterns, enums, list and map sizes) are read from botocore's SageMaker service
model, because botocore's own client checks only types, required members and minimums. A few documented limits
the model does not carry are added per operation. The offline runtime calls these from its wrapper around moto's
SageMaker backend (CreateTransformJob, CreateModel, CreateTrainingJob), so every notebook sees the same errors.
"""

import functools
import re
from dataclasses import dataclass, replace
import sys
import unicodedata

import botocore.session
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.utils import arn_formatter

# SageMaker applies this MaxPayloadInMB when a request leaves it out (API reference, MaxPayloadInMB).
DEFAULT_MAX_PAYLOAD_IN_MB = 6
# Documented in the API reference text, not in the model's constraints.
MAX_PAYLOAD_IN_MB = 100
MAX_TRANSFORM_INSTANCE_COUNT = 100

# Java's "." stops at every line terminator, Python's only at "\n".
_JAVA_DOT = "[^\\n\\r\\u0085\\u2028\\u2029]"
# Java's POSIX classes are ASCII-only unless UNICODE_CHARACTER_CLASS is set, which AWS does not use.
_POSIX_CLASSES = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "Graph": "\\x21-\\x7e",
    "Print": "\\x20-\\x7e",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
}


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
    """ValidationException text CreateTransformJob gives when its input prefix matches no object (spec section 1)."""
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
    elif operation == "CreateModel":
        name = params["ModelName"]
        if name in backend._models:
            raise validation_error(duplicate_model_message(arn_formatter("model", name, account, region)))


# ---------------------------------------------------------------------------------------------------------------
# Field rules from botocore's service model, reported in the wording of AWS JSON services.


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


@functools.lru_cache(maxsize=1)
def _service_model():
    return botocore.session.get_session().get_service_model("sagemaker")


@dataclass(frozen=True)
class Broken:
    """One service-model constraint a request value breaks. `steps` leads from the request to the value: member
    names, list indexes (from 0) and map keys; `part` says whether the value is a map's key or value."""

    steps: tuple
    value: object
    rule: str  # "required", "max", "min", "pattern" or "enum"
    limit: object  # the bound, the pattern or the allowed values
    kind: str  # the shape's type: "string", "integer", "list", "map", ...
    part: str = ""  # "key" or "value" for the keys and scalar values of a map
    whole_map: object = None  # for those: the map, which the service names in its one message about them
    map_rules: str = ""  # and every rule of the map's key or value shape, which that message lists


class MapKey(str):
    """A map key among Broken.steps, told apart from a member name."""


def broken_constraints(operation: str, params: dict) -> list[Broken]:
    """Every constraint of the SageMaker service model that `params` breaks, in the order the service reports them.
    validate_request words them as the service does; helpers.console words them for the console form."""
    shape = _service_model().operation_model(operation).input_shape
    return list(_walk(shape, params, ()))


def _walk(shape, value, steps, part=""):
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return  # botocore's client refuses wrong types before a request is sent
        for name, member in shape.members.items():
            if value.get(name) is None:
                if name in shape.required_members:
                    yield Broken((*steps, name), None, "required", None, member.type_name)
                continue
            yield from _walk(member, value[name], (*steps, name))
    elif kind == "list":
        if not isinstance(value, (list, tuple)):
            return
        yield from _bounds(shape, value, len(value), steps)
        for index, item in enumerate(value):
            if item is not None:
                yield from _walk(shape.member, item, (*steps, index))
    elif kind == "map":
        if not isinstance(value, dict):
            return
        yield from _bounds(shape, value, len(value), steps)
        key_rules, value_rules = _rule_list(shape.key), _rule_list(shape.value)
        for key in value:
            for broken in _scalar(shape.key, key, (*steps, MapKey(key)), "key"):
                yield replace(broken, whole_map=value, map_rules=key_rules)
        for key, item in value.items():
            if shape.value.type_name in ("structure", "list", "map"):
                yield from _walk(shape.value, item, (*steps, MapKey(key)))
            else:
                for broken in _scalar(shape.value, item, (*steps, MapKey(key)), "value"):
                    yield replace(broken, whole_map=value, map_rules=value_rules)
    else:
        yield from _scalar(shape, value, steps, part)


def _scalar(shape, value, steps, part=""):
    """The constraints a string or number breaks (none when it is not of the shape's type: botocore refuses it)."""
    meta = shape.metadata
    if shape.type_name == "string":
        if not isinstance(value, str):
            return
        yield from _bounds(shape, value, len(value), steps, part)
        regex = _compiled(meta["pattern"]) if "pattern" in meta else None
        if regex is not None and not regex.fullmatch(value):
            yield Broken(steps, value, "pattern", meta["pattern"], "string", part)
        if shape.enum and value not in shape.enum:
            yield Broken(steps, value, "enum", tuple(shape.enum), "string", part)
    elif shape.type_name in ("integer", "long", "float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        yield from _bounds(shape, value, value, steps, part)


def _bounds(shape, value, size, steps, part=""):
    meta = shape.metadata
    if "max" in meta and size > meta["max"]:
        yield Broken(steps, value, "max", meta["max"], shape.type_name, part)
    if "min" in meta and size < meta["min"]:
        yield Broken(steps, value, "min", meta["min"], shape.type_name, part)


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
        return f"Member must satisfy regular expression pattern: {broken.limit}"
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


def _rule_list(shape):
    """All constraints of a map's key or value shape, listed as AWS lists them inside "Map ... constraint: [...]"."""
    meta, rules = shape.metadata, []
    word = "length" if shape.type_name == "string" else "value"
    if "max" in meta:
        rules.append(f"Member must have {word} less than or equal to {meta['max']}")
    if "min" in meta:
        rules.append(f"Member must have {word} greater than or equal to {meta['min']}")
    if "pattern" in meta:
        rules.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    if getattr(shape, "enum", None):
        rules.append(f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
    return ", ".join(rules)


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
# AWS patterns are Java regular expressions, matched against the whole value.


@functools.lru_cache(maxsize=None)
def _compiled(java_pattern):
    """The pattern as a Python regex, or None for the few model patterns re cannot express (then it is not checked).

    ASCII mode gives \\d, \\w and \\s Java's meaning; \\p{...} classes are expanded to explicit ranges.
    """
    try:
        return re.compile(_python_regex(java_pattern), re.ASCII)
    except (re.error, ValueError):
        # Seen only outside the kit's operations: UTF-16 surrogate-pair ranges, a quantifier after "$".
        return None


def _python_regex(java_pattern):
    """Translate the Java regex features AWS models use (\\p{..}, \\z, Java's ".") into Python's re syntax."""
    out, i, in_class = [], 0, False
    text = java_pattern
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            follower = text[i + 1]
            if follower in "pP" and text[i + 2:i + 3] == "{":
                end = text.index("}", i)
                ranges = _property_ranges(text[i + 3:end])
                if follower == "P" and in_class:
                    raise ValueError(f"negated property inside a class is not supported: {java_pattern}")
                if in_class:
                    out.append(ranges)
                else:
                    out.append(f"[{'^' if follower == 'P' else ''}{ranges}]")
                i = end + 1
                continue
            out.append("\\Z" if follower == "z" else text[i:i + 2])
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
            # Python would read "[" inside a class as the start of a nested set in future versions.
            out.append("\\[" if char == "[" else char)
        elif char == "[":
            in_class = True
            out.append(char)
            if text[i + 1:i + 2] == "^":
                out.append("^")
                i += 1
            if text[i + 1:i + 2] == "]":
                out.append("\\]")
                i += 1
        else:
            out.append(_JAVA_DOT if char == "." else char)
        i += 1
    return "".join(out)


def _property_ranges(name):
    """Character-class body for a Java \\p{name}: a POSIX class or a Unicode general category such as L or Nd."""
    if name in _POSIX_CLASSES:
        return _POSIX_CLASSES[name]
    category = name[2:] if name.startswith("Is") else name
    pieces = [ranges for cat, ranges in _category_ranges().items() if cat.startswith(category)]
    if not pieces or len(category) > 2:
        raise ValueError(f"unsupported regex property \\p{{{name}}}")
    return "".join(pieces)


@functools.lru_cache(maxsize=1)
def _category_ranges():
    """Unicode general category (two letters) -> escaped range list, built once from unicodedata (~0.15 s)."""
    spans = {}
    for code in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        runs = spans.setdefault(category, [])
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return {
        category: "".join(
            re.escape(chr(start)) if start == stop else f"{re.escape(chr(start))}-{re.escape(chr(stop))}"
            for start, stop in runs
        )
        for category, runs in spans.items()
    }


# ---------------------------------------------------------------------------------------------------------------
# Documented limits the service model does not carry (API reference text; spec section 1).


def _max_payload_limit(params):
    payload = params.get("MaxPayloadInMB")
    if payload is not None and payload > MAX_PAYLOAD_IN_MB:
        return (
            f"MaxPayloadInMB is {payload}, but a transform job allows at most {MAX_PAYLOAD_IN_MB} MB per request. "
            f"Set MaxPayloadInMB (max_payload in the SDK) to {MAX_PAYLOAD_IN_MB} or less; "
            f"the default is {DEFAULT_MAX_PAYLOAD_IN_MB}."
        )
    return None


def _concurrency_payload_limit(params):
    concurrency = params.get("MaxConcurrentTransforms")
    if not concurrency:
        return None  # 0 or unset lets the container choose, so there is nothing to multiply yet
    payload = params.get("MaxPayloadInMB")
    if payload is None:
        payload = DEFAULT_MAX_PAYLOAD_IN_MB
    if concurrency * payload > MAX_PAYLOAD_IN_MB:
        return (
            f"MaxConcurrentTransforms x MaxPayloadInMB is {concurrency} x {payload} = {concurrency * payload} MB, "
            f"but it may be at most {MAX_PAYLOAD_IN_MB} MB. Lower MaxConcurrentTransforms "
            f"(max_concurrent_transforms) or MaxPayloadInMB (max_payload) until their product is "
            f"{MAX_PAYLOAD_IN_MB} or less, e.g. {MAX_PAYLOAD_IN_MB // payload} concurrent requests of {payload} MB."
        )
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
