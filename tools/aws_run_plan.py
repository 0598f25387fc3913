"""Write docs/aws-run-plan.md (`make run-plan`): per notebook, the jobs it starts on AWS, their instances, minutes and
cost, generated from the requests each notebook makes when run offline (recorded by sagemaker_offline.request_log).

A request counts for AWS unless its cell runs only offline (every statement of the cell, imports aside, is
`if course.offline:`), and the course model's training job counts only in notebook 01: on AWS the other notebooks
reuse it (helpers/course/models.py, course_model_data). tests/test_notebook_requests.py checks the committed file against
the requests it records.
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.connection.aws import costs  # noqa: E402
from helpers.connection.names import DEFAULT_INSTANCE_TYPE  # noqa: E402
from helpers.course.index import course_notebooks  # noqa: E402
from helpers.course.models import COURSE_JOB_PREFIX  # noqa: E402

PLAN_FILE = ROOT / "docs" / "aws-run-plan.md"
FIRST_NOTEBOOK = "01_prepare_and_train.ipynb"
JOB_OPERATIONS = {"CreateTrainingJob": "training", "CreateTransformJob": "transform", "CreateEndpoint": "endpoint"}
# Wall-clock minutes per job, provisioning included: the kit's cost-notice budgets (helpers/connection/aws/costs.py DEFAULT_MINUTES,
# data/prices.md), which are assumptions. The one real figure found: a public lesson's built-in XGBoost fit on
# 1 x ml.m5.large took 197.5 s of wall time, 135 billable seconds (Carpentries Incubator, "Training Models in
# SageMaker: Intro", output of 2024-11-03). AWS publishes no start-up time for transform jobs (data/latency.md).
MINUTES = dict(costs.DEFAULT_MINUTES)
# An endpoint bills from CreateEndpoint to DeleteEndpoint: data/latency.csv's endpoint_creation_minutes (8, an
# assumption) plus about 2 minutes of notebook 07's requests before it deletes it.
MINUTES["endpoint"] = 10
MINUTES_SOURCE = ("assumption: the kit's budget per job, provisioning included (helpers/connection/aws/costs.py DEFAULT_MINUTES, "
                  "data/prices.md and data/latency.md); a real built-in XGBoost training job of a public lesson took "
                  "3.3 minutes of wall time (197.5 s, 135 s billed, 2024-11-03)")


@dataclass(frozen=True)
class PlannedJob:
    """One job a notebook starts on AWS, as its Create* request describes it."""

    kind: str  # training, transform or endpoint
    name: str
    instance_type: str
    instance_count: int
    cell: str | None  # request_log.cell_id of the cell that starts it
    number: int = 0  # its row in the notebook's table, from 1
    needs: tuple[str, ...] = ()  # what it reads: earlier rows ("#2") or notebook 01's course model ("01")
    after: tuple[str, ...] = ()  # the rows the notebook waited for or read before it started this one
    solution: bool = False  # started in a solution cell: after the steps by design (the skeleton puts them last)

    @property
    def minutes(self) -> int:
        return MINUTES[self.kind]

    @property
    def cost(self) -> float:
        return costs.estimate_job_cost(self.instance_type, self.instance_count, self.minutes, self.kind)


def offline_only_cells(notebook) -> set[str]:
    """Fingerprints (request_log.cell_id) of the cells that run only offline (`if course.offline:` around all)."""
    from sagemaker_offline.request_log import cell_id

    counts = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            body = ast.parse(cell.source.replace("%xmode Minimal", "")).body
        except SyntaxError:
            continue
        statements = [s for s in body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        if statements and all(isinstance(s, ast.If) and ast.unparse(s.test) == "course.offline" for s in statements):
            counts.add(cell_id(cell.source))
    return counts


def _refused(request: dict) -> bool:
    """True when SageMaker refuses the request before anything starts (03's and 08's lesson name `my_job`)."""
    import botocore.session
    from botocore.validate import ParamValidator

    from sagemaker_offline.validation import validate_request

    shape = botocore.session.get_session().get_service_model("sagemaker").operation_model(request["operation"])
    if ParamValidator().validate(request["params"], shape.input_shape).has_errors():
        return True
    try:
        validate_request(request["operation"], request["params"])
    except Exception:  # the create-time rules SageMaker applies (name patterns, enums, ranges)
        return True
    return False


def solution_cells(notebook) -> set[str]:
    """Fingerprints (request_log.cell_id) of the cells tagged `solution`."""
    from sagemaker_offline.request_log import cell_id

    return {cell_id(cell.source) for cell in notebook.cells
            if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", [])}


def planned_jobs(notebook_file: str, requests: list[dict], offline_cells: set[str],
                 solutions: set[str] = frozenset()) -> list[PlannedJob]:
    """The jobs of `requests` that would start on AWS, in order, each with what it needs and what the notebook
    waited for before starting it (see JobFlow)."""
    jobs = []
    flow = JobFlow()
    endpoint_configs: dict[str, list] = {}  # CreateEndpoint names only its config: the instances are in the config
    for request in requests:
        flow.see(request)
        if request["operation"] == "CreateEndpointConfig":
            endpoint_configs[request["params"].get("EndpointConfigName", "")] = request["params"].get(
                "ProductionVariants") or []
        kind = JOB_OPERATIONS.get(request["operation"])
        if kind is None or request.get("cell") in offline_cells or _refused(request):
            continue
        params = request["params"]
        if kind == "training":
            name = params["TrainingJobName"]
            if name.startswith(COURSE_JOB_PREFIX) and notebook_file != FIRST_NOTEBOOK:
                flow.course_model(request)  # on AWS the course model of notebook 01 is reused
                continue
            resources = params["ResourceConfig"]
        elif kind == "endpoint":
            variant = (endpoint_configs.get(params["EndpointConfigName"]) or [{}])[0]
            if not variant.get("InstanceType"):
                continue  # serverless: no instances, billed per request
            name = params["EndpointName"]
            resources = {"InstanceType": variant["InstanceType"],
                         "InstanceCount": int(variant.get("InitialInstanceCount") or 1)}
        else:
            name, resources = params["TransformJobName"], params["TransformResources"]
        number = len(jobs) + 1
        needs, after = flow.start(f"#{number}", kind, request, endpoint_configs)
        jobs.append(PlannedJob(kind, _stable_name(name), resources["InstanceType"], resources["InstanceCount"],
                               request.get("cell"), number, needs, after, request.get("cell") in solutions))
    return jobs


class JobFlow:
    """Which earlier jobs a job needs, and which the notebook waited for before starting it, from the requests alone.

    A job needs another when it reads what that one wrote: its input, its model's artifact or an object the notebook
    uploaded after reading that job's output (the cautious reading: the kernel may have made the upload from it). It
    needs notebook 01 ("01") when it reads the course model. The notebook waited for a job before starting another
    when, in between, it asked about it (Describe*, waiters, its log streams) or read its output."""

    _NAMES = ("TrainingJobName", "TransformJobName", "EndpointName")

    def __init__(self):
        self.outputs: list[tuple[str, str]] = []  # (label, S3 prefix the job writes under)
        self.names: dict[str, str] = {}  # job name -> label
        self.models: dict[str, list[str]] = {}  # model name -> its artifacts
        self.uploads: list[tuple[str, frozenset]] = []  # (s3 uri, labels read before it was uploaded)
        self.seen: set[str] = set()  # labels the notebook asked about or read so far
        self.read: set[str] = set()  # labels whose output the notebook read so far

    def course_model(self, request: dict) -> None:
        params = request["params"]
        self.outputs.append(("01", f"{params['OutputDataConfig']['S3OutputPath'].rstrip('/')}/"
                                   f"{params['TrainingJobName']}/"))

    def see(self, request: dict) -> None:
        """Follow one request: models, uploads, and what the notebook looked at."""
        params, operation = request["params"], request["operation"]
        if operation == "CreateModel":
            containers = [params.get("PrimaryContainer") or {}] + list(params.get("Containers") or [])
            self.models[params.get("ModelName", "")] = [c["ModelDataUrl"] for c in containers if c.get("ModelDataUrl")]
        elif operation.startswith(("Describe", "Stop")) or operation in ("GetLogEvents", "DescribeLogStreams",
                                                                         "FilterLogEvents"):
            named = [params.get(key) for key in self._NAMES] + [params.get("logStreamNamePrefix"),
                                                               params.get("logStreamName")]
            for name in filter(None, named):
                label = self.names.get(name) or self.names.get(str(name).split("/")[0])
                if label:
                    self.seen.add(label)
        elif request["service"] == "s3" and "Bucket" in params:
            uri = f"s3://{params['Bucket']}/{params.get('Key') or params.get('Prefix') or ''}"
            if operation in ("PutObject", "CreateMultipartUpload", "CopyObject"):
                self.uploads.append((uri, frozenset(self.read)))
            elif operation.startswith(("Get", "Head", "List")):
                self.read |= {label for label, prefix in self.outputs if uri.startswith(prefix) and label != "01"}
                self.seen |= self.read

    def start(self, label: str, kind: str, request: dict, endpoint_configs: dict) -> tuple[tuple, tuple]:
        """Register a new job; return (what it needs, what the notebook waited for before it)."""
        params = request["params"]
        if kind == "training":
            sources = [c["DataSource"]["S3DataSource"]["S3Uri"] for c in params.get("InputDataConfig") or []]
            output = f"{params['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{params['TrainingJobName']}/"
            name = params["TrainingJobName"]
        elif kind == "transform":
            sources = [params["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"],
                       *self.models.get(params["ModelName"], [])]
            output = params["TransformOutput"]["S3OutputPath"].rstrip("/") + "/"
            name = params["TransformJobName"]
        else:
            variants = endpoint_configs.get(params["EndpointConfigName"]) or []
            sources = [uri for v in variants for uri in self.models.get(v.get("ModelName", ""), [])]
            output, name = None, params["EndpointName"]
        needs = set()
        for source in sources:
            needs |= {other for other, prefix in self.outputs if source.startswith(prefix) or prefix.startswith(source)}
            for uri, made_from in self.uploads:
                if uri.startswith(source):
                    needs |= made_from
        after = tuple(sorted(self.seen, key=_label_order))
        self.names[name] = label
        if output:
            self.outputs.append((label, output))
        return tuple(sorted(needs, key=_label_order)), after


def _label_order(label: str) -> int:
    return 0 if label == "01" else int(label.lstrip("#"))


def _stable_name(name: str) -> str:
    """The job name without its timestamp suffix (name_from_base appends -YYYY-MM-DD-HH-MM-SS-mmm,
    unique_name_from_base -<epoch>-<4 hex digits>)."""
    from helpers.connection.names import RECORDED_LEARNER

    name = name.replace(f"-{RECORDED_LEARNER}-", "-<learner>-")  # course.named(): each learner's id in their names
    unique = re.fullmatch(r"(.+)-\d{10}-[0-9a-f]{4}", name)
    if unique:
        return unique.group(1) + "-…"
    parts = name.split("-")
    return "-".join(parts[:-7]) + "-…" if len(parts) > 7 and all(p.isdigit() for p in parts[-7:]) else name


def schedule(jobs: list[PlannedJob], parallel: bool) -> dict[int, tuple[int, int]]:
    """Minute each job starts and ends, the notebook's first cell at 0 and the course model ready: `parallel` starts
    each job as soon as what it needs has ended; otherwise also after what the notebook waits for first."""
    ends = {"01": 0}
    times = {}
    for job in jobs:
        waits = set(job.needs) if parallel else set(job.needs) | set(job.after)
        start = max((ends[label] for label in waits), default=0)
        times[job.number] = (start, start + job.minutes)
        ends[f"#{job.number}"] = start + job.minutes
    return times


def wall_minutes(jobs: list[PlannedJob], parallel: bool) -> int:
    """Minutes from the notebook's first job to its last job's end (its cells' own seconds aside)."""
    return max((end for _, end in schedule(jobs, parallel).values()), default=0)


@dataclass(frozen=True)
class Pass:
    """A set of notebooks run on AWS: notebook 01 first (the others reuse its model), then the rest side by side,
    each in its own kernel; 99 (no jobs) last."""

    notebooks: tuple[str, ...]

    def minutes(self, sections: dict[str, list[PlannedJob]], parallel: bool) -> int:
        first = wall_minutes(sections.get(FIRST_NOTEBOOK, []), parallel) if FIRST_NOTEBOOK in self.notebooks else 0
        rest = [wall_minutes(sections[name], parallel) for name in self.notebooks if name != FIRST_NOTEBOOK]
        return first + max(rest, default=0)

    def one_at_a_time(self, sections: dict[str, list[PlannedJob]], parallel: bool) -> int:
        return sum(wall_minutes(sections[name], parallel) for name in self.notebooks)

    def peak_instances(self, sections: dict[str, list[PlannedJob]]) -> int:
        """Most instances running at once in the side-by-side, dependency-aware schedule (quotas limit them)."""
        offset = wall_minutes(sections.get(FIRST_NOTEBOOK, []), True) if FIRST_NOTEBOOK in self.notebooks else 0
        spans = []
        for name in self.notebooks:
            shift = 0 if name == FIRST_NOTEBOOK else offset
            for job in sections[name]:
                start, end = schedule(sections[name], True)[job.number]
                spans.append((shift + start, shift + end, job.instance_count))
        return max((sum(n for s, e, n in spans if s <= t < e) for t, _, _ in spans), default=0)

    def cost(self, sections: dict[str, list[PlannedJob]]) -> float:
        return sum(job.cost for name in self.notebooks for job in sections[name])

    def jobs(self, sections: dict[str, list[PlannedJob]]) -> int:
        return sum(len(sections[name]) for name in self.notebooks)


# The instructor's short path on AWS: the course model (01), then the lesson's SDK demo (02) and the console's job (08)
# side by side; docs/instructor-guide.md runs the rest offline.
INSTRUCTOR_PATH = ("01_prepare_and_train.ipynb", "02_batch_transform_sdk.ipynb", "08_console_walkthrough.ipynb")
TARGET_MINUTES = {"full": 45, "instructor": 20}


def render_notebook(notebook_file: str, jobs: list[PlannedJob]) -> str:
    """The plan's section for one notebook: a table of its AWS jobs, what each needs, and its schedule."""
    lines = [f"### {notebook_file}", ""]
    if not jobs:
        lines += ["No job: nothing starts on AWS (models and S3 objects only, which cost nothing or fractions of a "
                  "cent).", ""]
        return "\n".join(lines)
    written, parallel = schedule(jobs, False), schedule(jobs, True)
    lines += ["| # | job | kind | instances | minutes | cost (USD) | needs | waited for first | "
              "starts (as written) | starts (independent jobs at once) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for job in jobs:
        lines.append(f"| {job.number} | `{job.name}`{' (solution)' if job.solution else ''} | {job.kind} | {job.instance_count} x {job.instance_type} | "
                     f"{job.minutes} | {job.cost:.3f}{_mark(job)} | {_labels(job.needs)} | {_labels(job.after)} | "
                     f"{written[job.number][0]} | {parallel[job.number][0]} |")
    lines += [f"| **total** | {len(jobs)} job(s) | | | **{sum(j.minutes for j in jobs)}** | "
              f"**{sum(j.cost for j in jobs):.3f}** | | | **{wall_minutes(jobs, False)}** | "
              f"**{wall_minutes(jobs, True)}** |", ""]
    return "\n".join(lines)


def _labels(labels: tuple[str, ...]) -> str:
    return ", ".join("notebook 01" if label == "01" else label for label in labels) or "–"


def _mark(job: PlannedJob) -> str:
    return "" if costs.price_status(job.instance_type, job.kind) == "verified" else " †"


def render(sections: dict[str, list[PlannedJob]]) -> str:
    """The whole docs/aws-run-plan.md."""
    minutes = sum(j.minutes for jobs in sections.values() for j in jobs)
    cost = sum(j.cost for jobs in sections.values() for j in jobs)
    count = sum(len(jobs) for jobs in sections.values())
    full, short = Pass(tuple(sections)), Pass(tuple(n for n in INSTRUCTOR_PATH if n in sections))
    unverified = sorted({(j.instance_type, j.kind) for jobs in sections.values() for j in jobs
                         if costs.price_status(j.instance_type, j.kind) != "verified"})
    head = [
        "# AWS run plan: what a full pass of the course starts on AWS",
        "",
        "Generated by `make run-plan` (tools/aws_run_plan.py) from the requests every notebook makes when it runs "
        "offline; `tests/test_notebook_requests.py` fails when this file no longer matches them. Do not edit by hand.",
        "",
        "## How long, and what it costs",
        "",
        f"Costs are on-demand **{costs.PRICE_REGION}** prices from data/prices.csv "
        f"({costs.price_dates()}); † marks a cost that rests on a price the kit could not verify "
        f"({', '.join(f'{t} {k}' for t, k in unverified) or 'none'}; the reasons are in data/prices.md).",
        "",
        "| pass | jobs | cost (USD) | one notebook at a time, as written | side by side, as written | "
        "side by side, independent jobs at once | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, run, target in (("full pass (01-08, 99)", full, TARGET_MINUTES["full"]),
                               ("instructor's short path (" + ", ".join(n[:2] for n in short.notebooks) + ")",
                                short, TARGET_MINUTES["instructor"])):
        head.append(f"| {label} | {run.jobs(sections)} | {run.cost(sections):.2f}{' †' if unverified else ''} | "
                    f"{run.one_at_a_time(sections, False)} min | {run.minutes(sections, False)} min | "
                    f"**{run.minutes(sections, True)} min** | at most {target} min |")
    head += [
        "",
        "- *As written*: each notebook starts a job only after the jobs it waited for first (column *waited for first* "
        "below); *independent jobs at once*: each job starts as soon as the jobs it needs have ended (column *needs*), "
        "the schedule a notebook follows when it starts its independent jobs together and waits for them once.",
        "- *Side by side*: notebook 01 first (the others reuse its model), then the others at the same time, each in "
        "its own kernel (e.g. one JupyterLab tab each), and 99 last. One notebook at a time is the sum of their own "
        "times.",
        f"- At most {full.peak_instances(sections)} instances run at once in the full pass side by side "
        f"({short.peak_instances(sections)} in the short path). Your account's SageMaker quotas limit instances per "
        "type and use; a job over a quota is refused with `ResourceLimitExceeded` "
        "(<https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTransformJob.html>), so a new "
        "account may need to run some notebooks one after another.",
        "- Both tracks: the plan is made from the SDK v2 track's requests (notebooks/); the SDK v3 track "
        "(notebooks/sdk-v3/) starts the same jobs for the same minutes, notebook by notebook (tests/test_notebook_requests.py "
        "checks each v3 notebook against its row here).",
        "- A request SageMaker refuses (the lesson's job name `my_job` in 03) starts nothing and is left out.",
        "- A cell that runs only offline (`if course.offline:` around all of it, e.g. the exercises' \"extra code – "
        "offline only\" cells) starts nothing on AWS and is left out.",
        f"- The course model's training job (`{COURSE_JOB_PREFIX}-…`) runs in notebook 01 only: on AWS the later "
        "notebooks reuse the newest one (helpers/course/models.py); *needs notebook 01* marks a job that reads it.",
        f"- Counted though often not started: on AWS notebook 06 reads notebook 02's predictions of test.csv (same "
        "model, input and records) instead of its own course-model scoring job when 02 ran first or runs beside it, "
        "and prints a line that says so (helpers/course/models.py, notebook_02_predictions); then the pass has one "
        f"transform job less ({MINUTES['transform']} minutes, "
        f"${costs.estimate_job_cost(DEFAULT_INSTANCE_TYPE, 1, MINUTES['transform'], 'transform'):.3f}) and the "
        "same wall time (that job is not on 06's longest chain).",
        "- A job *needs* an earlier one when it reads what that one wrote: its input, its model's artifact, or an "
        "object the notebook uploaded after reading the earlier job's output (counted cautiously: the upload may "
        "have been made from it). The notebook *waited for* a job before the next when, in between, it asked about "
        "it (describe, waiter, log streams) or read its output.",
        f"- Minutes per job, provisioning included: {MINUTES['training']} for a training job and "
        f"{MINUTES['transform']} for a transform job ({MINUTES_SOURCE}). A failed job is counted like a "
        "successful one: its instance started before it failed.",
        f"- A real-time endpoint (notebook 07) counts {MINUTES['endpoint']} minutes, from CreateEndpoint to the "
        "DeleteEndpoint a few cells later: data/latency.csv's 8 minutes of creation (an assumption) and about 2 of use; "
        "it bills at the endpoint price.",
        f"- Cost: each job rounded up to whole minutes, at least one (helpers/connection/aws/costs.py); S3, "
        "CloudWatch Logs and the Studio or notebook instance you work in are not included.",
        "",
        "## Total of a full pass (notebooks 01-08 and 99)",
        "",
        f"**{count} jobs, about {minutes} minutes of jobs (instance time), about ${cost:.2f} "
        f"({costs.PRICE_REGION}{', † unverified prices' if unverified else ''}).**",
        "",
        "| notebook | jobs | minutes | cost (USD) | wall, as written | wall, independent jobs at once |",
        "|---|---|---|---|---|---|",
    ]
    for notebook_file, jobs in sections.items():
        head.append(f"| {notebook_file} | {len(jobs)} | {sum(j.minutes for j in jobs)} | "
                    f"{sum(j.cost for j in jobs):.3f} | {wall_minutes(jobs, False)} | {wall_minutes(jobs, True)} |")
    head += ["", "## Per notebook", ""]
    return "\n".join(head + [render_notebook(name, jobs) for name, jobs in sections.items()]).rstrip() + "\n"


def record(path: Path, log: Path) -> tuple[list[dict], set[str], set[str]]:
    """Run one notebook offline with the request recorder; return its requests, its offline-only cells and its
    solution cells."""
    import nbformat
    from nbclient import NotebookClient

    from sagemaker_offline import request_log

    notebook = nbformat.read(path, as_version=4)
    recorder = nbformat.v4.new_code_cell(f"import sagemaker_offline.request_log as _log\n_log.install({str(log)!r})")
    notebook.cells.insert(0, recorder)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return request_log.read(log), offline_only_cells(notebook), solution_cells(notebook)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/aws-run-plan.md is out of date")
    args = parser.parse_args()
    os.environ["COURSE_BACKEND"] = "offline"
    from helpers.connection.names import record_settings

    record_settings()  # the plan is of the default instance type
    sections = {}
    with tempfile.TemporaryDirectory() as folder:
        for entry in [nb for nb in course_notebooks("v2") if nb.get("style", "course") == "course"]:  # the course pass
            recorded = record(ROOT / "notebooks" / entry["file"], Path(folder) / f"{entry['file']}.jsonl")
            sections[entry["file"]] = planned_jobs(entry["file"], *recorded)
            print(f"{entry['file']}: {len(sections[entry['file']])} job(s) on AWS", flush=True)
    text = render(sections)
    if args.check:
        same = PLAN_FILE.exists() and PLAN_FILE.read_text() == text
        print("docs/aws-run-plan.md is up to date." if same else "docs/aws-run-plan.md is out of date: make run-plan.")
        return 0 if same else 1
    PLAN_FILE.write_text(text)
    print(f"wrote {PLAN_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
