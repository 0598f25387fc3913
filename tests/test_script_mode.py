"""Script mode offline (sagemaker_offline/script_training.py, script_container.py): SDK framework estimators and models
run the learner's real script; a raising script fails as the training toolkit reports it; an inference pipeline
gives the two-step predictions; the handlers' defaults and content types are the framework containers'."""
from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.course import data, models, results

FEATURIZE = textwrap.dedent('''
    """Scale the 13 features (label-first CSV in training; features-only CSV in serving)."""
    import argparse, glob, os
    import joblib
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    def model_fn(model_dir):
        return joblib.load(os.path.join(model_dir, "scaler.joblib"))

    def predict_fn(features, scaler):
        return scaler.transform(features)

    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--with_mean", type=int, default=1)
        parser.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])
        parser.add_argument("--train", default=os.environ["SM_CHANNEL_TRAIN"])
        args = parser.parse_args()
        frame = pd.concat(pd.read_csv(f, header=None) for f in sorted(glob.glob(os.path.join(args.train, "*.csv"))))
        scaler = StandardScaler(with_mean=bool(args.with_mean)).fit(frame.iloc[:, 1:].to_numpy("float32"))
        print(f"fitted a StandardScaler on {len(frame)} rows; hosts {os.environ['SM_HOSTS']}")
        joblib.dump(scaler, os.path.join(args.model_dir, "scaler.joblib"))
''')


def _source(tmp_path: Path, name: str, script: str, extra: dict | None = None) -> str:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "featurize.py").write_text(script)
    for file, text in (extra or {}).items():
        (folder / file).write_text(text)
    return str(folder)


def _sklearn(course, source_dir: str, **kwargs):
    from sagemaker.sklearn import SKLearn

    return SKLearn(entry_point="featurize.py", source_dir=source_dir, framework_version="1.2-1", role=course.role,
                   instance_type="ml.m5.large", instance_count=1, sagemaker_session=course.session,
                   output_path=course.s3_uri("script-mode", "models"), **kwargs)


def _log_text(course, group: str, job_name: str) -> str:
    logs = course.session.boto_session.client("logs")
    streams = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=job_name + "/")["logStreams"]
    return "\n".join(e["message"] for s in streams for e in logs.get_log_events(
        logGroupName=group, logStreamName=s["logStreamName"], startFromHead=True)["events"])


def _features_uri(course, frame, name: str) -> str:
    path = Path("../build/test-script-mode") / name / "features.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame[data.FEATURES].to_csv(path, header=False, index=False)
    return course.session.upload_data(str(path), bucket=course.bucket, key_prefix=f"{course.prefix}/script-mode/{name}")


def _output(course, transformer, name="features.csv") -> np.ndarray:
    uri = transformer.output_path.rstrip("/") + "/" + name + ".out"
    return np.loadtxt(results.read_text(course.s3_client, uri).splitlines(), delimiter=",", ndmin=1)


@pytest.fixture(scope="module")
def featurizer(course, course_data, tmp_path_factory):
    estimator = _sklearn(course, _source(tmp_path_factory.mktemp("src"), "featurizer", FEATURIZE),
                         hyperparameters={"with_mean": 1})
    estimator.fit({"train": course_data.train_uri}, logs=False)
    return estimator


def _local_scaler(course_data):
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit(course_data.train[data.FEATURES].to_numpy("float32"))


def test_sklearn_fit_then_transform_completes_with_the_scripts_real_output(course, course_data, featurizer):
    job = course.sagemaker_client.describe_training_job(TrainingJobName=featurizer.latest_training_job.name)
    assert job["TrainingJobStatus"] == "Completed"
    log = _log_text(course, "/aws/sagemaker/TrainingJobs", job["TrainingJobName"])
    # the toolkit's contract: hyperparameters as arguments, SM_* variables, the script's own output in the stream
    assert " featurize.py --with_mean 1" in log
    assert "SM_CHANNEL_TRAIN=" in log and "SM_HPS={\"with_mean\": 1}" in log and 'SM_HOSTS=["algo-1"]' in log
    assert f"fitted a StandardScaler on {len(course_data.train)} rows; hosts [\"algo-1\"]" in log
    assert "Reporting training SUCCESS" in log

    transformer = featurizer.transformer(instance_count=1, instance_type="ml.m5.large", accept="text/csv",
                                         assemble_with="Line",
                                         output_path=course.s3_uri("script-mode", "featurized-test"))
    transformer.transform(_features_uri(course, course_data.test, "test"), content_type="text/csv",
                          split_type="Line", logs=False)
    transformer.wait(logs=False)
    scaled = _output(course, transformer)
    expected = _local_scaler(course_data).transform(course_data.test[data.FEATURES].to_numpy("float32"))
    assert scaled.shape == expected.shape
    np.testing.assert_allclose(scaled, expected, rtol=1e-5, atol=1e-5)


def test_a_raising_script_fails_the_job_with_the_toolkits_failure_reason_and_its_traceback_in_the_log(
        course, course_data, tmp_path):
    from sagemaker.exceptions import UnexpectedStatusException

    script = FEATURIZE.replace("scaler = StandardScaler", "raise ValueError('no numeric columns here')\n    scaler = StandardScaler")
    estimator = _sklearn(course, _source(tmp_path, "raising", script))
    with pytest.raises(UnexpectedStatusException):
        estimator.fit({"train": course_data.train_uri}, logs=False)
    job = course.sagemaker_client.describe_training_job(TrainingJobName=estimator.latest_training_job.name)
    assert job["TrainingJobStatus"] == "Failed"
    # errors._CalledProcessError.__str__ (aws/sagemaker-training-toolkit), behind SageMaker's "AlgorithmError: "
    assert job["FailureReason"].startswith('AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage ""\n'
                                           'Command "'), job["FailureReason"]
    assert job["FailureReason"].endswith(' featurize.py"')
    assert "ModelArtifacts" not in job or not job["ModelArtifacts"]
    log = _log_text(course, "/aws/sagemaker/TrainingJobs", job["TrainingJobName"])
    assert "Traceback (most recent call last):" in log and "ValueError: no numeric columns here" in log
    assert "Reporting training FAILURE" in log


def test_a_requirements_txt_is_refused_with_the_reason_before_anything_runs(course, course_data, tmp_path):
    from botocore.exceptions import ClientError

    estimator = _sklearn(course, _source(tmp_path, "needs-pip", FEATURIZE, {"requirements.txt": "lightgbm\n"}))
    with pytest.raises(ClientError) as raised:
        estimator.fit({"train": course_data.train_uri}, logs=False, wait=False)
    assert raised.value.response["Error"]["Code"] == "NotSupportedOffline"
    assert "requirements.txt" in raised.value.response["Error"]["Message"]
    assert "pip" in raised.value.response["Error"]["Message"]


def test_script_mode_on_an_image_the_runtime_does_not_emulate_is_refused(course, course_data):
    from botocore.exceptions import ClientError

    image = "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1-cpu-py310"
    with pytest.raises(ClientError) as raised:
        course.sagemaker_client.create_training_job(
            TrainingJobName="script-mode-pytorch", RoleArn=course.role,
            AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
            HyperParameters={"sagemaker_program": '"train.py"',
                             "sagemaker_submit_directory": f'"s3://{course.bucket}/code/sourcedir.tar.gz"'},
            InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": course_data.train_uri}}}],
            OutputDataConfig={"S3OutputPath": course.s3_uri("script-mode", "out")},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            StoppingCondition={"MaxRuntimeInSeconds": 600})
    assert raised.value.response["Error"]["Code"] == "NotSupportedOffline"
    assert "train.py" in raised.value.response["Error"]["Message"]


def test_a_pipeline_model_of_featurizer_and_builtin_xgboost_equals_the_two_step_run(course, course_data, featurizer):
    from sagemaker.inputs import TrainingInput
    from sagemaker.model import Model
    from sagemaker.pipeline import PipelineModel

    # the two-step run: featurize train/validation with the scaler, retrain built-in XGBoost, transform scaled test
    scaler = _local_scaler(course_data)
    scaled_uris = {}
    for split in ("train", "validation"):
        frame = getattr(course_data, split)
        scaled = pd.DataFrame(scaler.transform(frame[data.FEATURES].to_numpy("float32")), columns=data.FEATURES)
        scaled.insert(0, data.TARGET, frame[data.TARGET].to_numpy())
        path = Path("../build/test-script-mode/scaled") / f"{split}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        scaled.to_csv(path, header=False, index=False)
        scaled_uris[split] = course.session.upload_data(str(path), bucket=course.bucket,
                                                        key_prefix=f"{course.prefix}/script-mode/scaled-{split}")
    from sagemaker.estimator import Estimator

    xgb = Estimator(models.image_uri(course), course.role, instance_count=1, instance_type="ml.m5.large",
                    hyperparameters=models.HYPERPARAMETERS, sagemaker_session=course.session,
                    output_path=course.s3_uri("script-mode", "xgb"))
    xgb.fit({split: TrainingInput(uri, content_type="text/csv") for split, uri in scaled_uris.items()}, logs=False)
    xgb_model = Model(image_uri=models.image_uri(course), model_data=xgb.model_data, role=course.role,
                      sagemaker_session=course.session)
    scaled_test = course_data.test[data.FEATURES].copy()
    scaled_test[data.FEATURES] = scaler.transform(course_data.test[data.FEATURES].to_numpy("float32"))
    two_step = xgb_model.transformer(instance_count=1, instance_type="ml.m5.large", accept="text/csv",
                                     assemble_with="Line", output_path=course.s3_uri("script-mode", "two-step"))
    two_step.transform(_features_uri(course, scaled_test, "scaled-test"), content_type="text/csv", split_type="Line",
                       logs=False)
    two_step.wait(logs=False)

    pipeline = PipelineModel(models=[featurizer.create_model(env={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"}),
                                     xgb_model], role=course.role, sagemaker_session=course.session)
    one_job = pipeline.transformer(instance_count=1, instance_type="ml.m5.large", accept="text/csv",
                                   assemble_with="Line", output_path=course.s3_uri("script-mode", "pipeline"))
    one_job.transform(_features_uri(course, course_data.test, "raw-test"), content_type="text/csv", split_type="Line",
                      logs=False)
    one_job.wait(logs=False)
    described = course.sagemaker_client.describe_model(ModelName=one_job.model_name)
    assert [c["Image"].split("/")[-1] for c in described["Containers"]] == [
        "sagemaker-scikit-learn:1.2-1-cpu-py3", models.image_uri(course).split("/")[-1]]
    piped = _output(course, one_job, "features.csv")
    stepped = _output(course, two_step, "features.csv")
    assert len(piped) == len(course_data.test)
    np.testing.assert_array_equal(piped, stepped)


# -- the container's handlers, without AWS --------------------------------------------------------------------------
def _server(tmp_path, script: str, environ=None, framework="sklearn", model_files=None):
    from sagemaker_offline.script_container import ScriptServer

    code, model = tmp_path / "code", tmp_path / "model"
    code.mkdir(parents=True)
    model.mkdir()
    (code / "inference.py").write_text(textwrap.dedent(script))
    for name, text in (model_files or {}).items():
        (model / name).write_text(text)
    lines = []
    server = ScriptServer(framework, model, code, "inference.py", environ or {},
                          log=lambda message, level="INFO": lines.append((level, message)),
                          unique=f"{tmp_path.parent.name}_{tmp_path.name}".replace("-", "_"))
    return server, lines


def test_without_model_fn_the_container_cannot_load_and_says_so(tmp_path):
    server, lines = _server(tmp_path, "def predict_fn(data, model):\n    return data\n")
    assert server.ping().status == 500
    assert "Please provide a model_fn implementation." in lines[-1][1]


def test_the_default_handlers_decode_csv_to_float32_predict_and_encode_for_the_accept(tmp_path):
    server, _ = _server(tmp_path, '''
        class Doubler:
            def predict(self, data):
                assert str(data.dtype) == "float32", data.dtype
                return data * 2
        def model_fn(model_dir):
            return Doubler()
    ''')
    assert server.ping().status == 200
    as_csv = server.invocations(b"1,2\n3,4\n", "text/csv", "text/csv")
    assert (as_csv.status, as_csv.content_type, as_csv.body) == (200, "text/csv", b"2.0,4.0\n6.0,8.0\n")
    as_json = server.invocations(b"[[1, 2]]", "application/json", None)  # no Accept: application/json
    assert (as_json.status, as_json.content_type, json.loads(as_json.body)) == (200, "application/json", [[2.0, 4.0]])
    unsupported = server.invocations(b"1 2", "text/plain", "text/csv")
    assert unsupported.status == 415 and json.loads(unsupported.body)["error"] == "UnsupportedFormatError"
    not_acceptable = server.invocations(b"1,2\n", "text/csv", "application/x-parquet")
    assert not_acceptable.status == 406


def test_the_default_accept_comes_from_sagemaker_default_invocations_accept(tmp_path):
    server, _ = _server(tmp_path, '''
        def model_fn(model_dir):
            return None
        def predict_fn(data, model):
            return data
    ''', environ={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"})
    answer = server.invocations(b"1,2\n", "text/csv", "*/*")
    assert (answer.content_type, answer.body) == ("text/csv", b"1.0\n2.0\n")


def test_a_handler_that_raises_is_a_500_with_the_traceback_in_the_container_log(tmp_path):
    server, lines = _server(tmp_path, '''
        def model_fn(model_dir):
            return None
        def predict_fn(data, model):
            raise KeyError("column 'B'")
    ''')
    answer = server.invocations(b"1,2\n", "text/csv", "text/csv")
    assert answer.status == 500
    assert lines[-1][0] == "ERROR" and "Traceback" in lines[-1][1] and "KeyError: \"column 'B'\"" in lines[-1][1]


def test_transform_fn_with_input_fn_is_refused_as_the_container_refuses_it(tmp_path):
    server, lines = _server(tmp_path, '''
        def model_fn(model_dir): return None
        def input_fn(body, content_type): return body
        def transform_fn(model, body, content_type, accept): return body, accept
    ''')
    assert server.ping().status == 500
    assert "Cannot use transform_fn implementation with input_fn" in lines[-1][1]


def test_a_pipeline_passes_each_response_on_with_its_content_type_and_reports_the_failing_container(tmp_path):
    from sagemaker_offline.script_container import PipelineServer

    first, _ = _server(tmp_path / "a", '''
        def model_fn(model_dir): return None
        def predict_fn(data, model): return data + 1
    ''', environ={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"})
    second, lines = _server(tmp_path / "b", '''
        def model_fn(model_dir): return None
        def input_fn(body, content_type):
            if content_type != "text/csv":
                raise ValueError("expected CSV, got " + content_type)
            return body
        def predict_fn(data, model):
            if b"3.0" in data:
                raise RuntimeError("container 2 cannot score 3.0")
            return data
        def output_fn(prediction, accept): return prediction, accept
    ''')
    pipeline = PipelineServer([first, second], ["featurizer", "xgboost"])
    assert pipeline.ping().status == 200
    ok = pipeline.invocations(b"0,0\n", "text/csv", "text/csv")  # container 1 answers CSV (its default Accept)
    assert (ok.status, ok.body) == (200, b"1.0\n1.0\n")
    failed = pipeline.invocations(b"1,2\n", "text/csv", "text/csv")
    assert failed.status == 500 and failed.failed_container == "xgboost"
    assert "container 2 cannot score 3.0" in lines[-1][1]


def test_stopping_a_script_mode_job_kills_the_script_process(course, course_data, tmp_path):
    pid_file = tmp_path / "script.pid"
    script = FEATURIZE.replace("args = parser.parse_args()", f"args = parser.parse_args()\n    "
                               f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n    "
                               "import time; time.sleep(600)")
    script = "import os\n" + script
    estimator = _sklearn(course, _source(tmp_path, "sleeper", script))
    estimator.fit({"train": course_data.train_uri}, wait=False, logs=False)
    name = estimator.latest_training_job.name
    deadline = time.time() + 60
    while not pid_file.exists() and time.time() < deadline:
        course.sagemaker_client.describe_training_job(TrainingJobName=name)
        time.sleep(0.2)
    pid = int(pid_file.read_text())
    os.kill(pid, 0)  # the script is running
    course.sagemaker_client.stop_training_job(TrainingJobName=name)
    deadline = time.time() + 60
    while time.time() < deadline:
        status = course.sagemaker_client.describe_training_job(TrainingJobName=name)["TrainingJobStatus"]
        if status == "Stopped":
            break
        time.sleep(0.2)
    assert status == "Stopped"
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)


TRAIN_XGB = textwrap.dedent('''
    import argparse, glob, os
    import pandas as pd
    import xgboost as xgb

    def model_fn(model_dir):
        booster = xgb.Booster()
        booster.load_model(os.path.join(model_dir, "model.json"))
        return booster

    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--num_round", type=int, default=5)
        args = parser.parse_args()
        train = pd.concat(pd.read_csv(f, header=None) for f in glob.glob(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "*")))
        booster = xgb.train({"max_depth": 3, "nthread": 1}, xgb.DMatrix(train.iloc[:, 1:], label=train.iloc[:, 0]),
                            args.num_round)
        booster.save_model(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"))
        print("trained", booster.num_boosted_rounds(), "rounds")
''')


def test_xgboost_framework_script_mode_trains_and_serves_with_the_xgboost_containers_defaults(
        course, course_data, tmp_path):
    """The built-in algorithm's image, told apart by sagemaker_program; serving: CSV into a DMatrix, booster.predict."""
    import xgboost as xgb
    from sagemaker.xgboost import XGBoost

    folder = tmp_path / "xgb"
    folder.mkdir()
    (folder / "train_xgb.py").write_text(TRAIN_XGB)
    estimator = XGBoost(entry_point="train_xgb.py", source_dir=str(folder), framework_version="1.7-1",
                        role=course.role, instance_type="ml.m5.large", instance_count=1,
                        sagemaker_session=course.session, hyperparameters={"num_round": 7},
                        output_path=course.s3_uri("script-mode", "xgb-framework"))
    estimator.fit({"train": course_data.train_uri}, logs=False)
    job = course.sagemaker_client.describe_training_job(TrainingJobName=estimator.latest_training_job.name)
    assert job["HyperParameters"]["sagemaker_program"] == '"train_xgb.py"'
    assert "trained 7 rounds" in _log_text(course, "/aws/sagemaker/TrainingJobs", job["TrainingJobName"])
    transformer = estimator.transformer(1, "ml.m5.large", accept="text/csv", assemble_with="Line",
                                        output_path=course.s3_uri("script-mode", "xgb-framework-out"))
    transformer.transform(_features_uri(course, course_data.test, "xgb-framework"), content_type="text/csv",
                          split_type="Line", logs=False)
    transformer.wait(logs=False)
    served = _output(course, transformer)
    booster = xgb.train({"max_depth": 3, "nthread": 1},
                        xgb.DMatrix(course_data.train[data.FEATURES].to_numpy(), label=course_data.train[data.TARGET]),
                        7)
    expected = booster.predict(xgb.DMatrix(course_data.test[data.FEATURES].to_numpy("float32")))
    np.testing.assert_allclose(served, expected, rtol=1e-5)


def test_a_failure_in_container_2_of_a_pipeline_fails_the_job_with_the_traceback_in_the_log_and_no_output(
        course, course_data, featurizer, tmp_path):
    from sagemaker.exceptions import UnexpectedStatusException
    from sagemaker.pipeline import PipelineModel
    from sagemaker.sklearn.model import SKLearnModel

    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "broken.py").write_text(textwrap.dedent('''
        def model_fn(model_dir):
            return None

        def predict_fn(data, model):
            raise ArithmeticError(f"container 2 got {data.shape[1]} columns")
    '''))
    broken = SKLearnModel(model_data=featurizer.model_data, role=course.role, entry_point="broken.py",
                          source_dir=str(folder), framework_version="1.2-1", sagemaker_session=course.session,
                          code_location=course.s3_uri("script-mode", "broken-code"))
    pipeline = PipelineModel(models=[featurizer.create_model(env={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"}),
                                     broken], role=course.role, sagemaker_session=course.session)
    output = course.s3_uri("script-mode", "broken-pipeline")
    transformer = pipeline.transformer(instance_count=1, instance_type="ml.m5.large", accept="text/csv",
                                       assemble_with="Line", output_path=output)
    transformer.transform(_features_uri(course, course_data.test, "broken"), content_type="text/csv",
                          split_type="Line", logs=False, wait=False)
    with pytest.raises(UnexpectedStatusException):
        transformer.wait(logs=False)
    job = course.sagemaker_client.describe_transform_job(TransformJobName=transformer.latest_transform_job.name)
    assert (job["TransformJobStatus"], job["FailureReason"]) == ("Failed", "ClientError: See job logs for more information")
    log = _log_text(course, "/aws/sagemaker/TransformJobs", job["TransformJobName"])
    assert "ArithmeticError: container 2 got 13 columns" in log  # container 1's CSV answer reached container 2
    assert "ClientError: 500" in log
    assert results.list_outputs(course.s3_client, output) == []
