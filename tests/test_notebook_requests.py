"""Contract tests: every AWS request a notebook makes offline is one SageMaker would accept on a real account.

Each notebook is executed offline with a recorder of botocore requests; the recorded requests are then checked against
botocore's service model (types, required members, lengths, ranges, patterns, enums) and the course's own rules:
everything created carries the course tag (so clean-up finds it), and every S3 location is under the course prefix
(so clean-up removes it and nothing else)."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import botocore.session
import nbformat
import pytest
from botocore.validate import ParamValidator
from nbclient import NotebookClient

from helpers.connection.names import COURSE_PREFIX, COURSE_TAG_KEY, COURSE_TAG_VALUE
from helpers.course.index import course_notebooks, environment
from sagemaker_offline import request_log

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("aws_run_plan", ROOT / "tools" / "aws_run_plan.py")
run_plan = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = run_plan  # its dataclasses look their module up there
_spec.loader.exec_module(run_plan)


ENVIRONMENT = environment()  # the track this interpreter runs (helpers/course/index.py)
# The course's notebooks of this environment: the v2 track (and A2) in .venv; the v3 track and A1 in .venv-v3. A v3
# sibling not yet in this checkout (they land from their own branches) is left out.
NOTEBOOKS = [path for path in (ROOT / "notebooks" / nb["file"] for nb in course_notebooks(ENVIRONMENT))
             if path.exists() or ENVIRONMENT == "v2"]
_IDS = [str(p.relative_to(ROOT / "notebooks").with_suffix("")) for p in NOTEBOOKS]
CREATES = {"CreateModel", "CreateTrainingJob", "CreateTransformJob", "CreateEndpointConfig", "CreateEndpoint"}
# Requests a notebook makes on purpose to show a mistake, or to show that clean-up spares other people's resources.
INTENDED = {
    "invalid": {"my_job"},                      # 03 and 08: the lesson's job name, refused by SageMaker's pattern
    "untagged": {"someone-elses-model",         # 99: the resources the clean-up must not touch
                 "exercise-other-course-model"},
}
# Notebooks written as the AWS examples are (A2, README "Your own notebooks, scripts and tests"): they keep to their
# own S3 prefix and delete what they made in their last cell, without the course's tag.
AWS_EXAMPLE_STYLE = {"A2_any_notebook_offline": "sagemaker/DEMO-xgboost-boston-batch-transform"}
_S3_URI = re.compile(r"s3://([^/\s\"']+)/?([^\s\"']*)")


@pytest.fixture(scope="module")
def service_models():
    session = botocore.session.get_session()
    return {name: session.get_service_model(name) for name in ("sagemaker", "s3", "logs", "sts", "iam",
                                                                 "sagemaker-runtime")}  # 07 invokes an endpoint


def _run_recorded(path: Path, log: Path) -> tuple[list[dict], set[str], set[str]]:
    """The notebook's requests, run offline with the recorder, its offline-only and its solution cells
    (tools/aws_run_plan.py)."""
    return run_plan.record(path, log)


def _names(params: dict) -> set[str]:
    return {str(v) for k, v in params.items() if k.endswith("Name") and isinstance(v, str)}


def _s3_locations(value) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [loc for v in value.values() for loc in _s3_locations(v)]
    if isinstance(value, list):
        return [loc for v in value for loc in _s3_locations(v)]
    if isinstance(value, str):
        return _S3_URI.findall(value)
    return []


def _problems(requests: list[dict], service_models, prefix: str = COURSE_PREFIX, tagged: bool = True) -> list[str]:
    """Every way the recorded requests break the service model or the course's rules, as readable lines."""
    from sagemaker_offline.validation import validate_request

    problems = []
    tagged_later = _tagged_by_add_tags(requests)
    for request in requests:
        service, operation, params = request["service"], request["operation"], request["params"]
        if service not in service_models:
            problems.append(f"{operation}: the course should not call {service}")
            continue
        names = _names(params)
        intended_invalid = bool(names & INTENDED["invalid"])
        shape = service_models[service].operation_model(operation).input_shape
        report = ParamValidator().validate(params, shape)
        if report.has_errors() and not intended_invalid:
            problems.append(f"{operation}: {report.generate_report()}")
        if service == "sagemaker" and not intended_invalid:
            try:
                validate_request(operation, params)
            except Exception as exc:  # the same rules SageMaker applies at create time
                problems.append(f"{operation}: {exc}")
        if intended_invalid:
            continue  # SageMaker refuses it, so it creates nothing and reads nothing
        if tagged and operation in CREATES and not names & INTENDED["untagged"] and not names & tagged_later:
            tags = {(t.get("Key"), t.get("Value")) for t in params.get("Tags", [])}
            if (COURSE_TAG_KEY, COURSE_TAG_VALUE) not in tags:
                problems.append(f"{operation} {sorted(names)}: no course tag, so clean-up would not find it")
        if service == "sagemaker":
            for bucket, key in _s3_locations(params):
                if not key.startswith(prefix) and "dkr.ecr" not in bucket:
                    problems.append(f"{operation}: s3://{bucket}/{key} is outside the course prefix {prefix}/")
        if service == "s3" and "Key" in params and not params["Key"].startswith(prefix + "/"):
            problems.append(f"S3 {operation}: key {params['Key']} is outside the course prefix")
    return problems


def _tagged_by_add_tags(requests: list[dict]) -> set[str]:
    """Names of the resources an AddTags request gives the course tag: SDK v3's `ModelBuilder.build()` takes no tags
    before sagemaker-serve 1.27 (Studio's SDK 3.12), so the v3 track tags its model right after CreateModel with
    AddTags (ResourceArn arn:aws:sagemaker:<region>:<account>:model/<name>), as A1 does."""
    names = set()
    for request in requests:
        if request["operation"] == "AddTags":
            tags = {(t.get("Key"), t.get("Value")) for t in request["params"].get("Tags", [])}
            if (COURSE_TAG_KEY, COURSE_TAG_VALUE) in tags:
                names.add(str(request["params"].get("ResourceArn", "")).rsplit("/", 1)[-1])
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_IDS)
def test_notebook_requests_follow_the_service_model_and_course_rules(path, tmp_path, service_models, monkeypatch):
    if ENVIRONMENT == "v3":  # one run per notebook checks the instance-type setting too (make test's time: see below)
        monkeypatch.setenv("COURSE_INSTANCE_TYPE", OTHER_TYPE)
    requests, offline_cells, solutions = _run_recorded(path, tmp_path / "requests.jsonl")
    own_prefix = AWS_EXAMPLE_STYLE.get(path.stem)
    problems = _problems(requests, service_models, prefix=own_prefix or COURSE_PREFIX, tagged=own_prefix is None)
    creates = [r for r in requests if r["operation"] in CREATES]
    if "console" not in path.stem:
        assert creates, "a notebook of this course should create at least one SageMaker resource"
    assert not problems, "\n".join(problems)
    # The AWS run plan is generated from these same requests: its section for this notebook must still match.
    if path.name not in {nb["file"] for nb in course_notebooks("v2") if nb.get("style", "course") == "course"}:
        return  # a notebook written like the AWS examples (A2), or the v3 appendix A1, is not part of the course pass
    jobs = run_plan.planned_jobs(path.name, requests, offline_cells, solutions)
    if ENVIRONMENT == "v3":
        _assert_instance_type_setting_followed(requests)
        # the plan is generated from the v2 track (default instance type); a v3 sibling teaches the same steps, so it
        # starts the same number of jobs on AWS for the same minutes, and the plan's figures hold for both tracks
        # (the cost is the plan's at the default type: this run asked for OTHER_TYPE)
        assert _totals(jobs) == _plan_totals(path.name), (
            f"{path.relative_to(ROOT)} starts {_totals(jobs)} (jobs, minutes) on AWS; docs/aws-run-plan.md "
            f"says {_plan_totals(path.name)} for its v2 sibling:\n{run_plan.render_notebook(path.name, jobs)}")
        return
    section = run_plan.render_notebook(path.name, jobs)
    assert section in run_plan.PLAN_FILE.read_text(), (
        f"docs/aws-run-plan.md is out of date for {path.name}: run make run-plan.\nExpected:\n{section}")


def _totals(jobs) -> tuple[int, int]:
    return len(jobs), sum(j.minutes for j in jobs)


def _plan_totals(notebook_file: str) -> tuple[int, int]:
    """A notebook's row of the plan's summary table: (jobs, minutes)."""
    row = re.search(rf"^\| {re.escape(notebook_file)} \| (\d+) \| (\d+) \|", run_plan.PLAN_FILE.read_text(), re.M)
    assert row, f"docs/aws-run-plan.md has no summary row for {notebook_file}"
    return int(row[1]), int(row[2])


_ROW = re.compile(r"\| (\d+) \| `([^`]+)`( \(solution\))? \| (\w+) \| (\d+) x (\S+) \| (\d+) \| ([\d.]+)(?: †)? \| "
                  r"([^|]+) \| ([^|]+) \| (\d+) \| (\d+) \|")


def _plan_sections(text: str) -> dict[str, list]:
    """The per-notebook tables of docs/aws-run-plan.md read back into PlannedJobs, with the starts they state."""
    per_notebook = dict(re.findall(r"### (\S+\.ipynb)\n\n(.*?)(?=\n### |\Z)", text, re.S))
    assert per_notebook, "no notebook sections in docs/aws-run-plan.md"
    labels = lambda cell: tuple("01" if x == "notebook 01" else x for x in cell.strip().split(", ") if x != "–")  # noqa: E731
    sections = {}
    for name, body in per_notebook.items():
        sections[name] = [(run_plan.PlannedJob(kind, job, itype, int(count), None, int(number), labels(needs),
                                               labels(after), bool(solution)), int(written), int(parallel))
                          for number, job, solution, kind, count, itype, minutes, cost, needs, after, written, parallel
                          in _ROW.findall(body)]
    return sections


def test_the_run_plan_totals_and_schedules_are_computed_from_its_notebooks():
    """Every sum, start and wall time of docs/aws-run-plan.md follows from its per-notebook tables: recomputed here."""
    text = run_plan.PLAN_FILE.read_text()
    stated = _plan_sections(text)
    sections = {name: [job for job, _, _ in rows] for name, rows in stated.items()}
    for name, rows in stated.items():
        jobs = sections[name]
        for job, written, parallel in rows:
            assert run_plan.schedule(jobs, False)[job.number][0] == written, (name, job.number)
            assert run_plan.schedule(jobs, True)[job.number][0] == parallel, (name, job.number)
        row = (f"| {name} | {len(jobs)} | {sum(j.minutes for j in jobs)} | {sum(j.cost for j in jobs):.3f} | "
               f"{run_plan.wall_minutes(jobs, False)} | {run_plan.wall_minutes(jobs, True)} |")
        assert row in text, f"summary row of {name} does not match its table"
    count = sum(len(jobs) for jobs in sections.values())
    minutes = sum(j.minutes for jobs in sections.values() for j in jobs)
    assert f"**{count} jobs, about {minutes} minutes of jobs (instance time), about $" in text
    full = run_plan.Pass(tuple(sections))
    short = run_plan.Pass(tuple(n for n in run_plan.INSTRUCTOR_PATH if n in sections))
    for run in (full, short):
        assert (f"| {run.jobs(sections)} | {run.cost(sections):.2f}" in text and
                f"| {run.one_at_a_time(sections, False)} min | {run.minutes(sections, False)} min | "
                f"**{run.minutes(sections, True)} min** |" in text), run.notebooks


def _job(number, kind="transform", needs=(), after=()):
    return run_plan.PlannedJob(kind, f"job-{number}", "ml.m4.xlarge", 1, None, number, needs, after)


def test_the_schedule_starts_a_job_when_what_it_needs_has_ended():
    """Three transform jobs of 8 minutes: #2 reads #1's output, #3 reads neither but the notebook waited for #2."""
    jobs = [_job(1, needs=("01",)), _job(2, needs=("#1",), after=("#1",)), _job(3, after=("#1", "#2"))]
    assert run_plan.schedule(jobs, parallel=False) == {1: (0, 8), 2: (8, 16), 3: (16, 24)}
    assert run_plan.schedule(jobs, parallel=True) == {1: (0, 8), 2: (8, 16), 3: (0, 8)}
    assert (run_plan.wall_minutes(jobs, False), run_plan.wall_minutes(jobs, True)) == (24, 16)
    sections = {run_plan.FIRST_NOTEBOOK: [_job(1, kind="training")], "x.ipynb": jobs, "y.ipynb": [_job(1)]}
    both = run_plan.Pass(tuple(sections))
    assert both.minutes(sections, parallel=True) == 6 + 16  # 01's training, then x and y side by side
    assert both.one_at_a_time(sections, parallel=False) == 6 + 24 + 8
    assert both.peak_instances(sections) == 3  # x's #1 and #3, and y's job, from minute 6 to 14


def test_needs_and_waits_come_from_the_requests():
    """A job needs what it reads (its input, its model's artifact, an upload made after reading an output); the
    notebook waited for a job when it described it or read its output before starting the next."""
    bucket = "s3://b/p"

    def transform(name, source, output, model="m"):
        return {"service": "sagemaker", "operation": "CreateTransformJob", "cell": None, "params": {
            "TransformJobName": name, "ModelName": model,
            "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": source}}},
            "TransformOutput": {"S3OutputPath": output},
            "TransformResources": {"InstanceType": "ml.m4.xlarge", "InstanceCount": 1}}}

    requests = [
        {"service": "sagemaker", "operation": "CreateModel", "cell": None,
         "params": {"ModelName": "m", "PrimaryContainer": {"Image": "i", "ModelDataUrl": f"{bucket}/model/a.tar.gz"}}},
        transform("first", f"{bucket}/test", f"{bucket}/out-1"),
        transform("second", f"{bucket}/test", f"{bucket}/out-2"),  # independent, started at once
        {"service": "sagemaker", "operation": "DescribeTransformJob", "cell": None,
         "params": {"TransformJobName": "first"}},
        {"service": "s3", "operation": "GetObject", "cell": None, "params": {"Bucket": "b", "Key": "p/out-2/test.out"}},
        {"service": "s3", "operation": "PutObject", "cell": None, "params": {"Bucket": "b", "Key": "p/clean/x.csv"}},
        transform("third", f"{bucket}/clean", f"{bucket}/out-3"),  # reads an upload made after reading out-2
        transform("fourth", f"{bucket}/out-1", f"{bucket}/out-4"),  # reads first's output
    ]
    jobs = run_plan.planned_jobs("x.ipynb", requests, set())
    assert [(j.number, j.needs, j.after) for j in jobs] == [
        (1, (), ()), (2, (), ()), (3, ("#2",), ("#1", "#2")), (4, ("#1",), ("#1", "#2"))]


def test_a_processing_job_is_planned_with_what_it_reads_and_writes(monkeypatch):
    """A Processing job (notebook 09's Exercise 1) counts as a job of its own kind: its inputs are what it needs, its
    outputs what later jobs may read; it is priced at the training price and always marked unverified."""
    monkeypatch.setattr(run_plan, "_refused", lambda request: False)  # the requests below are cut to what planning reads
    bucket = f"s3://b/{COURSE_PREFIX}"
    requests = [
        {"service": "sagemaker", "operation": "CreateTrainingJob", "cell": None, "params": {
            "TrainingJobName": "fit", "OutputDataConfig": {"S3OutputPath": f"{bucket}/models"},
            "InputDataConfig": [{"DataSource": {"S3DataSource": {"S3Uri": f"{bucket}/train"}}}],
            "ResourceConfig": {"InstanceType": "ml.m4.xlarge", "InstanceCount": 1}}},
        {"service": "sagemaker", "operation": "CreateProcessingJob", "cell": "s", "params": {
            "ProcessingJobName": "featurize",
            "ProcessingInputs": [{"InputName": "data", "S3Input": {"S3Uri": f"{bucket}/models/fit/output"}}],
            "ProcessingOutputConfig": {"Outputs": [{"OutputName": "out", "S3Output": {"S3Uri": f"{bucket}/featurized"}}]},
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m4.xlarge", "InstanceCount": 2}}}},
        {"service": "sagemaker", "operation": "CreateTrainingJob", "cell": None, "params": {
            "TrainingJobName": "again", "OutputDataConfig": {"S3OutputPath": f"{bucket}/models"},
            "InputDataConfig": [{"DataSource": {"S3DataSource": {"S3Uri": f"{bucket}/featurized/train.csv"}}}],
            "ResourceConfig": {"InstanceType": "ml.m4.xlarge", "InstanceCount": 1}}},
    ]
    jobs = run_plan.planned_jobs("x.ipynb", requests, set(), {"s"})
    assert [(j.kind, j.instance_count, j.needs, j.solution) for j in jobs] == [
        ("training", 1, (), False), ("processing", 2, ("#1",), True), ("training", 1, ("#2",), False)]
    assert jobs[1].minutes == run_plan.MINUTES["training"] and run_plan._mark(jobs[1]) == " †"
    assert jobs[1].cost == jobs[0].cost * 2


# Issue 18, not done yet: AWS branches that still wait for a job before starting one that does not need it. Strict: a
# notebook that no longer does fails here until it is taken off the list.
_SEQUENTIAL_STILL = {
    "04_batch_transform_parallel.ipynb": "Steps 3-5 start their six jobs side by side, but only after Step 2's job "
                                         "ended: the SDK's transformer.transform() (the taught call) waits",
    "03_batch_transform_boto3.ipynb": "Step 7 starts its two jobs together, but only after Step 6's header-row job "
                                      "was read, and Step 8's CLI job after Step 7's: each step reads its own job "
                                      "(waiter, FailureReason, logs) before the next starts; the waiter is the lesson",
    "05_associate_inputs_with_predictions.ipynb": "the SDK's transformer.transform() waits, and its intended errors "
                                                  "are the SDK's own (UnexpectedStatusException)",
    "06_preprocess_with_batch_transform.ipynb": "jobs no later cell reads start without waiting, but in the teaching "
                                                "order: Step 5's course-model scoring starts after Step 1's job was "
                                                "read",
    "07_batch_transform_or_endpoint.ipynb": "the endpoint is deployed after the batch job ended (Step 3 after Step 2)",
}


@pytest.mark.parametrize("name", sorted(_plan_sections(run_plan.PLAN_FILE.read_text())))
def test_an_aws_branch_waits_only_for_jobs_it_needs(name, request):
    """Before starting a job, a notebook waits only for jobs that job needs (directly or through others): on AWS
    every other wait costs minutes of provisioning. Solutions are exempt: the skeleton puts them after the steps."""
    if name in _SEQUENTIAL_STILL:
        request.applymarker(pytest.mark.xfail(strict=True, reason=_SEQUENTIAL_STILL[name]))
    jobs = [job for job, _, _ in _plan_sections(run_plan.PLAN_FILE.read_text())[name]]
    ancestors: dict[str, set[str]] = {}
    needless = []
    for job in jobs:
        label = f"#{job.number}"
        ancestors[label] = set(job.needs).union(*(ancestors.get(n, set()) for n in job.needs))
        if not job.solution and set(job.after) - ancestors[label]:
            needless.append(f"{label} {job.name} waited for {sorted(set(job.after) - ancestors[label])}")
    assert not needless, needless


def test_the_rules_catch_untagged_resources_stray_locations_and_invalid_fields(service_models):
    bad = [
        {"service": "sagemaker", "operation": "CreateModel",
         "params": {"ModelName": "m", "ExecutionRoleArn": "arn:aws:iam::123456789012:role/r",
                    "PrimaryContainer": {"Image": "i", "ModelDataUrl": "s3://bucket/elsewhere/model.tar.gz"}}},
        {"service": "sagemaker", "operation": "CreateTransformJob",
         "params": {"TransformJobName": "bad_name", "ModelName": "m", "Tags": [{"Key": "course", "Value": "x"}],
                    "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                                       "S3Uri": f"s3://bucket/{COURSE_PREFIX}/in"}}},
                    "TransformOutput": {"S3OutputPath": f"s3://bucket/{COURSE_PREFIX}/out"},
                    "TransformResources": {"InstanceType": "ml.m4.xlarge", "InstanceCount": 1}}},
        {"service": "s3", "operation": "PutObject", "params": {"Bucket": "bucket", "Key": "outside/x.csv"}},
    ]
    problems = "\n".join(_problems(bad, service_models))
    assert "CreateModel ['m']: no course tag" in problems
    assert "s3://bucket/elsewhere/model.tar.gz is outside the course prefix" in problems
    assert "bad_name" in problems  # the job name pattern
    assert "CreateTransformJob ['bad_name', 'm']: no course tag" in problems  # wrong tag value
    assert "key outside/x.csv is outside the course prefix" in problems
    # a model tagged right after CreateModel (v3's ModelBuilder.build() on SDK 3.12) is found by clean-up
    arn = "arn:aws:sagemaker:us-west-2:123456789012:model/"
    later = [bad[0], {"service": "sagemaker", "operation": "AddTags",
                      "params": {"ResourceArn": arn + "m", "Tags": [{"Key": COURSE_TAG_KEY, "Value": COURSE_TAG_VALUE}]}}]
    assert "no course tag" not in "\n".join(_problems(later, service_models))
    later[1]["params"]["ResourceArn"] = arn + "other-model"
    assert "CreateModel ['m']: no course tag" in "\n".join(_problems(later, service_models))


# --- one setting for the instance type (issue 22) -------------------------------------------------------------------
OTHER_TYPE = "ml.m5.large"
_INSTANCE_TYPES = (("ResourceConfig", "InstanceType"), ("TransformResources", "InstanceType"))


def _instance_types(request: dict) -> list[str]:
    params = request["params"]
    found = [params.get(outer, {}).get(inner) for outer, inner in _INSTANCE_TYPES]
    found += [variant.get("InstanceType") for variant in params.get("ProductionVariants", [])]
    return [value for value in found if value]


# In .venv-v3 the first test's one run per notebook makes this check (each notebook run twice would add ~5 minutes
# to make test on a busy 2-core machine); in .venv the v2 track keeps its own run at the default type for the plan.
@pytest.mark.parametrize("path", [pytest.param(p, id=i) for p, i in zip(NOTEBOOKS, _IDS)
                                  if p.stem not in AWS_EXAMPLE_STYLE and ENVIRONMENT == "v2"])
def test_changing_the_instance_type_setting_changes_every_request(path, tmp_path, monkeypatch):
    """COURSE_INSTANCE_TYPE (helpers/connection/names.py) is the one place a learner with no quota for ml.m4.xlarge changes: every
    job and endpoint a notebook starts then asks for the type set there."""
    monkeypatch.setenv("COURSE_INSTANCE_TYPE", OTHER_TYPE)
    requests, _, _ = _run_recorded(path, tmp_path / "requests.jsonl")
    assert _starting(requests) or "console" in path.stem or "clean_up" in path.stem, "no request that starts instances"
    _assert_instance_type_setting_followed(requests)


def _starting(requests: list[dict]) -> list[dict]:
    return [r for r in requests if _instance_types(r) and not _names(r["params"]) & INTENDED["invalid"]]


def _assert_instance_type_setting_followed(requests: list[dict]) -> None:
    """Every job and endpoint the requests start asks for OTHER_TYPE, the type COURSE_INSTANCE_TYPE was set to."""
    starting = _starting(requests)
    wrong = [(r["operation"], sorted(_names(r["params"])), _instance_types(r)) for r in starting
             if set(_instance_types(r)) != {OTHER_TYPE}]
    assert not wrong, f"requests that ignore {OTHER_TYPE} from COURSE_INSTANCE_TYPE: {wrong}"


def test_the_instance_type_is_written_once_in_the_course_code():
    """A quota of 0 for the lesson's type is fixed by one setting: the type is a string literal in
    helpers/connection/names.py only, and in no notebook's code (the lesson's snippet in 03 Step 1, quoted as written and refused by SageMaker
    for its job name, and A2, written like the AWS examples, are not the course's code)."""
    literal = re.compile(r"[\"']ml\.m4\.xlarge[\"']")
    found = [f"{py.relative_to(ROOT)}:{n}" for py in sorted((ROOT / "helpers").rglob("*.py"))
             for n, line in enumerate(py.read_text().splitlines(), 1) if literal.search(line)]
    for entry in course_notebooks(None):
        if entry.get("style") == "aws-example":
            continue
        for cell in nbformat.read(ROOT / "notebooks" / entry["file"], as_version=4).cells:
            quoted_lesson = "raises-exception" in cell.metadata.get("tags", []) and "my_job" in cell.source
            if cell.cell_type == "code" and not quoted_lesson and literal.search(cell.source):
                found.append(f"{entry['file']}: {cell.source.splitlines()[0][:60]}")
    names = ROOT / "helpers" / "connection" / "names.py"
    assert found == ["helpers/connection/names.py:" + str(next(
        n for n, line in enumerate(names.read_text().splitlines(), 1) if literal.search(line)))], found
