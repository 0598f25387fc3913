"""Jobs named to the second, as public notebooks name them, under "Run All": each name made after wait() is new."""
from __future__ import annotations

from time import gmtime, strftime

from tests.conftest import features_csv


def test_transform_jobs_named_to_the_second_one_after_another_are_all_accepted(course, course_data, xgb_model_name):
    from sagemaker.transformer import Transformer

    key = "tests/names/in/test.csv"
    course.s3_client.put_object(Bucket=course.bucket, Key=key, Body=features_csv(course_data.test))
    names = []
    for _ in range(2):  # a notebook's two transform cells, or one cell run twice
        name = "Batch-Transform-" + strftime("%Y-%m-%d-%H-%M-%S", gmtime())
        transformer = Transformer(model_name=xgb_model_name, instance_count=1, instance_type="ml.m4.xlarge",
                                  output_path=f"s3://{course.bucket}/tests/names/{name}",
                                  sagemaker_session=course.session)
        transformer.transform(f"s3://{course.bucket}/{key}", content_type="text/csv", split_type="Line",
                              job_name=name, wait=True, logs=False)
        names.append(name)
    assert names[0] != names[1]
    for name in names:
        described = course.sagemaker_client.describe_transform_job(TransformJobName=name)
        assert described["TransformJobStatus"] == "Completed"
        assert described["TransformEndTime"].replace(microsecond=0) > described["CreationTime"].replace(microsecond=0)


def test_a_training_job_ends_in_a_later_second_than_it_was_created(course, model_data):
    name = model_data.split("/")[-3]
    described = course.sagemaker_client.describe_training_job(TrainingJobName=name)
    assert described["TrainingEndTime"].replace(microsecond=0) > described["CreationTime"].replace(microsecond=0)


def test_the_creation_second_hold_waits_for_the_clock_job_names_are_made_with(monkeypatch):
    """gmtime() and strftime() read C's time(), a coarse clock a few ms behind time.time(): a job must not end before
    that clock has left its creation second, or the next name made to the second after wait() is refused as in use
    (seen in CI, and whenever this module ran after tests/test_script_mode_entry_points.py)."""
    import calendar

    from sagemaker_offline import pacing

    wall = [100.2]

    def sleep(seconds):
        wall[0] += seconds

    monkeypatch.setattr(pacing.time, "time", lambda: wall[0])
    monkeypatch.setattr(pacing.time, "sleep", sleep)
    real_gmtime = pacing.time.gmtime
    monkeypatch.setattr(pacing.time, "gmtime", lambda: real_gmtime(int(wall[0] - 0.004)))  # the coarse clock, 4 ms behind
    pacing.hold_past_creation_second(100.2)
    assert calendar.timegm(pacing.time.gmtime()) >= 101
