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


def test_the_creation_second_hold_reads_the_wall_clock_until_it_has_passed(monkeypatch):
    """A wall clock slewed behind the monotonic one (NTP on a CI machine) must not let a job end in its creation second:
    a name made to the second after wait() would be refused as already in use (seen once in CI)."""
    from sagemaker_offline import pacing

    wall = [100.2]

    def slewed_sleep(seconds):  # the wall clock gains only 99% of each sleep
        wall[0] += seconds * 0.99

    monkeypatch.setattr(pacing.time, "time", lambda: wall[0])
    monkeypatch.setattr(pacing.time, "sleep", slewed_sleep)
    pacing.hold_past_creation_second(100.2)
    assert wall[0] >= 101
