"""The check cells of notebooks 01, 02 and 99 pass on the solution, fail on wrong and copied answers, wait on None."""
import pytest

from helpers.checks import sdk_transform, training

OUTPUT_PATH = "s3://bucket/batch-transform-course/model"
JOB = "course-xgboost-2026-01-01-00-00-00-000"
MODEL_DATA = f"{OUTPUT_PATH}/{JOB}/output/model.tar.gz"  # this notebook's artifact, printed on the screen
COLLEAGUE = f"{training.COLLEAGUE_OUTPUT_PATH}/{training.COLLEAGUE_JOB_NAME}/output/model.tar.gz"
US_WEST_2 = "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1"
LAYOUT = {"test.csv": 168, "test-first-40.csv": 40}


def check_artifact(answer):
    training.check_artifact_uri(answer, training.COLLEAGUE_OUTPUT_PATH, training.COLLEAGUE_JOB_NAME, MODEL_DATA)


def check_image(answer):
    training.check_image_uri(answer, training.COLLEAGUE_REGION, "1.7-1", US_WEST_2)


def test_unanswered_waits_without_failing(capsys):
    check_artifact(None)
    check_image(None)
    sdk_transform.check_out_layout(None, LAYOUT)
    sdk_transform.check_same_output(None, 10_000)
    assert capsys.readouterr().out.count("Not answered yet") == 4


def test_artifact_uri(capsys):
    check_artifact(COLLEAGUE)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (MODEL_DATA, "copied"),  # issue 10: the old check accepted answer_1 = model_data
    (f"{training.COLLEAGUE_OUTPUT_PATH}/model.tar.gz", "named after the training job"),
    (f"{training.COLLEAGUE_OUTPUT_PATH}/{training.COLLEAGUE_JOB_NAME}/model.tar.gz", "output/model.tar.gz"),
    (f"s3://elsewhere/{training.COLLEAGUE_JOB_NAME}/output/model.tar.gz", "output_path"),
    (42, "S3 URI string"),
])
def test_artifact_uri_rejects_wrong_and_copied_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        check_artifact(wrong)


def test_image_uri(capsys):
    from sagemaker import image_uris

    check_image(image_uris.retrieve("xgboost", "eu-west-1", "1.7-1"))
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (US_WEST_2, "this notebook's region"),                                          # the URI on the screen
    (US_WEST_2.replace("us-west-2", "eu-west-1"), "registry account differs"),      # same account, other region
    ("141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:latest", "pinned version"),
    ("", "as a string"),
])
def test_image_uri_rejects_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        check_image(wrong)


def test_out_layout(capsys):
    sdk_transform.check_out_layout({"test.csv.out": 168, "test-first-40.csv.out": 40}, LAYOUT)
    sdk_transform.check_out_layout({"s3://b/p/out/test.csv.out": 168, "s3://b/p/out/test-first-40.csv.out": 40}, LAYOUT)
    assert capsys.readouterr().out.count("Correct!") == 2


@pytest.mark.parametrize("wrong, hint", [
    ({"test.csv.out": 208}, "never merges"),
    ({"test.out": 168, "test-first-40.out": 40}, "'.out' added"),
    ({"test.csv.out": 168}, "2 input objects"),
    ({"test.csv.out": 168, "test-first-40.csv.out": 168}, "as many lines"),
    (168, "dict"),
])
def test_out_layout_rejects_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        sdk_transform.check_out_layout(wrong, LAYOUT)


def test_same_output(capsys):
    # issue 10: the notebook's check cell set out_none = "" first, so True was rejected and False praised
    sdk_transform.check_same_output(True, 10_000)
    assert "Correct!" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="What would differ"):
        sdk_transform.check_same_output(False, 10_000)
    with pytest.raises(AssertionError, match="True or False"):
        sdk_transform.check_same_output("yes", 10_000)
    with pytest.raises(AssertionError, match="job fails"):  # a file above MaxPayloadInMB has no .out to compare
        sdk_transform.check_same_output(True, 7 * 1024 * 1024)


class _Report:
    def __init__(self, models, objects):
        self.models, self.s3_objects = models, objects


def test_dry_run_prediction(capsys):
    from helpers.checks import clean_up

    report = _Report(["exercise-course-model"], ["p/exercise/model.tar.gz", "p/exercise/notes.txt", "p/x/y.txt"])
    clean_up.check_dry_run_prediction((1, 3), report, tagged_models=1, untagged_models=1)
    clean_up.check_dry_run_prediction([1, 3], report, tagged_models=1, untagged_models=1)
    assert capsys.readouterr().out.count("Correct!") == 2
    for wrong, hint in (((2, 3), "key AND value"), ((0, 3), "your tags exactly"), ((1, 2), "prefix"),
                        ((1, 0), "prefix"), (0, "tuple"), (("1", "3"), "tuple"), ((True, 3), "tuple")):
        with pytest.raises(AssertionError, match=hint):
            clean_up.check_dry_run_prediction(wrong, report, tagged_models=1, untagged_models=1)


def test_dry_run_prediction_is_not_always_zero():
    """issue 10: the old exercise's answer was 0 whatever the learner did; the new one depends on the set-up."""
    from helpers.checks import clean_up

    with pytest.raises(AssertionError):
        clean_up.check_dry_run_prediction((0, 0), _Report(["m"], ["a", "b"]), tagged_models=1, untagged_models=1)
