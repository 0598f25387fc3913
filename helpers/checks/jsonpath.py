"""The JSONPath subset of Batch Transform's InputFilter and OutputFilter, applied to one sample record, so the check
cells of notebooks 05 and 06 need no job.

Written from the Developer Guide's operator table ("Associate Prediction Results with Input Records", Supported
JSONPath operators: https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform-data-processing.html):
`$`, `.name`, `['name','name']`, `[n]`, `[n,m]`, `[start:]`, `[start:end]` and `*`. It is kept apart from the
offline runtime (sagemaker_offline/data_processing.py) on purpose: the checks must not agree with the emulator merely
because they share its code.
"""
from __future__ import annotations

import re
from typing import Any

_NAME = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*|\*)")
_BRACKET = re.compile(r"\[([^\]]*)\]")
_QUOTED = re.compile(r"""^\s*(?:'([^']*)'|"([^"]*)")\s*$""")
_SLICE = re.compile(r"^\s*(-?\d*)\s*:\s*(-?\d*)\s*$")


class PathError(AssertionError):
    """A filter Batch Transform would refuse, or one that selects nothing from the sample record."""


def _segments(path: str, field: str) -> list[tuple[str, Any]]:
    """Parse `path` into (kind, argument) steps: name(s), index(es), slice or wildcard."""
    if len(path) > 63:  # DataProcessing's length constraint in the API reference
        raise PathError(f"{field} has {len(path)} characters; the API accepts at most 63.")
    if not path.startswith("$"):
        raise PathError(f"{field} {path!r} does not start with '$', the record itself.")
    if ".." in path:
        raise PathError(f"{field} {path!r} uses recursive descent '..', which Batch Transform's JSONPath subset does "
                        "not include: name each step ($.a.b) or list indices ($[1,2]).")
    if "?(" in path or "@" in path:
        raise PathError(f"{field} {path!r} uses a filter expression, which Batch Transform's JSONPath subset does not "
                        "include.")
    steps, rest = [], path[1:]
    while rest:
        name, bracket = _NAME.match(rest), _BRACKET.match(rest)
        if name:
            steps.append(("all", None) if name.group(1) == "*" else ("names", [name.group(1)]))
            rest = rest[name.end():]
        elif bracket:
            steps.append(_bracket(bracket.group(1), path, field))
            rest = rest[bracket.end():]
        else:
            raise PathError(f"{field} {path!r} is not a JSONPath Batch Transform reads (near {rest!r}).")
    return steps


def _bracket(inside: str, path: str, field: str) -> tuple[str, Any]:
    inside = inside.strip()
    if inside == "*":
        return ("all", None)
    parts = [part for part in inside.split(",")]
    quoted = [_QUOTED.match(part) for part in parts]
    if all(quoted):
        return ("names", [m.group(1) if m.group(1) is not None else m.group(2) for m in quoted])
    if len(parts) == 1 and _SLICE.match(inside):
        start, end = _SLICE.match(inside).groups()
        return ("slice", (int(start) if start else None, int(end) if end else None))
    try:
        return ("indices", [int(part) for part in parts])
    except ValueError:
        raise PathError(f"{field} {path!r}: [{inside}] is neither indices ($[0,1]), a slice ($[1:]) nor quoted "
                        "names ($['a','b']).") from None


def select(path: str, record: Any, field: str = "The filter") -> Any:
    """The part of `record` (a CSV row as a list of strings, or a parsed JSON value) that `path` selects."""
    value = record
    for kind, argument in _segments(path.strip(), field):
        if kind == "names":
            if not isinstance(value, dict):
                raise PathError(f"{field} {path!r} selects attributes by name, but the record is an array (a CSV "
                                "row): pick columns by index, $[0,1].")
            missing = [name for name in argument if name not in value]
            if missing:
                raise PathError(f"{field} {path!r} selects the attribute '{missing[0]}', which the record does not "
                                f"have (it has {', '.join(map(repr, value))}).")
            value = value[argument[0]] if len(argument) == 1 else {name: value[name] for name in argument}
            continue
        if isinstance(value, dict):
            if kind == "all":
                value = list(value.values())
                continue
            raise PathError(f"{field} {path!r} picks by index from a JSON object: select its attributes by name, "
                            "$['a','b'].")
        if not isinstance(value, list):
            raise PathError(f"{field} {path!r} indexes a single value, which has no columns.")
        if kind == "slice":
            value = value[slice(*argument)]
        elif kind == "all":
            pass
        else:
            for index in argument:
                if not -len(value) <= index < len(value):
                    raise PathError(f"{field} {path!r} picks column {index}, but the record has only {len(value)} "
                                    f"columns (0 to {len(value) - 1}, or -1 for the last).")
            value = value[argument[0]] if len(argument) == 1 else [value[index] for index in argument]
    return value


def select_columns(path: str, row: list[str], field: str = "The filter") -> list[str]:
    """The columns of a CSV row that `path` keeps, as a list (a single column too)."""
    selected = select(path, row, field)
    return selected if isinstance(selected, list) else [selected]
