"""Check cells of notebook 03 (batch transform with boto3): a request dict for a scenario, the fix for a failed job,
and the content type the XGBoost container assumes when a request has none."""
from __future__ import annotations

from typing import Any, Mapping

from helpers.connection.names import COURSE_TAG_KEY, COURSE_TAG_VALUE
from helpers.checks.common import correct, unanswered

NIGHTLY_PREFIX = "nightly-boston-"
NIGHTLY_INSTANCE_TYPE = "ml.m5.xlarge"

# Exercise 03.2: the choices offered in the notebook, and why each wrong one does not help.
HEADER_FIX = "b"
HEADER_CHOICES = {
    "a": ("The built-in XGBoost container reads only label_size from a CSV content type; it still parses every "
          "line as numbers, header included."),
    "c": ("With SplitType None the whole file goes in one request, and its first line is still the header: the "
          "container fails on the same 'CRIM'."),
    "d": "test.csv is far below the 6 MB default; the data-log is about parsing 'CRIM', not about size.",
}
LIBSVM_NAMES = ("text/libsvm", "libsvm", "text/x-libsvm")


def _advise(path: str, problem: str) -> str:
    """One line per problem; the long enum list and the bare name pattern become the change to make."""
    if path.endswith("Name") and "pattern" in problem:
        return (f"{path}: {problem.split(' does not')[0]} is not a valid name: letters, digits and hyphens only "
                "(no underscores), at most 63 characters.")
    if "is not one of" in problem:
        value = problem.split(" is not one of")[0]
        example = " e.g. 'ml.m5.xlarge'" if path.endswith("InstanceType") else ""
        return f"{path}: {value} is not an allowed value{example}."
    return f"{path}: {problem}" if path else problem


def _get(request: Mapping[str, Any], path: str) -> Any:
    value: Any = request
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _expect(request: Mapping[str, Any], path: str, wanted: Any, lesson_term: str) -> None:
    found = _get(request, path)
    assert found == wanted, f"{path} ({lesson_term}) should be {wanted!r}, not {found!r}."


def check_request(answer, model_name: str, input_uri: str, output_path: str) -> None:
    """Exercise 03.1: a create_transform_job request for the nightly scenario, valid for the API and on target."""
    if unanswered(answer):
        return
    from helpers.course.console import request_problems  # the same botocore shape and constraints the service checks

    assert isinstance(answer, Mapping), ("Answer with a dict of create_transform_job's arguments, "
                                         "e.g. {'TransformJobName': ..., 'ModelName': ..., ...}.")
    problems = request_problems(answer)
    assert not problems, ("SageMaker would refuse this request:\n- "
                          + "\n- ".join(_advise(path, problem) for path, problem in problems))
    name = answer["TransformJobName"]
    assert name.startswith(NIGHTLY_PREFIX), (f"Name the job {NIGHTLY_PREFIX}... : "
                                             f"name_from_base('{NIGHTLY_PREFIX.rstrip('-')}') gives a unique valid name.")
    _expect(answer, "ModelName", model_name, "the model, which holds the model artifact")
    _expect(answer, "TransformInput.DataSource.S3DataSource.S3Uri", input_uri, "the input path in S3")
    _expect(answer, "TransformInput.DataSource.S3DataSource.S3DataType", "S3Prefix", "how the input path is read")
    _expect(answer, "TransformInput.ContentType", "text/csv",
            "without it the XGBoost container reads the CSV as libsvm and the job fails")
    _expect(answer, "TransformInput.SplitType", "Line", "one record per line")
    assert str(_get(answer, "TransformOutput.S3OutputPath") or "").rstrip("/") == output_path.rstrip("/"), (
        f"TransformOutput.S3OutputPath (the output path in S3) should be {output_path!r}.")
    _expect(answer, "TransformOutput.AssembleWith", "Line", "one prediction per line in the .out")
    _expect(answer, "TransformResources.InstanceType", NIGHTLY_INSTANCE_TYPE, "the compute resources")
    _expect(answer, "TransformResources.InstanceCount", 1, "the compute resources")
    assert {"Key": COURSE_TAG_KEY, "Value": COURSE_TAG_VALUE} in list(answer.get("Tags") or []), (
        "Add Tags=course.tags, so the course's clean-up can find the job.")
    correct("Every field the lesson lists is there: input path, output path, compute resources and the model.")


def check_header_fix(answer) -> None:
    """Exercise 03.2: the one change that fixes the job whose CSV starts with a header row."""
    if unanswered(answer):
        return
    choice = str(answer).strip().lower().strip("()")
    assert choice in ("a", "b", "c", "d"), "Answer with one letter: 'a', 'b', 'c' or 'd'."
    assert choice == HEADER_FIX, HEADER_CHOICES[choice]
    correct("Built-in XGBoost reads CSV without a header: write the file with to_csv(header=False, index=False).")


def check_partial_failure(answer, good: str, bad: str) -> None:
    """Exercise 03.3: the status and the .out objects of one job over a prefix holding a good and a bad CSV.

    The Developer Guide (batch-transform.md, "If a batch transform job fails to process an input file ..."): a failed
    file gets no output file, the job goes on with the other files and is marked failed, and "the processed files
    still generate usable results".
    """
    if unanswered(answer):
        return
    assert isinstance(answer, dict) and {"TransformJobStatus", "outputs"} <= set(answer), (
        "Answer with a dict: {'TransformJobStatus': ..., 'outputs': [names of the .out objects]}.")
    status = str(answer["TransformJobStatus"])
    outputs = {str(name).rsplit("/", 1)[-1] for name in answer["outputs"] or []}
    assert status in ("Completed", "Failed", "Stopped"), "A finished job is 'Completed', 'Failed' or 'Stopped'."
    assert status == "Failed", (f"{bad} cannot be parsed, so the job cannot complete: SageMaker marks it 'Failed' "
                                "(the header-row job of Step 6 did the same).")
    assert f"{bad}.out" not in outputs, (f"An object that fails gets no .out at all, not a partial one: {bad}.out is "
                                         "never written.")
    assert outputs == {f"{good}.out"}, (
        f"The job goes on with the other objects, and {good} is fine: it keeps its {good}.out even though the job "
        "failed.")
    correct(f"Failed, yet {good}.out is there: read the FailureReason and the data-log to see which object failed, and "
            "do not take a failed job's output folder as empty (or as complete).")
