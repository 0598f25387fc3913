"""Reading what a job left behind: the `.out` objects under a transform's output path (as text or numbers), and the
kit's diagnosis of a failed job (explain_failure). Used by notebooks 02-05."""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd


def _split(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"{uri!r} is not an S3 URI (s3://bucket/prefix).")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def list_outputs(s3_client, output_path: str) -> list[str]:
    """The `.out` objects under an output path, as s3:// URIs in key order."""
    bucket, prefix = _split(output_path)
    keys = []
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", []) if item["Key"].endswith(".out")]
    return [f"s3://{bucket}/{key}" for key in sorted(keys)]


def read_text(s3_client, uri: str) -> str:
    """One object's body as text."""
    bucket, key = _split(uri)
    return s3_client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def read_predictions(s3_client, uri: str) -> np.ndarray:
    """A built-in XGBoost `.out` (one prediction per line) as a float array, one value per input row."""
    text = read_text(s3_client, uri)
    return np.array([float(line) for line in text.splitlines() if line.strip()])


def read_csv_output(s3_client, uri: str, names: list[str] | None = None) -> pd.DataFrame:
    """A joined or filtered CSV `.out` (JoinSource / OutputFilter) as a table."""
    return pd.read_csv(io.StringIO(read_text(s3_client, uri)), header=None, names=names)


def rmse(actual, predicted) -> float:
    """Root mean squared error, in the label's unit ($1000s for MEDV)."""
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    return float(np.sqrt(np.mean((actual - predicted) ** 2)))


# -- the kit's diagnosis of a failed job (notebooks 02-05): SageMaker's FailureReason often only says "See job logs" -----
@dataclass
class Diagnosis:
    """What explain_failure found: the job's status and FailureReason, the log line that shows the cause (and its
    stream), the likely cause and the one change that fixes it, in the lesson's terms."""

    job_name: str
    status: str
    failure_reason: str = ""
    evidence: str = ""
    stream: str = ""
    cause: str = ""
    fix: str = ""

    def __str__(self) -> str:
        lines = [f"Job {self.job_name}: {self.status}" + (f". FailureReason: {self.failure_reason}"
                                                           if self.failure_reason else "")]
        if self.evidence:
            lines.append(f"In the logs ({self.stream}): {self.evidence}")
        if self.cause:
            lines.append(f"Likely cause: {self.cause}")
        if self.fix:
            lines.append(f"The change that fixes it: {self.fix}")
        return "\n".join(lines)


# (a pattern in the logs or the FailureReason, the likely cause, the one change that fixes it), most specific first
_RULES = [
    ("could not convert string to float",
     "a field of the CSV is not a number, most often a header row (the column names) at the top of the file",
     "write the file with to_csv(header=False, index=False), and send only the feature columns (or an InputFilter)"),
    ("loading libsvm data failed",
     "the container read the data as libsvm, its format when the request gives no content type",
     "say the data is CSV: content_type='text/csv' (ContentType in TransformInput)"),
    ("is not an accepted contenttype",
     "the request's content type is not one the built-in XGBoost container reads",
     "use content_type='text/csv' for CSV (or text/libsvm, application/x-recordio-protobuf)"),
    ("accept type",
     "the Accept type asks for an output the container does not write",
     "use accept='text/csv' (Accept in TransformOutput), or leave it out"),
    ("feature size of",
     "the rows do not have the features the model was trained on (often the label column is still in)",
     "send exactly the training features, in the training order, without the label column"),
    ("number of columns does not match number of features",
     "the rows have more columns than the model has features (often the label column is still in)",
     "send exactly the training features, in the training order, without the label column"),
    ("feature_names mismatch",
     "the rows do not have the features the model was trained on (often the label column is still in)",
     "send exactly the training features, in the training order, without the label column"),
    ("clienterror: 413",
     "a mini-batch was larger than the container accepts: the built-in XGBoost container refuses a request body over "
     "6 MiB (HTTP 413) unless the model's environment sets MAX_CONTENT_LENGTH, whatever MaxPayloadInMB allows",
     "max_payload=6 or less (MaxPayloadInMB), or create the model with env={'MAX_CONTENT_LENGTH': str(mb * 1024**2)} "
     "and a max_payload of at most mb"),
    ("and splittype is none",
     "the object is larger than MaxPayloadInMB and SplitType is None, so it would be one request",
     "split_type='Line' so objects are cut into mini-batches of records (a larger max_payload stops at the "
     "container's 6 MiB)"),
    ("record is larger than",
     "one record is larger than MaxPayloadInMB",
     "make the records smaller, or raise max_payload up to 6 (MaxPayloadInMB; more needs MAX_CONTENT_LENGTH in the "
     "model's environment)"),
    ("failed to respond to ping",
     "the container could not load the model (GET /ping failed)",
     "point model_data at the model.tar.gz a built-in XGBoost training job wrote"),
    ("cannot be loaded",
     "the container could not load the model file",
     "point model_data at the model.tar.gz a built-in XGBoost training job wrote"),
    ("missing required hyperparameter",
     "a required hyperparameter is not set",
     "set it, e.g. estimator.set_hyperparameters(num_round=100)"),
    ("extraneous hyperparameter found",
     "a hyperparameter name the algorithm does not know (often a typo, or one an older image took)",
     "remove it, or fix its spelling against the XGBoost hyperparameters page"),
    ("could not parse value",
     "a hyperparameter value is not of its type (an integer hyperparameter given '5.0' or a word)",
     "give the value as the XGBoost hyperparameters page types it, e.g. max_depth='5'"),
    ("is not in [",
     "a hyperparameter value outside what the algorithm allows (the FailureReason names it and the allowed values)",
     "pick a value from the list or range the FailureReason shows, e.g. objective='reg:squarederror'"),
    ("could not find model data",
     "the model's ModelDataUrl points at no object (deleted, or never written: notebook 99 deletes the course's)",
     "create the model with model_data= the training job's ModelArtifacts.S3ModelArtifacts"),
]


def _log_lines(logs_client, group: str, job_name: str) -> list[tuple[str, str]]:
    """Every (stream, line) of a job's log streams, data-log streams first (they name the object and the status)."""
    from botocore.exceptions import ClientError

    try:
        streams = [s["logStreamName"] for page in logs_client.get_paginator("describe_log_streams").paginate(
            logGroupName=group, logStreamNamePrefix=job_name + "/") for s in page["logStreams"]]
    except ClientError:
        return []
    streams.sort(key=lambda name: (not name.endswith("/data-log"), name))
    lines = []
    for stream in streams:
        token = None
        while True:
            kwargs = {"nextToken": token} if token else {}
            page = logs_client.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, **kwargs)
            lines += [(stream, event["message"]) for event in page["events"]]
            if not page["events"] or page.get("nextForwardToken") == token:
                break
            token = page.get("nextForwardToken")
    return lines


def explain_failure(course_or_client, job_name: str, quiet: bool = False) -> Diagnosis:
    """The kit's diagnosis of a failed transform or training job: reads DescribeTransformJob/DescribeTrainingJob and
    the job's CloudWatch logs, prints the log line that shows the cause, the likely cause and the one change that
    fixes it (notebooks 02-05: read the logs first, then call this to check your reading)."""
    from botocore.exceptions import ClientError

    if hasattr(course_or_client, "sagemaker_client"):
        sagemaker_client, logs_client = course_or_client.sagemaker_client, course_or_client.boto_session.client("logs")
    else:
        import boto3

        sagemaker_client = course_or_client
        logs_client = boto3.client("logs", region_name=sagemaker_client.meta.region_name)
    try:
        described = sagemaker_client.describe_transform_job(TransformJobName=job_name)
        status, group, stop_call = described["TransformJobStatus"], "/aws/sagemaker/TransformJobs", "StopTransformJob"
    except ClientError:
        described = sagemaker_client.describe_training_job(TrainingJobName=job_name)
        status, group, stop_call = described["TrainingJobStatus"], "/aws/sagemaker/TrainingJobs", "StopTrainingJob"
    diagnosis = Diagnosis(job_name, status, described.get("FailureReason", ""))
    if status == "Stopped" and described.get("SecondaryStatus") == "MaxRuntimeExceeded":
        limit = described["StoppingCondition"]["MaxRuntimeInSeconds"]
        diagnosis.cause = (f"the job ran past its MaxRuntimeInSeconds ({limit} s) and SageMaker stopped it "
                           "(SecondaryStatus MaxRuntimeExceeded)")
        diagnosis.fix = ("give it more time: max_run= on the estimator (StoppingCondition.MaxRuntimeInSeconds); "
                         "nothing was kept, so fit() again")
    elif status != "Failed":
        diagnosis.cause = {"Completed": "nothing failed", "Stopped": f"the job was stopped ({stop_call})"}.get(
            status, "the job has not ended yet: wait for it first")
    else:
        lines = _log_lines(logs_client, group, job_name)
        candidates = [("FailureReason", diagnosis.failure_reason)] + lines
        for pattern, cause, fix in _RULES:
            hit = next(((stream, line) for stream, line in candidates if pattern in line.lower()), None)
            if hit is not None:
                diagnosis.stream, diagnosis.evidence = hit[0], hit[1].strip()
                diagnosis.cause, diagnosis.fix = cause, fix
                break
        else:
            errors = [(stream, line) for stream, line in lines if "error" in line.lower() or "status" in line.lower()]
            if errors:
                diagnosis.stream, diagnosis.evidence = errors[0][0], errors[0][1].strip()
            diagnosis.cause = "not one the kit recognises: read the lines above and the FailureReason"
    if not quiet:
        print(diagnosis)
    return diagnosis
