"""One transform instance, as processes: the instance's agent cuts each assigned object into mini-batches, keeps up
to MaxConcurrentTransforms requests in flight, and writes the `.out` in input order only when every batch succeeded;
the container's workers (one process each, like the built-in container's gunicorn workers) serve the requests.

Workers read their mini-batch straight from the instance's local copy of the object (offset and length), so a batch's
bytes are never pickled between processes; only the container's response travels back to the agent.
"""
from __future__ import annotations

import gzip
import os
import queue as queue_module
import resource
import shutil
import time
import traceback
from pathlib import Path

from sagemaker_offline.records import RecordTooLarge, record_count, spans


STARTUP_SECONDS = 120  # how long the agent waits for each worker's first GET /ping


class AlgorithmError(Exception):
    """The container answered a request with an error status; carries the status and its message."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status, self.message = status, message


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _make_call(server, spec: dict):
    """The function that sends one mini-batch to the container and returns the bytes the `.out` gets for it."""
    content_type, accept = spec["content_type"], spec["accept"]
    assemble_line = spec["assemble_with"] == "Line"
    processing = None
    if spec.get("data_processing"):
        from sagemaker_offline.data_processing import DataProcessing

        processing = DataProcessing.from_request(spec["data_processing"])

    def call(body: bytes) -> bytes:
        request = body
        if processing is not None:
            records = body.split(b"\n")
            if records and records[-1] == b"":
                records.pop()
            records = [r[:-1] if r.endswith(b"\r") else r for r in records]
            if processing.filters_input:
                request = processing.filter_input(records, content_type)
        response = server.invocations(request, content_type, accept)
        if response.status not in (200, 204):
            raise AlgorithmError(response.status, response.body.decode("utf-8", "replace"))
        out = response.body
        size = len(out)
        if processing is not None and processing.processes_output:
            out = b"\n".join(processing.process_output(records, out, content_type, accept or "")) + b"\n"
        if assemble_line and out and not out.endswith(b"\n"):
            out += b"\n"  # the kit's decision: every record ends with exactly one newline, never a blank line
        return out, size

    return call


# -- a container worker ---------------------------------------------------------------------------------------------
def make_server(spec: dict, log):
    """The container the worker serves: built-in XGBoost, or (spec["containers"]) a script-mode container or an
    inference pipeline of several (sagemaker_offline/script_container.py)."""
    from sagemaker_offline.xgboost_container import NO_GPUS, XGBoostServer

    containers = spec.get("containers")
    if not containers:
        server = XGBoostServer(spec["model_dir"], spec["image"], spec["environ"], log=log)
        log(NO_GPUS)
        return server
    from sagemaker_offline.script_container import PipelineServer, ScriptServer

    servers = []
    for n, c in enumerate(containers):
        if c["kind"] == "script":
            servers.append(ScriptServer(c["framework"], c["model_dir"], c["code_dir"], c["program"], c["environ"],
                                        log=log, unique=str(n)))
        else:
            servers.append(XGBoostServer(c["model_dir"], c["image"], c["environ"], log=log))
    return servers[0] if len(servers) == 1 else PipelineServer(servers, [c["name"] for c in containers])


def run_worker(spec: dict, tasks, results, messages) -> None:
    """A container worker process: loads the model (GET /ping), then answers POST /invocations for its instance.
    Each answer carries the container's log lines for that request and nginx's access line, as logs.render takes them."""
    index = spec["index"]
    events: list[tuple] = []
    log = lambda message, level="INFO": events.append(("container", level, message))  # noqa: E731
    try:
        server = make_server(spec, log)
        ping = server.ping()
        events.append(("access", "GET", "/ping", ping.status, len(ping.body)))
        if ping.status != 200:
            results.put(("ready", False, "the model could not be loaded (GET /ping answered 500)", events))
            return
        call = _make_call(server, spec)
    except Exception as exc:  # the container could not start: the agent fails this instance's objects
        log("".join(traceback.format_exception_only(type(exc), exc)).strip(), "ERROR")
        results.put(("ready", False, "the container did not start", events))
        return
    results.put(("ready", True, "", events))
    handle, handle_path = None, None
    for task in iter(tasks.get, None):
        n, number, path, offset, length = task
        events = []
        try:
            if path != handle_path:
                if handle is not None:
                    handle.close()
                handle, handle_path = open(path, "rb"), path
            body = os.pread(handle.fileno(), length, offset)
            started = time.time()
            out, size = call(body)
            events.append(("access", "POST", "/invocations", 200 if size else 204, size))
            results.put(("result", n, number, out, record_count(body, spec["split_type"]), length, started,
                         time.time(), events))
        except AlgorithmError as exc:
            events.append(("access", "POST", "/invocations", exc.status, len(exc.message.encode())))
            results.put(("error", n, number, exc.status, exc.message, events))
        except Exception as exc:  # a bug or unreadable data: reported like a container that gave no response
            log("".join(traceback.format_exception_only(type(exc), exc)).strip(), "ERROR")
            results.put(("error", n, number, None, f"{type(exc).__name__}: {exc}", events))
    if handle is not None:
        handle.close()
    results.put(("memory", _peak_mb()))


# -- the instance's agent -------------------------------------------------------------------------------------------
def run_instance(spec: dict, inbox, tasks, results, messages) -> None:
    """The agent of one instance: takes its objects from `inbox` as the job downloads them; reports to `messages`.
    What it reports first is SageMaker's GET /ping and GET /execution-parameters (the job wrote the container's
    start-up), then each request, and after the first answer the data-log's line of the parameters in force."""
    index, workers = spec["index"], spec["workers"]
    log = lambda *events: messages.put(("log", index, list(events)))  # noqa: E731 - a one-line sender
    failure, first_events = None, None
    for _ in range(workers):
        try:
            _, ok, reason, events = results.get(timeout=STARTUP_SECONDS)
        except queue_module.Empty:
            ok, reason, events = False, f"a worker did not answer GET /ping within {STARTUP_SECONDS} s", []
        if first_events is None or (not ok and failure is None):
            first_events = events  # SageMaker pings the server once; one worker's answer is what it logs
        if not ok and failure is None:
            failure = reason
    log(*(first_events or []))
    if failure is None:
        log(("access", "GET", "/execution-parameters", spec.get("execution_parameters_status", 200),
             spec["execution_parameters_size"]))
    # the agent's data-log line of the parameters in force: written once its first request has been answered (in
    # tests/reference/aws/transform-1.0-1-sdk2-2024-wait.txt it comes after the first POST /invocations)
    spec = dict(spec, parameters_pending=[("data", spec["parameters_line"])])
    for item in iter(inbox.get, None):
        if failure is not None:
            messages.put(("failed", index, item["n"], f"ping: {failure}", []))
            continue
        try:
            _transform_object(spec, item, tasks, results, messages)
        except Exception as exc:  # a runtime bug must fail the object, never hang the job
            log(("container", "ERROR", "".join(traceback.format_exception_only(type(exc), exc)).strip()))
            messages.put(("failed", index, item["n"], f"{type(exc).__name__}: {exc}",
                          [f"{item['label']}: Unable to get response from algorithm"]))
    for _ in range(workers):
        tasks.put(None)
    peak = _peak_mb()
    if failure is None:
        for _ in range(workers):
            try:
                message = results.get(timeout=10)
            except Exception:  # a worker that died reports nothing; the figure is then a lower bound
                break
            if message[0] == "memory":
                peak += message[1]
    messages.put(("memory", index, peak))


def _transform_object(spec: dict, item: dict, tasks, results, messages) -> None:
    """Send one object's mini-batches to the workers and assemble the `.out` in input order."""
    index, n, label = spec["index"], item["n"], item["label"]
    path = item["path"]
    if spec["compression"] == "Gzip":  # each object is decompressed before it is split
        plain = path + ".raw"
        with gzip.open(path, "rb") as source, open(plain, "wb") as target:
            shutil.copyfileobj(source, target, 4 * 1024 * 1024)
        os.remove(path)
        path = plain
    out_path = Path(item["out_path"])
    partial = out_path.with_name(out_path.name + ".partial")
    pending: dict[int, tuple] = {}  # results that came back before an earlier batch
    in_flight, next_to_send, next_to_write = 0, 0, 0
    error = None  # (reason, data-log lines) of the first failure
    with open(path, "rb") as stream, open(partial, "wb") as out:
        batches = spans(stream, spec["split_type"], spec["multi"], spec["limit"])
        exhausted = False
        while True:
            while not exhausted and error is None and in_flight < spec["concurrency"]:
                try:
                    offset, length = next(batches)
                except StopIteration:
                    exhausted = True
                    break
                except RecordTooLarge as exc:
                    error = (str(exc), [f"{label}: {exc}"])
                    break
                except ValueError as exc:  # framing that is not what SplitType says
                    error = (str(exc), [f"{label}: {exc}"])
                    break
                tasks.put((n, next_to_send, path, offset, length))
                next_to_send += 1
                in_flight += 1
            if in_flight == 0:
                break
            try:
                message = results.get(timeout=spec.get("invocation_timeout", 600))
            except queue_module.Empty:  # ModelClientConfig.InvocationsTimeoutInSeconds passed without an answer
                error = error or ("the algorithm did not answer within InvocationsTimeoutInSeconds",
                                  [f"{label}: Unable to get response from algorithm"])
                break
            if message[0] in ("result", "error"):
                # the container's lines for this request, then (once) the agent's parameters line
                messages.put(("log", index, list(message[-1]) + spec["parameters_pending"]))
                spec["parameters_pending"].clear()
            if message[1] != n:  # a late answer for an object that already ended
                continue
            in_flight -= 1
            if message[0] == "error" and error is None:
                _, _, _, status, text, _events = message
                if status is None:
                    error = (text, [f"{label}: Unable to get response from algorithm"])
                else:
                    # the data-log of a rejected object (tests/reference/aws/datalog-failure-issue898-2019.txt)
                    lines = [f"{label}: ClientError: {status}", f"{label}:",
                             f"{label}: Message:"] + [f"{label}: {line}" for line in text.splitlines()]
                    error = (f"the algorithm answered HTTP {status}: {text.strip()[:300]}", lines)
            elif message[0] == "result" and error is None:
                pending[message[2]] = message
                while next_to_write in pending:
                    _, _, number, body, records, size, started, finished, _events = pending.pop(next_to_write)
                    out.write(body)
                    messages.put(("batch", index, n, number, records, size, started, finished))
                    next_to_write += 1
    os.remove(path)  # the instance's copy of the input is no longer needed
    if error is not None:
        partial.unlink(missing_ok=True)
        messages.put(("failed", index, n, error[0], error[1]))
    else:
        os.replace(partial, out_path)
        messages.put(("done", index, n, str(out_path)))
