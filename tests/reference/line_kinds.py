"""Classify transcript lines (SDK output, CloudWatch log lines) into kinds, so the kit's offline transcripts can be
compared with real AWS transcripts (tests/reference/aws/) kind by kind, with timestamps, ids, pids and sizes masked.

API (see tests/reference/aws/README.md):
    logical_lines(lines)  -> list[str]   strip ANSI colour, split a status line the SDK joined with the next output
    masked(line)          -> str         the line with timestamps, ids, pids, addresses and numbers replaced
    line_kind(line)       -> str         the kind of one logical line ("unknown" if none matches)
    line_kinds(lines)     -> list[str]   kinds of logical_lines(lines), one per logical line
    collapsed(kinds)      -> list[str]   consecutive repeats folded into "kind x N"
    stream_index(line)    -> int | None  the SDK's stream index from the ANSI colour ColorWrap put on the line
    read_corpus(path)     -> (header: dict[str, list[str]], lines: list[str])
"""
from __future__ import annotations

import re
from pathlib import Path

# sagemaker.logs.ColorWrap._stream_colors (SDK v2): stream i of the tailer's list gets colour i % 5.
_STREAM_COLORS = [34, 35, 32, 36, 33]
_ANSI = re.compile(r"\x1b\[(\d+)m")

# SecondaryStatus line as printed by sagemaker.utils.secondary_training_status_message:
# "{LastModifiedTime:%Y-%m-%d %H:%M:%S} {Status} - {StatusMessage}", then dots while no log stream exists.
_STATUS = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (Starting|Pending|Downloading|Training|Uploading|Completed|Failed|Stopping"
    r"|Stopped|MaxRuntimeExceeded|Interrupted|MaxWaitTimeExceeded|Updating|Restarting) - (.*)$")
# The messages AWS writes, longest first so that text glued on by the SDK (end="") can be split off.
_STATUS_MESSAGES = sorted([
    "Starting the training job", "Launching requested ML instances", "Preparing the instances for training",
    "Insufficient capacity error from EC2 while launching instances, retrying!",
    "Downloading input data", "Downloading the training image",
    "Training image download completed. Training in progress", "Training in progress",
    "Uploading generated training model", "Training job completed", "Training job failed",
    "Stopping the training job", "Training job stopped",
], key=len, reverse=True)

_CONTAINER_MESSAGES = [  # (substring of the container's own message, kind suffix); first match wins
    ("No GPUs detected", "no-gpus"),
    ("nginx config:", "nginx-config"),
    ("Determined delimiter of CSV input is", "csv-delimiter"),
    ("Sniff delimiter as", "csv-sniff"),
    ("Imported framework sagemaker_xgboost_container.training", "imported-framework"),
    ("Failed to parse hyperparameter", "hyperparameter-not-json"),
    ("Running XGBoost Sagemaker in algorithm mode", "algorithm-mode"),
    ("Running standalone xgboost training", "standalone-mode"),
    ("GPU(s) available on the instance", "gpu-count"),
    ("of input files", "file-path-input"),
    ("Making smlinks", "making-symlinks"),
    ("creating symlink", "creating-symlink"),
    ("files path:", "files-path"),
    ("File size need to be processed", "file-size"),
    ("Single node training", "single-node"),
    ("Train matrix has", "train-matrix"),
    ("Validation matrix has", "validation-matrix"),
    ("Setting up HPO optimized metric", "hpo-metric"),
    ("Debug hook created from config", "debug-hook"),
    ("Model loaded successfully for worker", "model-loaded"),
    ("Model objective", "model-objective"),
]
# the directives of sagemaker-containers' etc/nginx.conf.template (the container prints that file at start-up)
_NGINX_BODY = re.compile(
    r"^\s*(\}|(worker_processes|daemon|pid|error_log|worker_rlimit_nofile|worker_connections|include|default_type"
    r"|access_log|server|listen|client_max_body_size|keepalive_timeout|proxy_set_header|proxy_redirect"
    r"|proxy_read_timeout|proxy_pass|return) .*;|(events|http|server|upstream \w+|location .*) \{)$")
# formats of the container's own logging
_FMT_BRACKET = re.compile(r"^\[(\d{4}-\d\d-\d\d:\d\d:\d\d:\d\d):(INFO|WARNING|ERROR|DEBUG|CRITICAL)\] (.*)$")  # 1.0-1 and later
_FMT_PYLOG = re.compile(r"^(INFO|WARNING|ERROR|DEBUG|CRITICAL):([\w.\-]+):(.*)$")  # 0.90-x training (logging default)
_GUNICORN = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4})\] \[(\d+)\] \[(\w+)\] (.*)$")
_NGINX_ACCESS = re.compile(
    r'^(\d+\.\d+\.\d+\.\d+) - (\S+) \[([^\]]+)\] "(\w+) (\S+) (HTTP/[\d.]+)" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$')
_NGINX_ERROR = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(\w+)\] \d+#\d+: (.*)$")
_DATALOG = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}):\[sagemaker logs\]: (.*)$")
_XGB_NATIVE = re.compile(r"^\[(\d\d:\d\d:\d\d)\] (.*)$")
_METRIC = re.compile(r"^\[(\d+)\]((?:#011|\t)[\w\-]+:[-\d.eE+naninf]+)+$")
_SMDEBUG = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) (\S+):(\d+) (INFO|WARNING|ERROR) ([\w.]+):(\d+)\] (.*)$")
_SDK_CREATING = re.compile(r"Creating (training-job|transform job|model|endpoint-config|endpoint) with name:? ")


def _strip_ansi(line: str) -> str:
    return _ANSI.sub("", line)


def stream_index(line: str) -> int | None:
    """The index (mod 5) of the log stream the SDK's tailer printed this line from, read from its ANSI colour."""
    m = _ANSI.match(line)
    if not m or int(m.group(1)) not in _STREAM_COLORS:
        return None
    return _STREAM_COLORS.index(int(m.group(1)))


def _split_status(line: str) -> list[str]:
    """Split "<ts> Status - Message...<next output>" into the status line and the output the SDK glued to it."""
    m = _STATUS.match(line)
    if not m:
        return [line]
    rest = m.group(3)
    for msg in _STATUS_MESSAGES:
        if rest.startswith(msg):
            tail = rest[len(msg):]
            dots = re.match(r"^\.*", tail).group(0)
            glued = tail[len(dots):]
            head = line[: len(line) - len(glued)]
            return [head, glued] if glued else [head]
    return [line]


def logical_lines(lines) -> list[str]:
    """Lines as the classifier sees them: ANSI colour removed, a status line split from the output glued to it,
    and a line of progress dots split from the first log line printed right after it."""
    out: list[str] = []
    for raw in lines:
        line = _strip_ansi(raw.rstrip("\n"))
        for part in _split_status(line):
            m = re.match(r"^(\.+)([^.\s].*)$", part)
            if m:
                out.extend([m.group(1), m.group(2)])
            else:
                out.append(part)
    return out


_MASKS = [
    (re.compile(r"\d{4}-\d\d-\d\d[ T:]\d\d:\d\d:\d\d(?:[.,]\d+)?(?: [+-]\d{4})?"), "<ts>"),
    (re.compile(r"\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}"), "<ts>"),
    (re.compile(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d"), "<ts>"),
    (re.compile(r"^\[\d\d:\d\d:\d\d\]"), "[<time>]"),
    (re.compile(r"\b\d+\.\d+\.\d+\.\d+\b"), "<ip>"),
    (re.compile(r"\bip-\d+-\d+-\d+-\d+(?:\.[\w.-]+)?(?::\d+)?"), "<host>"),
    (re.compile(r"\b[\w-]+-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-\d{3}\b"), "<job>"),
    (re.compile(r"\bi-[0-9a-f]{8,17}\b"), "<instance>"),
    (re.compile(r"\b\d{12}\b"), "<account>"),
    (re.compile(r"\[\d+\] \[(INFO|WARNING|ERROR|DEBUG|CRITICAL)\]"), r"[<pid>] [\1]"),
    (re.compile(r"(pid:? )\d+"), r"\1<pid>"),
    (re.compile(r"(gunicorn\.sock) \(\d+\)"), r"\1 (<pid>)"),
    (re.compile(r"(?<![\w<])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w>])"), "<n>"),
]


def masked(line: str) -> str:
    """The line with what differs from run to run masked: timestamps, ids, pids, addresses, sizes and numbers."""
    out = _strip_ansi(line.rstrip("\n"))
    for pattern, repl in _MASKS:
        out = pattern.sub(repl, out)
    return out


def _container_kind(message: str) -> str:
    for needle, kind in _CONTAINER_MESSAGES:
        if needle in message:
            return "container:" + kind
    return "container:other"


def line_kind(line: str, previous: str | None = None) -> str:
    """The kind of one logical line; previous is the kind of the line before (continuation lines need it)."""
    line = _strip_ansi(line)
    if line.strip() == "":
        return "sdk:blank"
    if re.fullmatch(r"\.+", line):
        return "sdk:dots"
    m = _STATUS.match(line)
    if m:
        message = m.group(3).rstrip(".")
        return f"status:{m.group(2)} - {message}"
    if line.startswith("Training seconds:"):
        return "sdk:training-seconds"
    if line.startswith("Billable seconds:"):
        return "sdk:billable-seconds"
    if line.startswith("Managed Spot Training savings:"):
        return "sdk:spot-savings"
    if re.fullmatch(r"[\w-]+: (InProgress|NoIssuesFound|IssuesFound|Error|Stopping|Stopped)", line):
        return "sdk:rule-status"  # Debugger/Profiler rule statuses the SDK prints during fit()
    if "UnexpectedStatusException" in line or line.startswith("Error for Transform job") \
            or line.startswith("Error for Training job"):
        return "sdk:unexpected-status"
    m = _SDK_CREATING.search(line)
    if m and ("sagemaker" in line or "[INFO]" in line):
        return "sdk:creating-" + m.group(1).replace(" ", "-")
    m = _DATALOG.match(line)
    if m:
        body = m.group(2)
        if body.startswith("MaxConcurrentTransforms="):
            return "datalog:execution-parameters"
        # "<bucket>/<key>: <text>" for a failed object
        obj = re.match(r"^(\S+?): ?(.*)$", body)
        text = obj.group(2) if obj else body
        if re.match(r"^(ClientError|AlgorithmError|ServerError): ?\d*", text):
            return "datalog:" + text.split(":")[0].lower().replace("error", "-error").strip("-")
        if text == "":
            return "datalog:blank"
        if text == "Message:":
            return "datalog:message"
        return "datalog:message-text"
    m = _GUNICORN.match(line)
    if m:
        msg = m.group(4)
        for needle, kind in (("Starting gunicorn", "starting"), ("Listening at", "listening"),
                             ("Using worker", "using-worker"), ("Booting worker", "booting-worker"),
                             ("Worker exiting", "worker-exiting"), ("Shutting down", "shutting-down"),
                             ("Handling signal", "handling-signal")):
            if msg.startswith(needle):
                return "gunicorn:" + kind
        return "gunicorn:other"
    m = _NGINX_ACCESS.match(line)
    if m:
        return f"nginx:{m.group(4)} {m.group(5)} {m.group(7)}"
    m = _NGINX_ERROR.match(line)
    if m:
        return "nginx-error:" + m.group(1)
    m = _SMDEBUG.match(line)
    if m:
        return "smdebug:" + m.group(5)
    m = _METRIC.match(line)
    if m:
        names = re.findall(r"(?:#011|\t)([\w\-]+):", line)
        return "metric:" + ",".join(names)
    m = _FMT_BRACKET.match(line)
    if m:
        if m.group(2) == "ERROR":
            return "container:error"
        return _container_kind(m.group(3))
    m = _FMT_PYLOG.match(line)
    if m and m.group(2) in ("sagemaker-containers", "root", "sagemaker_xgboost_container.training",
                            "sagemaker_containers"):
        return _container_kind(m.group(3))
    m = _XGB_NATIVE.match(line)
    if m:
        if "matrix with" in line and "entries loaded from" in line:
            return "xgboost:matrix-loaded"
        if "WARNING" in line:
            return "xgboost:warning"
        return "xgboost:other"
    if line.startswith("Arguments: serve") or line.startswith("Arguments: train"):
        return "container:arguments"  # the legacy 0.72 image's entry point echoes its argument
    if line == "Returning the value itself" and previous == "container:hyperparameter-not-json":
        return "container:hyperparameter-not-json-cont"
    if _NGINX_BODY.match(line):
        return "container:nginx-config-body"
    if line.startswith("Traceback (most recent call last)"):
        return "traceback:start"
    if re.match(r'^\s+File ".*", line \d+', line):
        return "traceback:frame"
    return "unknown"


def line_kinds(lines) -> list[str]:
    """The kinds of logical_lines(lines), in order."""
    kinds: list[str] = []
    prev = None
    for line in logical_lines(lines):
        prev = line_kind(line, prev)
        kinds.append(prev)
    return kinds


def collapsed(kinds, counts: bool = True) -> list[str]:
    """Consecutive equal kinds folded into one entry "kind x N" (N > 1); counts=False drops the " x N", to compare
    runs whose lengths differ for good reasons (workers per vCPU, boosting rounds)."""
    out: list[list] = []
    for k in kinds:
        k = k.split(" x ")[0] if not counts and " x " in k and k.rsplit(" x ", 1)[1].isdigit() else k
        if out and out[-1][0] == k:
            out[-1][1] += 1
        else:
            out.append([k, 1])
    return [k if n == 1 or not counts else f"{k} x {n}" for k, n in out]


def read_corpus(path) -> tuple[dict[str, list[str]], list[str]]:
    """A corpus file's header and its excerpt lines.

    The header is the leading '#' lines up to '# ---': '# key: value' (a repeated key, or a line indented by two or more
    spaces after '#', adds a line) and '# | kind' lines, collected under "kinds", that document the excerpt's collapsed kinds."""
    header: dict[str, list[str]] = {}
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    i = 0
    key = None
    while i < len(lines) and lines[i].startswith("#"):
        raw = lines[i][1:]
        text = raw.strip()
        i += 1
        if text == "---":
            break
        if text.startswith("|"):  # "# | kind": the documented order of kinds (collapsed)
            header.setdefault("kinds", []).append(text[1:].strip())
            continue
        m = re.match(r"^([a-z][a-z0-9 _-]*):\s?(.*)$", text)
        if raw.startswith("  ") and key:  # an indented line continues the previous key
            header[key].append(text)
        elif m:
            key = m.group(1)
            header.setdefault(key, []).append(m.group(2))
        elif key and text:
            header[key].append(text)
    body = lines[i:]
    if body and body[-1] == "":
        body = body[:-1]  # the file's final newline
    return header, body
