"""A record of every AWS request made through botocore in this process, for the contract tests
(tests/test_notebook_requests.py): which operations a notebook calls, with which parameters."""
from __future__ import annotations

import json
from pathlib import Path

_EVENT = "before-parameter-build"


def _json_safe(value):
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return f"<{type(value).__name__}>"


def install(path: str | Path) -> None:
    """Append one JSON line per request (service, operation, params) to `path`, for every client created from now on."""
    import botocore.handlers

    target = Path(path)

    def record(params, model, **_):
        entry = {"service": model.service_model.service_name, "operation": model.name, "params": _json_safe(params)}
        with open(target, "a") as out:
            out.write(json.dumps(entry) + "\n")

    botocore.handlers.BUILTIN_HANDLERS.append((_EVENT, record))


def read(path: str | Path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
