"""The check cells of notebooks 01, 02 and 99 pass on the solution, fail on wrong answers and wait on None."""
import pytest

from helpers.checks import sdk_transform, training

OUTPUT_PATH = "s3://bucket/batch-transform-course/model"
JOB = "sagemaker-xgboost-2026-01-01-00-00-00-000"
MODEL_DATA = f"{OUTPUT_PATH}/{JOB}/output/model.tar.gz"
LATEST = "433757028032.dkr.ecr.us-west-2.amazonaws.com/xgboost:latest"


def test_unanswered_waits_without_failing(capsys):
    training.check_artifact_uri(None, OUTPUT_PATH, JOB, MODEL_DATA)
    training.check_latest_version(None, LATEST)
    sdk_transform.check_output_lines(None, 3, "1\n2\n3\n")
    sdk_transform.check_same_output(None, "a", "a")
    assert capsys.readouterr().out.count("Not answered yet") == 4


def test_artifact_uri(capsys):
    training.check_artifact_uri(MODEL_DATA, OUTPUT_PATH, JOB, MODEL_DATA)
    assert "Correct!" in capsys.readouterr().out
    for wrong in (f"{OUTPUT_PATH}/model.tar.gz", f"{OUTPUT_PATH}/{JOB}/model.tar.gz", "s3://elsewhere/x", 42):
        with pytest.raises(AssertionError):
            training.check_artifact_uri(wrong, OUTPUT_PATH, JOB, MODEL_DATA)


def test_latest_version(capsys):
    training.check_latest_version("0.72", LATEST)
    assert "Correct!" in capsys.readouterr().out
    for wrong in ("1.7", "1", "latest"):
        with pytest.raises(AssertionError):
            training.check_latest_version(wrong, LATEST)


def test_output_lines(capsys):
    sdk_transform.check_output_lines(3, 3, "1\n2\n3\n")
    assert "Correct!" in capsys.readouterr().out
    for wrong in (2, 4, "3"):
        with pytest.raises(AssertionError):
            sdk_transform.check_output_lines(wrong, 3, "1\n2\n3\n")


def test_same_output(capsys):
    sdk_transform.check_same_output(True, "1\n2\n", "1\n2\n")
    assert "Correct!" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        sdk_transform.check_same_output(False, "1\n2\n", "1\n2\n")
    with pytest.raises(AssertionError):
        sdk_transform.check_same_output("yes", "1\n2\n", "1\n2\n")


def test_clean_up_check(capsys):
    from helpers.aws.resources import CleanupReport
    from helpers.checks import clean_up

    empty = CleanupReport(dry_run=True, s3_location="s3://b/p/")
    clean_up.check_nothing_left(0, empty)
    assert "Correct!" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        clean_up.check_nothing_left(3, empty)
    with pytest.raises(AssertionError):
        clean_up.check_nothing_left("0", empty)
