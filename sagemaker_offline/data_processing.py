"""DataProcessing for offline transform jobs: InputFilter, JoinSource and OutputFilter on CSV and JSON records.

The offline transform runtime calls this module for every mini-batch; the notebook that teaches filters shows the
results. Paths are parsed by jsonpath-ng; slices follow standard JSONPath (the end index is excluded).
"""

from __future__ import annotations

import csv
import functools
import json
import re
import warnings
from dataclasses import dataclass
from typing import Any

from jsonpath_ng import Child, Fields, Index, Root, Slice, Wildcard, parse

CSV = "text/csv"
JSON = "application/json"
JSON_LINES = "application/jsonlines"
SUPPORTED_TYPES = (CSV, JSON, JSON_LINES)
MAX_FILTER_LENGTH = 63
OUTPUT_KEY = "SageMakerOutput"
INPUT_KEY = "SageMakerInput"

_SUBSET = "$, .name, *, ['a','b'], [i,j] (negative allowed) and [start:end]"
_REQUEST_KEYS = ("InputFilter", "JoinSource", "OutputFilter")


class DataProcessingError(ValueError):
    """A DataProcessing setting or record the job cannot handle; the message is fit for a job's FailureReason."""


class RawNumber(str):
    """A JSON number kept as the text it arrived in, so 1.50 is written back as 1.50 and not 1.5."""


@dataclass(frozen=True)
class _Path:
    """A checked filter: its text, the field it came from, and its steps after the root `$`."""

    text: str
    field: str
    steps: tuple
    definite: bool  # only single names and single indices: the result is one value, not a list


@dataclass(frozen=True)
class DataProcessing:
    """The DataProcessing part of a CreateTransformJob request, applied the way Batch Transform applies it.

    Constructing one checks the values (as CreateTransformJob does) and raises DataProcessingError.
    """

    input_filter: str = "$"
    join_source: str = "None"
    output_filter: str = "$"

    def __post_init__(self):
        if self.join_source not in ("Input", "None"):
            raise DataProcessingError(
                f"DataProcessing JoinSource is {self.join_source!r}, but it must be 'Input' (join each result "
                f"with its input record) or 'None' (results only). Set JoinSource='Input' or leave it out."
            )
        _compile(self.input_filter, "InputFilter")
        _compile(self.output_filter, "OutputFilter")

    @classmethod
    def from_request(cls, data_processing: dict | None) -> DataProcessing:
        """Build from the request's `DataProcessing` dict (None or {} means the defaults)."""
        if not data_processing:
            return cls()
        if not isinstance(data_processing, dict):
            raise DataProcessingError(
                f"DataProcessing must be a dict such as {{'JoinSource': 'Input'}}, "
                f"not {type(data_processing).__name__}."
            )
        unknown = sorted(set(data_processing) - set(_REQUEST_KEYS))
        if unknown:
            raise DataProcessingError(
                f"DataProcessing has unknown key(s) {', '.join(unknown)}; the keys are InputFilter, JoinSource "
                f"and OutputFilter (spelled exactly so)."
            )
        for key in _REQUEST_KEYS:
            if key in data_processing and not isinstance(data_processing[key], str):
                raise DataProcessingError(
                    f"DataProcessing {key} must be a string such as '$', not {data_processing[key]!r}."
                )
        return cls(
            input_filter=data_processing.get("InputFilter", "$"),
            join_source=data_processing.get("JoinSource", "None"),
            output_filter=data_processing.get("OutputFilter", "$"),
        )

    @property
    def is_default(self) -> bool:
        """True for "$"/"None"/"$": inference only, and the runtime skips all processing."""
        return self.input_filter == "$" and self.join_source == "None" and self.output_filter == "$"

    @property
    def filters_input(self) -> bool:
        """True when the container must receive filter_input's body instead of the raw mini-batch."""
        return self.input_filter != "$"

    @property
    def processes_output(self) -> bool:
        """True when results must go through process_output (a join or an OutputFilter); else they pass through."""
        return self.join_source == "Input" or self.output_filter != "$"

    def check_job(self, content_type: str | None, accept: str | None, split_type: str, assemble_with: str) -> None:
        """Raise DataProcessingError when this DataProcessing cannot run with the job's formats and splitting.

        The filters themselves were checked when this object was built; the defaults fit every job.
        """
        if self.is_default:
            return
        content = _check_type(content_type, "ContentType", "content_type", "TransformInput.ContentType")
        _check_type(accept, "Accept", "accept", "TransformOutput.Accept")
        accepted = _media_type(accept)
        split_type = split_type or "None"
        assemble_with = assemble_with or "None"
        if content == CSV and split_type != "Line":
            raise DataProcessingError(
                f"DataProcessing filters CSV input one row at a time, so with ContentType 'text/csv' SplitType "
                f"must be 'Line', not {split_type!r}. Set SplitType='Line' (split_type='Line' in the SDK)."
            )
        if content != CSV and split_type not in ("Line", "None"):
            raise DataProcessingError(
                f"DataProcessing reads JSON records as text, so SplitType {split_type!r} cannot be used. Set "
                f"SplitType='Line' for JSON Lines, or 'None' for one JSON document per S3 object."
            )
        if accepted == CSV and assemble_with != "Line":
            raise DataProcessingError(
                f"DataProcessing writes CSV output one row per record, so with Accept 'text/csv' AssembleWith "
                f"must be 'Line', not {assemble_with!r}. Set AssembleWith='Line' (assemble_with='Line' in the SDK)."
            )

    def filter_input(self, records: list[bytes], content_type: str) -> bytes:
        """Apply InputFilter to one mini-batch and return the request body: each filtered record plus "\\n"."""
        if self.input_filter == "$":
            return b"".join(record + b"\n" for record in records)
        path = _compile(self.input_filter, "InputFilter")
        is_csv = _media_type(content_type) == CSV
        values = _read_records(records, is_csv, _INPUT)
        selected = [_select(path, value, _INPUT.format(n), is_csv) for n, value in enumerate(values, 1)]
        return "".join(_write_values(selected, is_csv, path, _INPUT, plain=is_csv)).encode("utf-8")

    def process_output(self, records: list[bytes], response: bytes, content_type: str, accept: str) -> list[bytes]:
        """Pair the container's response with the mini-batch's ORIGINAL records, join and apply OutputFilter.

        Returns one output record per input record, without a trailing newline. Without a join or OutputFilter
        (processes_output False) the response lines come back unchanged; the runtime may skip the call then.
        """
        in_csv = _media_type(content_type) == CSV
        out_csv = _media_type(accept) == CSV
        results = _split_response(response, len(records), out_csv)
        if not self.processes_output:
            return results
        path = _compile(self.output_filter, "OutputFilter")
        joining = self.join_source == "Input"
        if joining and in_csv and out_csv and self.output_filter == "$":
            # The plain CSV join is the input row followed by the result row; concatenating keeps every byte.
            return [record.rstrip(b"\r") + b"," + result for record, result in zip(records, results)]
        outputs = _read_records(results, out_csv, _RESULT)
        inputs = _read_records(records, in_csv, _INPUT) if joining else outputs
        both_csv = in_csv and out_csv
        selected = []
        for number, (record, output) in enumerate(zip(inputs, outputs), 1):
            if joining:
                joined = _join(record, output, both_csv)
                where = functools.partial(_describe_joined, joined, output, both_csv, number)
                selected.append(_select(path, joined, where, both_csv))
            else:
                selected.append(_select(path, output, _RESULT.format(number), out_csv))
        where = _JOINED if joining else _RESULT
        lines = _write_values(selected, out_csv, path, where, plain=both_csv if joining else out_csv)
        return [line[:-1].encode("utf-8") for line in lines]


# ---- checking filters -------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=256)
def _compile(text: str, field: str) -> _Path:
    """Check one filter against SageMaker's rules and parse it with jsonpath-ng (cached: jobs reuse a few paths)."""
    if not isinstance(text, str) or not text.strip():
        raise DataProcessingError(
            f"DataProcessing {field} is empty. Use '$' to keep the whole record, or a path such as '$[1:]'."
        )
    if len(text) > MAX_FILTER_LENGTH:
        raise DataProcessingError(
            f"DataProcessing {field} is {len(text)} characters long, but SageMaker allows at most "
            f"{MAX_FILTER_LENGTH}. Shorten the path, for example with a slice such as '$[1:]' instead of listing "
            f"every index."
        )
    if not text.lstrip().startswith("$"):
        raise DataProcessingError(
            f"DataProcessing {field} {text!r} must start with '$', the root of each record: for example "
            f"{_rooted(text)!r}."
        )
    if any("," in inside and ":" in inside for inside in re.findall(r"\[([^\]'\"]*)\]", text)):
        raise DataProcessingError(
            f"DataProcessing {field} {text!r} mixes indices and a slice in one bracket, which the JSONPath library "
            f"cannot read (the API reference shows '$[0,5:]', but standard JSONPath tools reject it). List the "
            f"indices instead, such as '$[0,5,6,7]', or use one slice such as '$[5:]'."
        )
    try:
        with warnings.catch_warnings():
            # jsonpath-ng warns about its deprecated operators; they are rejected below with a clearer message.
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = parse(text)
    except Exception as error:  # jsonpath-ng's lexer, parser and ply raise unrelated exception types
        raise DataProcessingError(
            f"DataProcessing {field} {text!r} is not valid JSONPath ({error}). Paths that work: '$[1:]' (CSV "
            f"columns from the second on), '$[0,-1]' (first and last), '$.features', \"$['id','SageMakerOutput']\"."
        ) from None
    for node in _walk(tree):
        _check_node(node, text, field)
    steps = _flatten(tree)
    if not steps or not isinstance(steps[0], Root) or any(isinstance(step, Root) for step in steps[1:]):
        raise DataProcessingError(
            f"DataProcessing {field} {text!r} must be one path starting at '$', such as '$.features'."
        )
    return _Path(text, field, tuple(steps[1:]), all(_is_single(step) for step in steps[1:]))


def _is_single(step) -> bool:
    """A step that picks at most one value: one name or one index."""
    return (isinstance(step, Fields) and len(step.fields) == 1) or (isinstance(step, Index) and len(step.indices) == 1)


def _flatten(node) -> list:
    if isinstance(node, Child):
        return _flatten(node.left) + _flatten(node.right)
    return [node]


def _walk(node):
    yield node
    for side in ("left", "right"):
        if hasattr(node, side):
            yield from _walk(getattr(node, side))


def _rooted(text: str) -> str:
    text = text.strip()
    return "$" + text if text.startswith("[") else "$." + text


_OPERATOR_NAMES = {
    "Descendants": "recursive descent '..'",
    "_Union": "the union operator '|'",
    "_Intersect": "the intersection operator '&'",
    "Where": "the 'where' operator",
    "WhereNot": "the 'wherenot' operator",
    "This": "'`this`'",
    "Parent": "'`parent`'",
}


def _check_node(step, text: str, field: str) -> None:
    if isinstance(step, (Root, Child)):
        return
    if isinstance(step, Slice):
        if step.step is not None:
            raise DataProcessingError(
                f"DataProcessing {field} {text!r} uses a slice step, which SageMaker's JSONPath subset does not "
                f"support. Use [start:end] without a step, or list the indices: [0,2,4]."
            )
        return
    if isinstance(step, Fields):
        if len(step.fields) > 1 and any("." in name for name in step.fields):
            raise DataProcessingError(
                f"DataProcessing {field} {text!r} nests a child inside brackets, which SageMaker does not support. "
                f"Select direct children only, such as \"$.f['c1','c2']\"."
            )
        return
    if isinstance(step, (Index, Wildcard)):
        return
    operator = _OPERATOR_NAMES.get(type(step).__name__, f"the operator '{step}'")
    raise DataProcessingError(
        f"DataProcessing {field} {text!r} uses {operator}, which SageMaker's JSONPath subset does not support. "
        f"Use only {_SUBSET}."
    )


def _media_type(value: str | None) -> str | None:
    return value.split(";")[0].strip().lower() if value else None


def _check_type(value: str | None, name: str, sdk_name: str, api_name: str) -> str:
    media = _media_type(value)
    if media in SUPPORTED_TYPES:
        return media
    shown = "not set" if not value else f"{value!r}"
    raise DataProcessingError(
        f"DataProcessing (InputFilter, JoinSource, OutputFilter) works on CSV and JSON records only, and {name} is "
        f"{shown}. Set {api_name} ({sdk_name}= in the SDK) to 'text/csv', 'application/json' or "
        f"'application/jsonlines', or leave DataProcessing out."
    )


# ---- reading, joining, selecting and writing records ------------------------------------------------------------

_INPUT = "input record {} of the mini-batch"
_RESULT = "the model's result for record {} of the mini-batch"
_JOINED = "the joined record for record {} of the mini-batch"


def _read_records(records: list[bytes], is_csv: bool, where: str) -> list:
    """Read a mini-batch's records (or results); `where` names record n in error messages."""
    if is_csv and not any(b'"' in record for record in records):
        # Without quotes no field can span records, so one reader can take the whole mini-batch (much faster).
        try:
            return list(csv.reader([record.decode("utf-8") for record in records], strict=True))
        except (UnicodeDecodeError, csv.Error):
            pass  # read one by one below, so the error names the record
    return [_read_record(record, is_csv, where.format(n)) for n, record in enumerate(records, 1)]


def _read_record(raw: bytes, is_csv: bool, where: str) -> Any:
    """One record as a JSON value: a CSV row is a JSON array of its fields, kept as text (RFC 4180)."""
    subject = where[0].upper() + where[1:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DataProcessingError(
            f"{subject} is not UTF-8 text, so DataProcessing cannot read it. Save the data as UTF-8."
        ) from None
    if is_csv:
        try:
            return next(csv.reader([text], strict=True), [])
        except csv.Error as error:
            raise DataProcessingError(
                f"{subject} is not valid RFC 4180 CSV ({error}): {_preview(text)}. Quote fields that "
                f"contain commas or quotes (\"a,b\"), and double quotes inside them (\"\")."
            ) from None
    try:
        return json.loads(text, parse_int=RawNumber, parse_float=RawNumber, parse_constant=RawNumber)
    except json.JSONDecodeError as error:
        if where.startswith("the model"):
            advice = "Set Accept to the format the model returns (the XGBoost container returns CSV: 'text/csv')."
        else:
            advice = ("With SplitType 'Line' each line must hold one JSON value (JSON Lines); for one JSON "
                      "document per file use SplitType 'None'.")
        raise DataProcessingError(
            f"{subject} is not valid JSON ({error.msg} at column {error.colno}): {_preview(text)}. {advice}"
        ) from None


def _split_response(response: bytes, count: int, out_csv: bool) -> list[bytes]:
    """Cut the container's response into one result per record; refuse when the counts differ."""
    body = response[:-1] if response.endswith(b"\n") else response
    if count == 1 and not out_csv:
        # A single record's JSON result may span lines (pretty-printed); it is still one result.
        return [body.rstrip(b"\r")]
    lines = [line.rstrip(b"\r") for line in body.split(b"\n")] if response else []
    if len(lines) != count:
        raise DataProcessingError(
            f"The model returned {len(lines)} result line(s) for a mini-batch of {count} record(s), so SageMaker "
            f"cannot pair each result with its input record for JoinSource/OutputFilter. Make the model return "
            f"exactly one line per record, or set BatchStrategy='SingleRecord'."
        )
    return lines


def _join(record: Any, output: Any, both_csv: bool) -> Any:
    """JoinSource=Input: CSV row + result row; else the result goes under SageMakerOutput."""
    if both_csv:
        return record + output
    if isinstance(record, dict):
        joined = dict(record)
        joined[OUTPUT_KEY] = output  # the docs warn that an input attribute of this name is overwritten
        return joined
    return {INPUT_KEY: record, OUTPUT_KEY: output}


def _describe_joined(joined: Any, output: Any, both_csv: bool, number: int) -> str:
    if both_csv:
        width = len(joined) - len(output)
        return f"{_JOINED.format(number)} ({width} input column(s) + {len(output)} result column(s))"
    return _JOINED.format(number)


def _select(path: _Path, value: Any, where, is_csv_row: bool) -> Any:
    """Evaluate a checked path; a missing index or name on a definite step is an error, as on SageMaker.

    `where` names the record in error messages: a string, or a function that builds one only when needed.
    """
    if not path.steps:
        return value
    step = path.steps[0]
    if len(path.steps) == 1 and isinstance(value, list) and isinstance(step, Slice):
        return value[step.start:step.end]  # the common CSV filter, e.g. $[1:]
    current = [value]
    fanned_out = False
    for position, step in enumerate(path.steps):
        top = position == 0
        noun = "columns" if is_csv_row and top else "elements"
        if isinstance(step, Fields) and len(step.fields) > 1 and position == len(path.steps) - 1:
            # A final ['a','b'] builds an object of the named attributes, in path order (as Jayway JsonPath does).
            objects = [item for item in current if isinstance(item, dict)]
            if not fanned_out and not objects:
                raise _not_a(path, _text(where), current[0], "object", "attributes by name")
            picked = [{name: item[name] for name in step.fields if name in item} for item in objects]
            return picked if fanned_out else picked[0]
        following = []
        for item in current:
            if isinstance(step, Index):
                if not isinstance(item, list):
                    if fanned_out:
                        continue
                    raise _not_a(path, _text(where), item, "array", "columns by index")
                for index in step.indices:
                    if not -len(item) <= index < len(item):
                        raise DataProcessingError(_index_message(path, _text(where), index, len(item), noun))
                    following.append(item[index])
            elif isinstance(step, Fields):
                if not isinstance(item, dict):
                    if fanned_out:
                        continue
                    raise _not_a(path, _text(where), item, "object", "attributes by name")
                for name in step.fields:
                    if name in item:
                        following.append(item[name])
                    elif not fanned_out and len(step.fields) == 1:
                        raise DataProcessingError(_name_message(path, _text(where), name, item))
            elif isinstance(item, list):
                # Same result as jsonpath-ng's Slice/Wildcard.find on an array (steps are rejected), without
                # building a context object per element: wide CSV rows made that the job's main cost.
                following.extend(item[step.start:step.end] if isinstance(step, Slice) else item)
            else:
                if isinstance(step, Slice) and not fanned_out:
                    raise _not_a(path, _text(where), item, "array", "columns by position")
                following.extend(datum.value for datum in step.find(item))
        current = following
        fanned_out = fanned_out or not _is_single(step)
    return current[0] if path.definite else current


def _text(where) -> str:
    return where() if callable(where) else where


def _index_message(path: _Path, where: str, index: int, size: int, noun: str) -> str:
    if size == 0:
        return (f"DataProcessing {path.field} {path.text!r} asks for index {index}, but {where} is empty. "
                f"Check that the data has no blank lines.")
    return (
        f"DataProcessing {path.field} {path.text!r} asks for index {index}, but {where} has only {size} {noun}. "
        f"Use indices from 0 to {size - 1} (or -1 for the last)."
    )


def _name_message(path: _Path, where: str, name: str, item: dict) -> str:
    names = ", ".join(list(item)[:10]) + (", ..." if len(item) > 10 else "")
    return (
        f"DataProcessing {path.field} {path.text!r} asks for the attribute {name!r}, but {where} has none "
        f"(its attributes: {names or 'none'}). Check the spelling; names are case-sensitive."
    )


def _not_a(path: _Path, where: str, item: Any, kind: str, selects: str) -> DataProcessingError:
    found = {dict: "a JSON object", list: "an array"}.get(type(item), "a single value")
    advice = ("select attributes by name, such as '$.features'" if isinstance(item, dict)
              else "select columns by index, such as '$[1:]'" if isinstance(item, list)
              else "use '$' for the whole value")
    return DataProcessingError(
        f"DataProcessing {path.field} {path.text!r} selects {selects}, but {where} is {found}, not an {kind}. "
        f"For this record, {advice}."
    )


class _Lines(list):
    """A csv.writer target that keeps each written row as its own string."""

    write = list.append


def _write_values(values: list, is_csv: bool, path: _Path, where: str, plain: bool = False) -> list[str]:
    """Write selected values, one line each ending in "\\n": CSV rows (quoted only when needed) or compact JSON.

    `plain` says every value came from CSV text, so no field needs converting (the fast, common case).
    """
    if not is_csv:
        return [_dump_json(value) + "\n" for value in values]
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="\n")
    for number, value in enumerate(values, 1):
        if isinstance(value, dict):
            raise DataProcessingError(
                f"DataProcessing {path.field} {path.text!r} selects a JSON object from {where.format(number)}, "
                f"which cannot be written as a CSV line. Select values or an array (for example "
                f"'$.SageMakerOutput'), or set Accept to 'application/jsonlines'."
            )
        fields = value if isinstance(value, list) else [value]
        before = len(lines)
        writer.writerow(fields if plain else [_field_text(field) for field in fields])
        if len(lines) != before + 1:  # CPython writes a row in one call; stay correct if that ever changes
            lines[before:] = ["".join(lines[before:])]
    return lines


def _field_text(value: Any) -> str:
    """A JSON value as CSV field text: strings and numbers as their text, null empty, the rest as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return _dump_json(value)


def _dump_json(value: Any) -> str:
    """Compact JSON (no spaces, as batch transform output seen in the wild), numbers as their original text."""
    if isinstance(value, RawNumber):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ",".join(
            json.dumps(key, ensure_ascii=False) + ":" + _dump_json(item) for key, item in value.items()
        ) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump_json(item) for item in value) + "]"
    return json.dumps(value)


def _preview(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")
