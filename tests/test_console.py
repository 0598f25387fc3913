"""helpers/course/console.py: field mapping, botocore validity, blank fields, SDK equivalence, exercise checks, notebook 08."""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import botocore.session
import pytest
from botocore.validate import ParamValidator

from helpers.course import console

BUCKET = console.PLACEHOLDER_BUCKET
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "08_console_walkthrough.ipynb"

# Written out independently of helpers/course/console.py: where each console field must land in CreateTransformJob.
EXPECTED_PATHS = {
    "Job name": "TransformJobName",
    "Model name": "ModelName",
    "Instance type": "TransformResources.InstanceType",
    "Instance count": "TransformResources.InstanceCount",
    "Max concurrent transforms": "MaxConcurrentTransforms",
    "Max payload size (MB)": "MaxPayloadInMB",
    "Batch strategy": "BatchStrategy",
    "S3 data type": "TransformInput.DataSource.S3DataSource.S3DataType",
    "Split type": "TransformInput.SplitType",
    "Compression": "TransformInput.CompressionType",
    "Content type": "TransformInput.ContentType",
    "S3 location": "TransformInput.DataSource.S3DataSource.S3Uri",
    "S3 output path": "TransformOutput.S3OutputPath",
    "Encryption key": "TransformOutput.KmsKeyId",
    "Accept": "TransformOutput.Accept",
    "Assemble with": "TransformOutput.AssembleWith",
    "Input filter": "DataProcessing.InputFilter",
    "Join source": "DataProcessing.JoinSource",
    "Output filter": "DataProcessing.OutputFilter",
    "Environment variables": "Environment",
    "Tags": "Tags",
}
EXPECTED_SDK_ARGS = {
    "Job name": "job_name", "Model name": "name", "Instance type": "instance_type", "Instance count": "instance_count",
    "Max concurrent transforms": "max_concurrent_transforms", "Max payload size (MB)": "max_payload",
    "Batch strategy": "strategy", "S3 data type": "data_type", "Split type": "split_type",
    "Compression": "compression_type", "Content type": "content_type", "S3 location": "data",
    "S3 output path": "output_path", "Encryption key": "output_kms_key", "Accept": "accept",
    "Assemble with": "assemble_with", "Input filter": "input_filter", "Join source": "join_source",
    "Output filter": "output_filter", "Environment variables": "env", "Tags": "tags",
}
# A value for each field that differs from the demo form, and what the API must receive for it.
SAMPLES = {
    "Job name": ("boston-job-2", "boston-job-2"),
    "Model name": ("other-model", "other-model"),
    "Instance type": ("ml.m5.large", "ml.m5.large"),
    "Instance count": ("3", 3),
    "Max concurrent transforms": (2, 2),
    "Max payload size (MB)": ("1", 1),
    "Batch strategy": ("SingleRecord", "SingleRecord"),
    "S3 data type": ("ManifestFile", "ManifestFile"),
    "Split type": ("RecordIO", "RecordIO"),
    "Compression": ("Gzip", "Gzip"),
    "Content type": ("application/json", "application/json"),
    "S3 location": ("s3://b/in/", "s3://b/in/"),
    "S3 output path": ("s3://b/out/", "s3://b/out/"),
    "Encryption key": ("alias/course-key", "alias/course-key"),
    "Accept": ("text/csv", "text/csv"),
    "Assemble with": ("None", "None"),
    "Input filter": ("$[1:]", "$[1:]"),
    "Join source": ("Input", "Input"),
    "Output filter": ("$[0,-1]", "$[0,-1]"),
    "Environment variables": ({"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"},
                              {"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"}),
    "Tags": ({"team": "ml"}, [{"Key": "team", "Value": "ml"}]),
}
# Every field filled in: the widest request the form can send.
FULL_FORM = {**console.demo_form(), **{label: sample for label, (sample, _) in SAMPLES.items()
                                       if label not in ("Model name", "S3 data type", "Split type")}}


def get(request: dict, path: str):
    node = request
    for key in path.split("."):
        node = node[key]
    return node


def botocore_errors(request: dict, operation: str = "CreateTransformJob") -> str:
    model = botocore.session.get_session().get_service_model("sagemaker")
    report = ParamValidator().validate(request, model.operation_model(operation).input_shape)
    return report.generate_report()


# --- the field table ---------------------------------------------------------------------------------------------


def test_the_form_has_every_field_of_the_console_in_order():
    labels = [f.label for f in console.CONSOLE_FIELDS]
    assert set(labels) == set(EXPECTED_PATHS)
    assert len(labels) == len(set(labels))
    assert labels.index("Job name") < labels.index("S3 location") < labels.index("S3 output path") < labels.index(
        "Input filter") < labels.index("Tags")


@pytest.mark.parametrize("label", sorted(EXPECTED_PATHS))
def test_each_field_maps_to_its_api_path_and_sdk_argument(label):
    field = next(f for f in console.CONSOLE_FIELDS if f.label == label)
    assert field.api_path == EXPECTED_PATHS[label]
    assert field.sdk_arg == EXPECTED_SDK_ARGS[label]
    typed, sent = SAMPLES[label]
    request = console.console_request({**console.demo_form(), label: typed})
    assert get(request, EXPECTED_PATHS[label]) == sent


def test_api_paths_exist_in_botocores_input_shape_and_choices_are_api_values():
    model = botocore.session.get_session().get_service_model("sagemaker")
    for operation, table in (("CreateTransformJob", console.CONSOLE_FIELDS), ("CreateModel", console.MODEL_FIELDS)):
        for field in table:
            if field.api_path is None:
                continue
            shape = model.operation_model(operation).input_shape
            for key in field.api_path.split("."):
                shape = shape.members[key]
            api_choices = {dict(field.to_api).get(c, c) for c in field.allowed}
            assert api_choices <= set(shape.metadata.get("enum", api_choices)), field.label
    instance_type = next(f for f in console.CONSOLE_FIELDS if f.label == "Instance type")
    assert "ml.m4.xlarge" in console.allowed_values(instance_type)


# --- requests ----------------------------------------------------------------------------------------------------


def test_demo_form_gives_the_lessons_request_and_botocore_accepts_it():
    request = console.console_request(console.demo_form())
    assert request == {
        "TransformJobName": "boston-xgboost-console-job",
        "ModelName": "boston-xgboost-model",
        "TransformResources": {"InstanceType": "ml.m4.xlarge", "InstanceCount": 1},
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                            "S3Uri": f"s3://{BUCKET}/batch-transform-course/test/"}},
            "SplitType": "Line",
            "ContentType": "text/csv",
        },
        "TransformOutput": {"S3OutputPath": f"s3://{BUCKET}/batch-transform-course/batch-transform-console/",
                            "AssembleWith": "Line"},
        "Tags": [{"Key": "course", "Value": "sagemaker-batch-transform"}],
    }
    assert botocore_errors(request) == ""
    assert console.request_problems(request) == []


def test_a_fully_filled_form_passes_botocore_and_the_service_models_constraints():
    request = console.console_request(FULL_FORM)
    assert botocore_errors(request) == ""
    assert console.request_problems(request) == []
    assert request["DataProcessing"] == {"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"}


def test_keywords_work_like_the_dict():
    form = console.demo_form()
    keywords = {re.sub(r"\W+", "_", label).strip("_"): value for label, value in form.items()}
    assert console.console_request(**keywords) == console.console_request(form)
    assert console.console_request(**form) == console.console_request(form)


@pytest.mark.parametrize("blank", [None, "", "   ", {}])
def test_blank_optional_fields_are_left_out_of_the_request(blank):
    optional = [f for f in console.CONSOLE_FIELDS if not f.required]
    form = {**console.demo_form(), **{f.label: blank for f in optional}}
    request = console.console_request(form)
    assert set(request) == {"TransformJobName", "ModelName", "TransformResources", "TransformInput",
                            "TransformOutput"}
    assert request["TransformInput"] == {"DataSource": request["TransformInput"]["DataSource"]}
    assert set(request["TransformOutput"]) == {"S3OutputPath"}
    assert botocore_errors(request) == ""


def test_a_blank_required_choice_sends_what_the_console_preselects():
    request = console.console_request({**console.demo_form(), "S3 data type": ""})
    assert get(request, "TransformInput.DataSource.S3DataSource.S3DataType") == "ManifestFile"


def test_a_choice_set_to_none_is_sent_as_the_api_value_none():
    request = console.console_request({**console.demo_form(), "Compression": "None", "Join source": "None"})
    assert request["TransformInput"]["CompressionType"] == "None"
    assert request["DataProcessing"] == {"JoinSource": "None"}


def test_environment_is_a_map_and_tags_a_list_of_key_value_pairs():
    form = {**console.demo_form(), "Environment variables": [("A", "1"), ("B_2", "x y")],
            "Tags": [{"Key": "course", "Value": "x"}, {"Key": "owner", "Value": "me"}]}
    request = console.console_request(form)
    assert request["Environment"] == {"A": "1", "B_2": "x y"}
    assert request["Tags"] == [{"Key": "course", "Value": "x"}, {"Key": "owner", "Value": "me"}]
    assert botocore_errors(request) == ""


@pytest.mark.parametrize("change, advice", [
    ({"Job name": "my_job"}, 'Job name "my_job" is not a valid SageMaker name'),
    ({"Job name": "a" * 64}, "Job name"),
    ({"Model name": "model.v1"}, 'e.g. "model-v1"'),
    ({"S3 location": "amzn-s3-demo-bucket/in/"}, 'S3 location "amzn-s3-demo-bucket/in/" is not an S3 URI'),
    ({"S3 output path": "/tmp/out"}, "S3 output path"),
    ({"Split type": "line"}, 'Did you mean "Line"?'),
    ({"Instance type": "ml.m4.xlarg"}, 'Did you mean "ml.m4.xlarge"?'),
    ({"Instance count": 0}, "Instance count"),
    ({"Instance count": "one"}, "whole number"),
    ({"Max payload size (MB)": True}, "whole number"),
    ({"Content type": 5}, "text box"),
    ({"Environment variables": {"1A": "x"}}, "not a valid variable name"),
    ({"Environment variables": {f"V{i}": "x" for i in range(17)}}, "Environment variables: 17 entries"),
    ({"Environment variables": {"A": 1}}, 'as "A": "1"'),
    ({"Tags": "course=x"}, "key/value rows"),
    ({"Input filter": "$" + "[0]" * 30}, "Input filter"),
    ({"Job nmae": "x"}, 'Did you mean "Job name"?'),
    ({"Job name": None}, "Job name is required"),
    ({"Batch strategy": ...}, "placeholder `...`"),
])
def test_values_the_service_refuses_raise_advice_naming_the_console_field(change, advice):
    with pytest.raises(console.ConsoleFormError, match=re.escape(advice)):
        console.console_request({**console.demo_form(), **change})


def test_a_63_character_name_is_fine_and_every_problem_is_reported_at_once():
    assert console.console_request({**console.demo_form(), "Job name": "a" * 63})["TransformJobName"] == "a" * 63
    with pytest.raises(console.ConsoleFormError) as err:
        console.console_request({**console.demo_form(), "Job name": "", "Split type": "lines", "Tags": "x"})
    assert "3 problem(s)" in str(err.value)


def test_validate_request_rejects_what_botocore_and_the_service_model_reject():
    console.validate_request(console.console_request(console.demo_form()))
    with pytest.raises(console.ConsoleFormError, match="TransformInput"):
        console.validate_request({"TransformJobName": "j", "ModelName": "m",
                                  "TransformOutput": {"S3OutputPath": "s3://b/o"},
                                  "TransformResources": {"InstanceType": "ml.m4.xlarge", "InstanceCount": 1}})
    with pytest.raises(console.ConsoleFormError, match="SplitType"):
        bad = console.console_request(console.demo_form())
        bad["TransformInput"]["SplitType"] = "Lines"
        console.validate_request(bad)


def test_print_console_request_is_the_boto3_call_with_exactly_that_request(capsys):
    form = FULL_FORM
    console.print_console_request(form)
    printed = capsys.readouterr().out
    assert printed.rstrip().endswith("sagemaker_client.create_transform_job(**request)")
    sent = {}
    client = SimpleNamespace(create_transform_job=lambda **kwargs: sent.update(kwargs))
    exec(printed, {"sagemaker_client": client})
    assert sent == console.console_request(form)


# --- the model form ----------------------------------------------------------------------------------------------


def test_demo_model_form_gives_a_valid_create_model_request():
    request = console.console_model_request(console.demo_model_form())
    assert request == {
        "ModelName": "boston-xgboost-model",
        "ExecutionRoleArn": "arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-course",
        "PrimaryContainer": {
            "Image": console.DEMO_IMAGE_URI,
            "ModelDataUrl": f"s3://{BUCKET}/batch-transform-course/model/course-xgboost-2021-08-31-23-02-30-970/"
                            "output/model.tar.gz",
        },
    }
    assert botocore_errors(request, "CreateModel") == ""
    assert console.request_problems(request, "CreateModel") == []


def test_model_form_choices_and_mistakes():
    form = {**console.demo_model_form(), "Provide model artifacts and inference image options": "Use multiple models",
            "Environment variables": {"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"}}
    request = console.console_model_request(form)
    assert request["PrimaryContainer"]["Mode"] == "MultiModel"
    assert request["PrimaryContainer"]["Environment"] == {"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"}
    with pytest.raises(console.ConsoleFormError, match="is not a role ARN"):
        console.console_model_request({**console.demo_model_form(), "IAM role": "AmazonSageMaker-ExecutionRole"})
    with pytest.raises(console.ConsoleFormError, match="Container input options"):
        console.console_model_request({**console.demo_model_form(), "Container input options": "Use a model package"})
    with pytest.raises(console.ConsoleFormError, match="Location of inference code image is required"):
        console.console_model_request({**console.demo_model_form(), "Location of inference code image": ""})
    with pytest.raises(console.ConsoleFormError, match="same Model name"):
        console.sdk_equivalent(console.demo_form(), {**console.demo_model_form(), "Model name": "other"})


# --- the SDK code sends the same requests -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sdk_session():
    """A SageMaker SDK v2 session whose client records each request instead of sending it (no network)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
        import boto3
        import sagemaker

        boto_session = boto3.Session(region_name="us-west-2", aws_access_key_id="testing",
                                     aws_secret_access_key="testing")
        client = boto_session.client("sagemaker")
        sent = []
        answers = {"CreateModel": {"ModelArn": "arn:aws:sagemaker:us-west-2:111122223333:model/m"},
                   "CreateTransformJob": {
                       "TransformJobArn": "arn:aws:sagemaker:us-west-2:111122223333:transform-job/j"}}

        def record(params, model, **_):
            sent.append((model.name, json.loads(params["body"])))
            return SimpleNamespace(status_code=200, headers={}), answers[model.name]

        client.meta.events.register("before-call.sagemaker.*", record)
        config = {"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}
        session = sagemaker.Session(boto_session=boto_session, sagemaker_client=client, sagemaker_config=config)
        yield SimpleNamespace(session=session, sent=sent, sagemaker=sagemaker)


def run_sdk_code(sdk_session, form, model_form=None):
    sdk_session.sent.clear()
    code = console.sdk_equivalent(form, model_form, session_variable="session", wait=False)
    exec(code, {"session": sdk_session.session})
    return dict(sdk_session.sent)


@pytest.mark.parametrize("form", [console.demo_form(), FULL_FORM], ids=["demo", "every-field"])
def test_the_sdk_code_sends_the_same_create_transform_job_request(sdk_session, form):
    sent = run_sdk_code(sdk_session, form, console.demo_model_form())
    assert sent["CreateTransformJob"] == console.console_request(form)
    # Two SDK habits the console does not share: an empty container environment, and the job's tags on the model.
    model_request = dict(sent["CreateModel"])
    assert model_request.pop("Tags", None) == console.console_request(form).get("Tags")
    assert model_request["PrimaryContainer"].pop("Environment") == {}
    assert model_request == console.console_model_request(console.demo_model_form())


def test_the_transformer_for_an_existing_model_sends_the_same_request(sdk_session):
    sent = run_sdk_code(sdk_session, FULL_FORM)
    assert list(sent) == ["CreateTransformJob"]
    assert sent["CreateTransformJob"] == console.console_request(FULL_FORM)


def test_the_sdk_text_names_the_same_values_as_the_form():
    text = console.sdk_equivalent(FULL_FORM, console.demo_model_form())
    assert "model = Model(" in text and "model.transformer(" in text and "transformer.transform(" in text
    for label, value in FULL_FORM.items():
        if label == "Model name":
            assert f'name="{value}"' in text
            continue
        sent = console.console_request(FULL_FORM)
        literal = get(sent, EXPECTED_PATHS[label])
        shown = json.dumps(literal) if not isinstance(literal, dict) else None
        if shown:
            assert f"{EXPECTED_SDK_ARGS[label]}={shown}," in text, label
        else:
            assert f"{EXPECTED_SDK_ARGS[label]}={{" in text
    assert "wait=False" not in text


def test_demo_image_is_the_sdks_xgboost_1_7_image(sdk_session):
    assert sdk_session.sagemaker.image_uris.retrieve("xgboost", "us-west-2", "1.7-1") == console.DEMO_IMAGE_URI


# --- exercises ---------------------------------------------------------------------------------------------------


def test_exercise_checks_pass_on_the_solution_and_fail_on_wrong_answers(capsys):
    demo = console.demo_form()
    console.check_exercise(1, {**demo, "Batch strategy": ..., "Join source": ...})
    assert "Exercise 1: not answered yet" in capsys.readouterr().out
    console.check_exercise(1, {**demo, "Batch strategy": "SingleRecord", "Join source": "Input", "Accept": "text/csv"})
    assert "Exercise 1: correct" in capsys.readouterr().out
    # issue 22: Step 2's form holds the course's instance type (COURSE_INSTANCE_TYPE); Exercise 1 is not about it
    console.check_exercise(1, {**demo, "Instance type": "ml.m5.large", "Batch strategy": "SingleRecord",
                               "Join source": "Input", "Accept": "text/csv"})
    assert "Exercise 1: correct" in capsys.readouterr().out
    # issue 10: the old solution left Accept blank, a job the Developer Guide and the kit's runtime refuse
    with pytest.raises(console.ExerciseCheckError, match="set Content type and Accept"):
        console.check_exercise(1, {**demo, "Batch strategy": "SingleRecord", "Join source": "Input"})
    with pytest.raises(console.ExerciseCheckError, match="Batch strategy: the form sends \"MultiRecord\""):
        console.check_exercise(1, {**demo, "Batch strategy": "MultiRecord", "Join source": "Input",
                                   "Accept": "text/csv"})
    with pytest.raises(console.ExerciseCheckError, match="Join source: the form sends nothing"):
        console.check_exercise(1, {**demo, "Batch strategy": "SingleRecord"})
    with pytest.raises(console.ExerciseCheckError, match="would refuse"):
        console.check_exercise(1, {**demo, "Batch strategy": "Single record", "Join source": "Input"})

    answer = {
        "Job name": "boston-xgboost-gzip-job", "Model name": "boston-xgboost-model",
        "Instance type": "ml.m5.xlarge", "Instance count": 2, "Max concurrent transforms": 4,
        "Max payload size (MB)": 1, "Batch strategy": "MultiRecord", "S3 data type": "S3Prefix",
        "Split type": "Line", "Compression": "Gzip", "Content type": "text/csv",
        "S3 location": f"s3://{BUCKET}/batch-transform-course/batch-input-gzip/",
        "S3 output path": f"s3://{BUCKET}/batch-transform-course/batch-output-gzip/",
        "Accept": "text/csv", "Assemble with": "Line",
    }
    console.check_exercise(2, answer)
    assert "Exercise 2: correct" in capsys.readouterr().out
    with pytest.raises(console.ExerciseCheckError, match=r"Max payload size \(MB\)"):
        console.check_exercise(2, {**answer, "Max payload size (MB)": 6})
    with pytest.raises(console.ExerciseCheckError, match="Compression"):
        console.check_exercise(2, {**answer, "Compression": ""})


@pytest.mark.parametrize("number", [1, 2])
def test_exercise_targets_are_jobs_the_runtime_accepts(number):
    """Each exercise's target request passes the DataProcessing checks a transform job makes before it starts."""
    from sagemaker_offline.data_processing import DataProcessing

    target = console.exercise_target(number)
    dp = target.get("DataProcessing", {})
    processing = DataProcessing(input_filter=dp.get("InputFilter", "$"), join_source=dp.get("JoinSource", "None"),
                                output_filter=dp.get("OutputFilter", "$"))
    processing.check_job(target["TransformInput"].get("ContentType"), target["TransformOutput"].get("Accept"),
                         target["TransformInput"].get("SplitType"), target["TransformOutput"].get("AssembleWith"))


# --- the notebook --------------------------------------------------------------------------------------------------


def test_notebook_tables_come_from_the_field_table_and_outputs_are_clean():
    nb = json.loads(NOTEBOOK.read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert console.fields_markdown() in markdown
    assert console.fields_markdown(model=True) in markdown
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    outputs = json.dumps([c["outputs"] for c in code])
    assert not re.search(r"/root|/home/|/work/|0x[0-9a-f]{6,}", outputs)
    sources = "\n".join("".join(c["source"]) for c in code)
    assert "import boto3" not in sources and "import sagemaker" not in sources  # no AWS calls in this notebook


def test_the_cli_option_column_names_options_the_real_aws_cli_accepts():
    """Each field's AWS CLI option, with a value in the CLI's shorthand, is one `aws sagemaker` accepts (an unknown
    option or malformed shorthand makes it exit non-zero before it would send anything)."""
    import subprocess

    from sagemaker_offline import aws_cli

    assert aws_cli.kit_cli() is not None, "awscli is in requirements.txt: run make .venv/.installed"
    for command, table in (("create-transform-job", console.CONSOLE_FIELDS), ("create-model", console.MODEL_FIELDS)):
        args = []
        for field in table:
            if field.cli_option:
                option, _, value = field.cli_option.partition(" ")
                args += [option, value.replace("...", "1") if value else "1"]  # "1" fits every scalar option
        result = subprocess.run([str(aws_cli.kit_cli()), "sagemaker", command, "--generate-cli-skeleton", *args,
                                 "--region", "us-west-2"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (command, result.stderr)
    assert console.CONSOLE_FIELDS[0].cli_option == "--transform-job-name"
    by_label = {f.label: f.cli_option for f in console.CONSOLE_FIELDS}
    assert by_label["S3 location"] == "--transform-input DataSource={S3DataSource={S3Uri=...}}"
    assert by_label["Max payload size (MB)"] == "--max-payload-in-mb"


# --- the SDK v3 track (notebooks/sdk-v3/08_console_walkthrough.ipynb) ---------------------------------------------

V3_NOTEBOOK = NOTEBOOK.parent / "sdk-v3" / NOTEBOOK.name


def test_every_field_that_reaches_the_request_names_its_v3_argument():
    for field in (*console.CONSOLE_FIELDS, *console.MODEL_FIELDS):
        assert bool(field.v3) == bool(field.api_path), field.label


def test_the_v3_code_uses_the_argument_each_table_row_names():
    text = console.sdk_equivalent(FULL_FORM, console.demo_model_form(), track="v3")
    assert "Model.create(" in text and "Transformer(" in text and "transformer.transform(" in text
    assert "model.transformer(" not in text and "from sagemaker.model" not in text
    for field in console.CONSOLE_FIELDS:
        argument = field.v3.split("(")[1].rstrip(")")
        if field.label in FULL_FORM or field.label == "Model name":
            assert f"    {argument}=" in text, field.label
    for field in console.MODEL_FIELDS:
        if field.v3 and field.label in console.demo_model_form():
            assert f"{field.v3.split('(')[1].rstrip(')')}=" in text, field.label


def test_the_v3_notebook_shows_the_v3_tables_and_prints_the_v3_code():
    nb = json.loads(V3_NOTEBOOK.read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert console.fields_markdown(track="v3") in markdown
    assert console.fields_markdown(model=True, track="v3") in markdown
    assert console.fields_markdown() not in markdown
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    printed = json.dumps([c["outputs"] for c in code])
    assert "Model.create(" in printed and "model.transformer(" not in printed
    assert not re.search(r"/root|/home/|/work/|0x[0-9a-f]{6,}", printed)
