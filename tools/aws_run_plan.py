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


def planned_jobs(notebook_file: str, requests: list[dict], offline_cells: set[str]) -> list[PlannedJob]:
    """The jobs of `requests` that would start on AWS, in order."""
    jobs = []
    endpoint_configs: dict[str, list] = {}  # CreateEndpoint names only its config: the instances are in the config
    for request in requests:
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
                continue  # on AWS the course model of notebook 01 is reused
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
        jobs.append(PlannedJob(kind, _stable_name(name), resources["InstanceType"], resources["InstanceCount"],
                               request.get("cell")))
    return jobs


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


def render_notebook(notebook_file: str, jobs: list[PlannedJob]) -> str:
    """The plan's section for one notebook: a table of its AWS jobs and their sum."""
    lines = [f"### {notebook_file}", ""]
    if not jobs:
        lines += ["No job: nothing starts on AWS (models and S3 objects only, which cost nothing or fractions of a "
                  "cent).", ""]
        return "\n".join(lines)
    lines += ["| job | kind | instances | minutes | cost (USD) |", "|---|---|---|---|---|"]
    for job in jobs:
        lines.append(f"| `{job.name}` | {job.kind} | {job.instance_count} x {job.instance_type} | {job.minutes} | "
                     f"{job.cost:.3f} |")
    lines += [f"| **total** | {len(jobs)} job(s) | | **{sum(j.minutes for j in jobs)}** | "
              f"**{sum(j.cost for j in jobs):.3f}** |", ""]
    return "\n".join(lines)


def render(sections: dict[str, list[PlannedJob]]) -> str:
    """The whole docs/aws-run-plan.md."""
    minutes = sum(j.minutes for jobs in sections.values() for j in jobs)
    cost = sum(j.cost for jobs in sections.values() for j in jobs)
    count = sum(len(jobs) for jobs in sections.values())
    head = [
        "# AWS run plan: what a full pass of the course starts on AWS",
        "",
        "Generated by `make run-plan` (tools/aws_run_plan.py) from the requests every notebook makes when it runs "
        "offline; `tests/test_notebook_requests.py` fails when this file no longer matches them. Do not edit by hand.",
        "",
        "- A request SageMaker refuses (the lesson's job name `my_job` in 03) starts nothing and is left out.",
        "- A cell that runs only offline (`if course.offline:` around all of it, e.g. the exercises' \"extra code – "
        "offline only\" cells) starts nothing on AWS and is left out.",
        f"- The course model's training job (`{COURSE_JOB_PREFIX}-…`) runs in notebook 01 only: on AWS the later "
        "notebooks reuse the newest one (helpers/course/models.py).",
        f"- Minutes per job, provisioning included: {MINUTES['training']} for a training job and "
        f"{MINUTES['transform']} for a transform job ({MINUTES_SOURCE}). A failed job is counted like a "
        "successful one: its instance started before it failed.",
        f"- A real-time endpoint (notebook 07) counts {MINUTES['endpoint']} minutes, from CreateEndpoint to the "
        "DeleteEndpoint a few cells later: data/latency.csv's 8 minutes of creation (an assumption) and about 2 of use; "
        "it bills at the endpoint price.",
        "- Cost: on-demand us-west-2 prices from data/prices.csv (helpers/connection/aws/costs.py, each job rounded up to whole "
        "minutes, at least one); S3, CloudWatch Logs and the Studio or notebook instance you work in are not included.",
        "- Jobs run one after another, so a notebook's wall time is the sum of its jobs' minutes, plus the cells' "
        "own seconds.",
        "",
        "## Total of a full pass (notebooks 01-08 and 99, in order)",
        "",
        f"**{count} jobs, about {minutes} minutes of waiting for jobs, about ${cost:.2f}.**",
        "",
        "| notebook | jobs | minutes | cost (USD) |",
        "|---|---|---|---|",
    ]
    for notebook_file, jobs in sections.items():
        head.append(f"| {notebook_file} | {len(jobs)} | {sum(j.minutes for j in jobs)} | "
                    f"{sum(j.cost for j in jobs):.3f} |")
    head += ["", "## Per notebook", ""]
    return "\n".join(head + [render_notebook(name, jobs) for name, jobs in sections.items()]).rstrip() + "\n"


def record(path: Path, log: Path) -> tuple[list[dict], set[str]]:
    """Run one notebook offline with the request recorder; return its requests and its offline-only cells."""
    import nbformat
    from nbclient import NotebookClient

    from sagemaker_offline import request_log

    notebook = nbformat.read(path, as_version=4)
    recorder = nbformat.v4.new_code_cell(f"import sagemaker_offline.request_log as _log\n_log.install({str(log)!r})")
    notebook.cells.insert(0, recorder)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return request_log.read(log), offline_only_cells(notebook)


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
            requests, offline_cells = record(ROOT / "notebooks" / entry["file"], Path(folder) / f"{entry['file']}.jsonl")
            sections[entry["file"]] = planned_jobs(entry["file"], requests, offline_cells)
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
