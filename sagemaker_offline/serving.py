"""An endpoint instance's serving process: the built-in XGBoost container (xgboost_container.XGBoostServer, without
SAGEMAKER_BATCH) loads the model at its first GET /ping and then answers POST /invocations, one request at a time,
for sagemaker_offline/endpoints.py. Started from the runtime's fork server, so it ends with the kernel that started it."""
from __future__ import annotations

import time
import traceback


def run_serving(spec: dict, conn) -> None:
    """The process body. Sends ("ready", ok, events) once, then for each (body, content_type, accept) it receives,
    (status, body, content_type, events, seconds); ends on None or when the kernel's end of the pipe closes."""
    events: list[tuple] = []
    log = lambda message, level="INFO": events.append(("container", level, message))  # noqa: E731
    try:
        from sagemaker_offline.xgboost_container import NO_GPUS, XGBoostServer

        server = XGBoostServer(spec["model_dir"], spec["image"], spec["environ"], log=log, cpu_count=spec["vcpus"])
        log(NO_GPUS)  # a gunicorn worker's first request is preceded by its GPU check (sagemaker_containers)
        ping = server.ping()
        events.append(("endpoint-access", "GET", "/ping", ping.status, len(ping.body)))
        ok = ping.status == 200
    except Exception as exc:  # the container could not start
        log("".join(traceback.format_exception_only(type(exc), exc)).strip(), "ERROR")
        ok = False
    conn.send(("ready", ok, events))
    if not ok:
        return
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        body, content_type, accept = request
        events = []
        started = time.perf_counter()
        response = server.invocations(body, content_type, accept)
        seconds = time.perf_counter() - started
        events.append(("endpoint-access", "POST", "/invocations", response.status, len(response.body)))
        conn.send((response.status, response.body, response.content_type, events, seconds))
