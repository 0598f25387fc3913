"""The request rules of SageMaker's API, read from botocore's service model: lengths, ranges, patterns, enums, list and
map sizes, which botocore's own client does not check (it checks only types, required members and minimums).

Shared by the offline SageMaker (sagemaker_offline/validation.py words them as the service does) and by the console
walkthrough (helpers/course/console.py words them for the form, notebook 08), so neither depends on the other.
AWS patterns are Java regular expressions; they are translated to Python's `re` here.
"""
from __future__ import annotations

import functools
import re
import sys
import unicodedata
from dataclasses import dataclass, replace

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


@functools.lru_cache(maxsize=1)
def service_model():
    """botocore's SageMaker service model, loaded once per process (~0.1 s: a 4 MB JSON file)."""
    import botocore.session

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
    sagemaker_offline.validation words them as the service does; helpers.course.console for the console form."""
    shape = service_model().operation_model(operation).input_shape
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


# --- AWS patterns are Java regular expressions, matched against the whole value --------------------------------

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
