"""One transform instance, run in its own process: it starts the XGBoost container, cuts each assigned object into
mini-batches, sends up to MaxConcurrentTransforms requests at a time, and writes the `.out` only when all succeed."""
from __future__ import annotations

import os
import time
import traceback
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers.offline.records import RecordTooLarge, batches, open_object


class AlgorithmError(Exception):
    """The container answered a request with an error status; carries the status and its message."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status, self.message = status, message


def _record_count(body: bytes, split_type: str) -> int:
    if split_type == "Line":
        return body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    return 1


def _make_call(server, spec: dict):
    """The function that sends one mini-batch to the container and returns the bytes the `.out` gets for it."""
    content_type, accept = spec["content_type"], spec["accept"]
    assemble_line = spec["assemble_with"] == "Line"
    processing = None
    if spec.get("data_processing"):
        from helpers.offline.data_processing import DataProcessing

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
        if processing is not None and processing.processes_output:
            out = b"\n".join(processing.process_output(records, out, content_type, accept or "")) + b"\n"
        if assemble_line and out and not out.endswith(b"\n"):
            out += b"\n"  # the kit's decision: every record ends with exactly one newline, never a blank line
        return out

    return call


def _ordered_results(call, bodies, concurrency: int):
    """Yield (body, output, started, finished) in input order, with up to `concurrency` requests in flight."""
    if concurrency <= 1:
        for body in bodies:
            started = time.time()
            out = call(body)
            yield body, out, started, time.time()
        return

    def timed(body):
        started = time.time()
        out = call(body)
        return out, started, time.time()

    with ThreadPoolExecutor(concurrency) as pool:
        window = deque()
        for body in bodies:
            window.append((body, pool.submit(timed, body)))
            if len(window) >= concurrency * 2:
                first, future = window.popleft()
                yield (first, *future.result())
        while window:
            first, future = window.popleft()
            yield (first, *future.result())


def run_instance(spec: dict, queue) -> None:
    """Entry point of an instance process; reports to the job through `queue` and never raises."""
    index = spec["index"]
    log = lambda *lines: queue.put(("log", index, lines))  # noqa: E731 - a one-line sender
    try:
        from helpers.offline.xgboost_container import XGBoostServer

        server = XGBoostServer(spec["model_dir"], spec["image"], spec["environ"])
        log("[INFO] Starting the built-in XGBoost inference server (image "
            f"{spec['image'].repository}:{spec['image'].tag}), listening on port 8080")
        ping = server.ping()
        if ping.status != 200:
            reason = ping.body.decode("utf-8", "replace") or "the model could not be loaded"
            log(f"[ERROR] GET /ping answered {ping.status}: {reason}")
            for item in spec["objects"]:
                queue.put(("failed", index, item["n"], f"the container did not start ({reason})", []))
            return
        log(f"[INFO] Model loaded from /opt/ml/model; {spec['concurrency']} concurrent request(s) per instance")
        call = _make_call(server, spec)
    except Exception as exc:  # the container could not start: every object of this instance fails
        for item in spec["objects"]:
            queue.put(("failed", index, item["n"], f"the container did not start ({exc})", []))
        return

    for item in spec["objects"]:
        out_path = Path(item["out_path"])
        partial = out_path.with_name(out_path.name + ".partial")
        try:
            with open_object(item["path"], spec["compression"]) as stream, open(partial, "wb") as out:
                bodies = batches(stream, spec["split_type"], spec["multi"], spec["limit"])
                for number, (body, result, started, finished) in enumerate(
                        _ordered_results(call, bodies, spec["concurrency"])):
                    out.write(result)
                    queue.put(("batch", index, item["n"], number, _record_count(body, spec["split_type"]),
                               len(body), started, finished))
            os.replace(partial, out_path)
            queue.put(("done", index, item["n"], str(out_path)))
        except AlgorithmError as exc:
            partial.unlink(missing_ok=True)
            data_log = [f"{item['label']}: Bad HTTP status received from algorithm: {exc.status}", f"{item['label']}: "]
            data_log += [f"{item['label']}: Message:"] + [f"{item['label']}: {line}" for line in exc.message.splitlines()]
            log(f"[ERROR] POST /invocations answered {exc.status}: {exc.message.strip()[:500]}")
            queue.put(("failed", index, item["n"], f"the algorithm answered HTTP {exc.status}: "
                                                   f"{exc.message.strip()[:300]}", data_log))
        except RecordTooLarge as exc:
            partial.unlink(missing_ok=True)
            queue.put(("failed", index, item["n"], str(exc), [f"{item['label']}: {exc}"]))
        except Exception as exc:  # a bug or unreadable data: the object fails, the job reports it
            partial.unlink(missing_ok=True)
            log("[ERROR] " + "".join(traceback.format_exception_only(type(exc), exc)).strip())
            queue.put(("failed", index, item["n"], f"{type(exc).__name__}: {exc}",
                       [f"{item['label']}: Unable to get response from algorithm"]))
    import resource

    queue.put(("memory", index, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
