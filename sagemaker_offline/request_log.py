"""A record of every AWS request made through botocore in this process, for the contract tests
(tests/test_notebook_requests.py) and the AWS run plan (tools/aws_run_plan.py): which operations a notebook calls,
with which parameters, from which cell."""
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
    """Append one JSON line per request (service, operation, params, cell) to `path`, for every client created from
    now on; `cell` is cell_id(source) of the notebook cell making the request (None outside a kernel)."""
    import botocore.handlers

    target = Path(path)
    current = {"cell": None}
    shell = _shell()
    if shell is not None:
        shell.events.register("pre_run_cell", lambda info: current.update(cell=cell_id(info.raw_cell)))

    def write(service: str, operation: str, params: dict) -> None:
        entry = {"service": service, "operation": operation, "params": _json_safe(params), "cell": current["cell"]}
        with open(target, "a") as out:
            out.write(json.dumps(entry) + "\n")

    def record(params, model, **_):
        write(model.service_model.service_name, model.name, params)

    botocore.handlers.BUILTIN_HANDLERS.append((_EVENT, record))
    _other_processes.append(write)


# Recorders for requests that reach the offline AWS through its loopback server: the AWS CLI of a `!aws` cell runs
# in its own process, where the hook above cannot see it (sagemaker_offline/jobs.py reports the SageMaker operations
# the runtime handles, with the cell that started the command).
_other_processes: list = []


def record_other_process(service: str, operation: str, params: dict) -> None:
    for write in _other_processes:
        write(service, operation, params)


def cell_id(source: str) -> str:
    """A short fingerprint of a cell's source, to tell which cell made a request."""
    import hashlib

    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:12]


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def read(path: str | Path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
