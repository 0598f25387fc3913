"""The AWS path, rehearsed: every course notebook of this environment's track (notebooks/course.json) top to bottom in
AWS mode, with the offline AWS answering as the account (tests/rehearsal.py). Deselect with `-m "not rehearsal"`.
In .venv (SDK v2) it rehearses the v2 track (notebooks/); in .venv-v3 (SDK v3) the v3 track (notebooks/sdk-v3/) and
the v3 appendix A1, which on AWS trains and transforms on the account like any course notebook (its own training job,
models and five transform jobs): it runs before 99, so 99 must clean up after it too.

One pass over the notebooks feeds every check below, so the module runs them once: about 3.5 minutes on a busy
2-core machine (each notebook's own cells plus a kernel start; the AWS CLI cells of notebook 03 start processes).
Then notebook 02 runs once more, after 99, as a learner who comes back (01 -> 99 -> 02).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

import helpers
from helpers.course.index import course_notebooks, environment, notebook_path
from tests import rehearsal

pytestmark = pytest.mark.rehearsal


ENVIRONMENT = environment()  # the track this interpreter runs (helpers/course/index.py)


def _rehearsed() -> list[dict]:
    """The track's notebooks in the order a learner on AWS runs them: the course (A2, style aws-example, has no AWS
    branch: on AWS it is an AWS example), with v3's appendix A1 before 99 (99 cleans up after everything)."""
    entries = [nb for nb in course_notebooks(ENVIRONMENT) if nb.get("style", "course") == "course"]
    last = [nb for nb in entries if Path(nb["file"]).name.startswith("99_")]
    return [nb for nb in entries if nb not in last] + last


def _stem(entry_or_file) -> str:
    """An index file's name without the track folder: "sdk-v3/02_....ipynb" -> "02_....ipynb"."""
    return Path(entry_or_file["file"] if isinstance(entry_or_file, dict) else entry_or_file).name

NOTEBOOKS_USING_THE_COURSE_MODEL = ("02_", "03_", "04_", "05_", "06_", "07_", "08_")
# A class in one account (issue 22): the kernels run as this machine's user, the default learner id; a neighbour in the
# same account trains a newer course model after notebook 01, and keeps a model and objects that 99 must leave alone.
NEIGHBOUR = "neighbour-1"


def _me() -> str:
    import getpass

    from helpers.connection.names import sanitize_learner

    return sanitize_learner(getpass.getuser())  # the kernels' learner id: no COURSE_LEARNER, no Studio profile


def _neighbours_course(aws):
    """The neighbour's Course on the same account, made as the notebooks' setup cell makes one."""
    import boto3

    from helpers.connection.backend import Course
    from helpers.connection.names import learner_prefix, learner_tags

    boto_session = boto3.Session(region_name=aws.region)
    if ENVIRONMENT == "v2":
        import sagemaker

        session = sagemaker.Session(boto_session=boto_session)
    else:
        from sagemaker.core.helper.session_helper import Session

        session = Session(boto_session=boto_session)
    return Course(backend="aws", region=aws.region, boto_session=boto_session, session=session, role=aws.role_arn,
                  bucket=session.default_bucket(), learner=NEIGHBOUR, prefix=learner_prefix(NEIGHBOUR),
                  tags=learner_tags(NEIGHBOUR))


def _neighbour_trains_and_keeps_a_model(aws) -> dict:
    """After notebook 01: a newer course training job, a model and data of the neighbour's."""
    from helpers.course import models

    neighbour = _neighbours_course(aws)
    course_data = models.upload_course_data(neighbour)
    model_data = models.train_course_model(neighbour, course_data)
    neighbour.sagemaker_client.create_model(
        ModelName=neighbour.named("boston-xgboost"), ExecutionRoleArn=neighbour.role, Tags=neighbour.tags,
        PrimaryContainer={"Image": models.image_uri(neighbour), "ModelDataUrl": model_data})
    return {"model": neighbour.named("boston-xgboost"), "model_data": model_data, "prefix": neighbour.prefix}


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
    results, before_clean_up, neighbour = {}, None, None
    rehearsed = [nb for nb in _rehearsed() if notebook_path(nb).exists()]
    for entry in rehearsed:
        if _stem(entry).startswith("99_"):
            before_clean_up = (rehearsal.untagged_resources(sm),
                               rehearsal.deletable_course_resources(sm) + rehearsal.course_objects(s3),
                               rehearsal.roles_used(sm))
        run = results[entry["file"]] = rehearsal.run_notebook(notebook_path(entry), env, sm)
        (outputs / f"{entry['file'].replace('/', '-')}.txt").write_text(run.text)
        if _stem(entry).startswith("01_"):
            neighbour = _neighbour_trains_and_keeps_a_model(aws)
        print(f"rehearsal: {entry['file']:52} {'ok' if run.ok else 'FAILED':6} {run.seconds:5.1f} s, "
              f"{len(run.started)} instance starts, {sum(len(c.notices) for c in run.cells)} cost notices")
    attempts, guarded = workdir / "network-attempts.txt", workdir / "guarded-processes.txt"
    yield (results, before_clean_up, attempts.read_text() if attempts.exists() else "",
           len(set(guarded.read_text().split())) if guarded.exists() else 0, neighbour)
    shutil.rmtree(workdir, ignore_errors=True)


def test_every_notebook_of_the_track_is_rehearsed(runs):
    """Each notebook of the track exists and was run (the v3 siblings land from their own branches: until then the
    rehearsal covers those present, and this test says which are missing)."""
    results, _, _, _, _ = runs
    missing = [nb["file"] for nb in _rehearsed() if nb["file"] not in results]
    if missing and ENVIRONMENT == "v3":
        pytest.skip(f"v3 notebooks not in this checkout yet, not rehearsed: {', '.join(missing)}")
    assert not missing


def test_every_notebook_runs_top_to_bottom_in_aws_mode(runs):
    results, _, _, _, _ = runs
    failed = {name: run.error for name, run in results.items() if not run.ok}
    assert not failed, failed
    for name, run in results.items():
        assert "Backend: AWS (your machine)" in run.text, name


def test_each_job_or_endpoint_that_starts_instances_was_announced_with_its_cost(runs):
    """Cell by cell: what the account started is what the cell's notices announced (same kind, count and type).
    A notice without a job is allowed only in a cell that raised: the request was refused after its notice, as
    the lesson's snippet is in notebook 03 (on AWS too, the notice comes before SageMaker checks the request)."""
    results, _, _, _, _ = runs
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
    results, _, _, _, _ = runs
    first = next(run for name, run in results.items() if _stem(name).startswith("01_"))
    assert "Reusing the course's newest training job" not in first.text
    for name, run in results.items():
        if _stem(name).startswith(NOTEBOOKS_USING_THE_COURSE_MODEL) and "course_model_data" in _source(name):
            # the learner's own model, although the neighbour's training job is newer
            assert f"Reusing the course's newest training job course-xgboost-{_me()}-" in run.text, name
            assert "Trained the course model" not in run.text, name


def test_06_reads_02s_predictions_instead_of_scoring_test_csv_again(runs):
    """Same model, input and records (helpers/course/models.py, notebook_02_predictions): one instance less."""
    results = runs[0]
    run = next(run for name, run in results.items() if _stem(name).startswith("06_"))
    assert "reusing notebook 02's predictions: s3://" in run.text
    assert "/batch-transform-sdk/test.csv.out (" in run.text
    assert "course-model: Completed" in run.text  # read where it is needed, like 06's own jobs


def test_every_job_and_model_runs_as_the_role_in_course_role_arn(runs, account):
    _, (_, _, roles), _, _, _ = runs
    aws, _, _ = account
    assert roles == {aws.role_arn}


def test_everything_the_course_created_carries_the_course_tag(runs):
    _, (untagged, _, _), _, _, _ = runs
    assert untagged == []


def test_after_99_clean_up_nothing_deletable_of_the_learner_remains_and_the_neighbours_does(runs, account):
    """A class in one account: the learner's 99 deletes all of theirs and none of their neighbour's."""
    _, (_, left_before, _), _, _, neighbour = runs
    _, sm, s3 = account
    if neighbour is None:
        pytest.skip("notebook 01 of this track is not in this checkout yet: no neighbour, no first course model")
    assert left_before, "the notebooks before 99 left something for it to delete (at least the course's S3 objects)"
    assert rehearsal.deletable_course_resources(sm) == [f"model {neighbour['model']}"]
    left = rehearsal.course_objects(s3)
    assert left and all(f"/{neighbour['prefix']}/" in uri for uri in left), left
    assert neighbour["model_data"] in left


def test_nothing_outside_loopback_was_reached(runs):
    results, _, attempts, guarded, _ = runs
    assert attempts == ""
    # the guard was there to see it: in every kernel, and in the AWS CLI processes of notebook 03 (both tracks)
    assert guarded >= len(results)
    if any('!aws' in _source(name) for name in results):
        assert guarded > len(results) + 5


def _source(name: str) -> str:
    import nbformat

    return "".join(c.source for c in nbformat.read(rehearsal.NOTEBOOKS / name, as_version=4).cells)  # index file


# Last in the module: notebook 02 leaves the course's data and models on the account again, which the checks of
# what 99 left must not see.
@pytest.fixture(scope="module")
def second_pass_after_clean_up(runs, account):
    """Notebook 02 run again after 99, as a learner who comes back: 99 deleted the course's S3 objects (the model
    artifact among them) but SageMaker keeps the training job's record, so reusing it would fail at CreateModel."""
    aws, sm, _ = account
    workdir = Path(tempfile.mkdtemp(prefix="aws-rehearsal-again-"))
    second = next(nb for nb in _rehearsed() if _stem(nb).startswith("02_"))
    if not notebook_path(second).exists():
        pytest.skip(f"{second['file']} is not in this checkout yet")
    run = rehearsal.run_notebook(notebook_path(second), rehearsal.kernel_environment(aws, workdir), sm)
    yield run
    shutil.rmtree(workdir, ignore_errors=True)


def test_01_then_99_then_02_works_on_aws(second_pass_after_clean_up):
    run = second_pass_after_clean_up
    assert run.ok, run.error
    assert "Could not find model data" not in run.text
    assert "has no model artifact any more (notebook 99 deletes the course's S3 objects); training the course " \
           "model again." in run.text
    assert "Trained the course model (built-in XGBoost" in run.text
    assert ("training", 1, "ml.m4.xlarge") in run.started  # the retraining announced and started its one instance
