"""The AWS path, rehearsed: every course notebook (notebooks/course.json, environment v2) top to bottom in AWS mode,
with the offline AWS answering as the account (tests/rehearsal.py). Deselect with `-m "not rehearsal"`.

One pass over the notebooks feeds every check below, so the module runs them once: about 3.5 minutes on a busy
2-core machine (each notebook's own cells plus a kernel start; the AWS CLI cells of notebook 03 start processes).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

import helpers
from helpers.course.index import course_notebooks
from tests import rehearsal

pytestmark = pytest.mark.rehearsal

NOTEBOOKS_USING_THE_COURSE_MODEL = ("02_", "03_", "04_", "05_", "06_", "07_", "08_")


@pytest.fixture(scope="module")
def account():
    """The stand-in account: the offline AWS in this process, served to the kernels on 127.0.0.1."""
    helpers.offline.stop()
    aws = helpers.offline.start()
    import boto3

    yield aws, boto3.client("sagemaker", region_name=aws.region), boto3.client("s3", region_name=aws.region)
    helpers.offline.stop()


@pytest.fixture(scope="module")
def runs(account):
    """Every notebook run once in AWS mode, in course order; with what was left on the account before 99.
    REHEARSAL_OUTPUTS=<folder> keeps what each notebook printed there, to read afterwards."""
    aws, sm, s3 = account
    workdir = Path(tempfile.mkdtemp(prefix="aws-rehearsal-"))
    outputs = Path(os.environ.get("REHEARSAL_OUTPUTS") or workdir)
    outputs.mkdir(parents=True, exist_ok=True)
    env = rehearsal.kernel_environment(aws, workdir)
    results, before_clean_up = {}, None
    # the course's notebooks and their AWS branches; A2 (style aws-example) has none: on AWS it is an AWS example
    for entry in [nb for nb in course_notebooks("v2") if nb.get("style", "course") == "course"]:
        if entry["file"].startswith("99_"):
            before_clean_up = (rehearsal.untagged_resources(sm),
                               rehearsal.deletable_course_resources(sm) + rehearsal.course_objects(s3),
                               rehearsal.roles_used(sm))
        run = results[entry["file"]] = rehearsal.run_notebook(rehearsal.NOTEBOOKS / entry["file"], env, sm)
        (outputs / f"{entry['file']}.txt").write_text(run.text)
        print(f"rehearsal: {run.name:45} {'ok' if run.ok else 'FAILED':6} {run.seconds:5.1f} s, "
              f"{len(run.started)} instance starts, {sum(len(c.notices) for c in run.cells)} cost notices")
    attempts, guarded = workdir / "network-attempts.txt", workdir / "guarded-processes.txt"
    yield (results, before_clean_up, attempts.read_text() if attempts.exists() else "",
           len(set(guarded.read_text().split())) if guarded.exists() else 0)
    shutil.rmtree(workdir, ignore_errors=True)


def test_every_notebook_runs_top_to_bottom_in_aws_mode(runs):
    results, _, _, _ = runs
    failed = {name: run.error for name, run in results.items() if not run.ok}
    assert not failed, failed
    for name, run in results.items():
        assert "Backend: AWS (your machine)" in run.text, name


def test_each_job_or_endpoint_that_starts_instances_was_announced_with_its_cost(runs):
    """Cell by cell: what the account started is what the cell's notices announced (same kind, count and type).
    A notice without a job is allowed only in a cell that raised: the request was refused after its notice, as
    the lesson's snippet is in notebook 03 (on AWS too, the notice comes before SageMaker checks the request)."""
    results, _, _, _ = runs
    for name, run in results.items():
        for cell in run.cells:
            notices, started = sorted(cell.notices), sorted(cell.started)
            where = f"{name} cell {cell.index}: notices {notices}, started {started}"
            if cell.raised:
                assert all(started.count(s) <= notices.count(s) for s in started), where
            else:
                assert notices == started, where
    assert sum(len(run.started) for run in results.values()) > 10  # the rehearsal did start the course's jobs


def test_later_notebooks_reuse_the_course_model_instead_of_training_again(runs):
    results, _, _, _ = runs
    assert "Reusing the course's newest training job" not in results["01_prepare_and_train.ipynb"].text
    for name, run in results.items():
        if name.startswith(NOTEBOOKS_USING_THE_COURSE_MODEL) and "course_model_data" in _source(name):
            assert "Reusing the course's newest training job course-xgboost-" in run.text, name
            assert "Trained the course model" not in run.text, name


def test_every_job_and_model_runs_as_the_role_in_course_role_arn(runs, account):
    _, (_, _, roles), _, _ = runs
    aws, _, _ = account
    assert roles == {aws.role_arn}


def test_everything_the_course_created_carries_the_course_tag(runs):
    _, (untagged, _, _), _, _ = runs
    assert untagged == []


def test_after_99_clean_up_nothing_deletable_of_the_course_remains(runs, account):
    _, (_, left_before, _), _, _ = runs
    _, sm, s3 = account
    assert left_before, "the notebooks before 99 left something for it to delete (at least the course's S3 objects)"
    assert rehearsal.deletable_course_resources(sm) == []
    assert rehearsal.course_objects(s3) == []


def test_nothing_outside_loopback_was_reached(runs):
    _, _, attempts, guarded = runs
    assert attempts == ""
    # the guard was there to see it: in every kernel, and in the AWS CLI processes of notebook 03
    assert guarded > len(runs[0]) + 5


def _source(name: str) -> str:
    import nbformat

    return "".join(c.source for c in nbformat.read(rehearsal.NOTEBOOKS / name, as_version=4).cells)
