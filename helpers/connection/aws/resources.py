"""Find and remove what the course created: resources carrying the course tag and objects under its S3 prefix.

Notebook 99 calls `clean_up(course)`; it works offline (moto) and on a real account. A learner's clean-up touches only
resources carrying the course tag *and* their learner tag, and objects under their own prefix
(s3://<bucket>/batch-transform-course/<learner>/), so twenty learners can share one account; the instructor's
`clean_up(course, all_learners=True)` removes the whole class's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from helpers.connection.names import COURSE_PREFIX, COURSE_TAG_KEY, COURSE_TAG_VALUE, COURSE_TAGS, LEARNER_TAG_KEY

# Endpoints and endpoint configs whose names start with this are the course's even without the tag (a deploy() run
# without tags=): notebook 07 names its endpoints so. They bill by the hour, so the clean-up takes them by name too.
ENDPOINT_NAME_PREFIX = COURSE_PREFIX + "-"


def course_tags() -> list[dict]:
    """A fresh copy of the tags every course resource carries (pass as `tags=` to the SDK or boto3)."""
    return [dict(tag) for tag in COURSE_TAGS]


def has_course_tag(sagemaker_client, arn: str, learner: str | None = None) -> bool:
    """True if the resource carries the course tag (ListTags, all pages), and, given a learner, their learner tag."""
    tags = {(tag.get("Key"), tag.get("Value"))
            for page in sagemaker_client.get_paginator("list_tags").paginate(ResourceArn=arn)
            for tag in page.get("Tags", [])}
    if (COURSE_TAG_KEY, COURSE_TAG_VALUE) not in tags:
        return False
    return learner is None or (LEARNER_TAG_KEY, learner) in tags


def find_latest_training_job(sagemaker_client, name_prefix: str | None = None,
                             learner: str | None = None) -> dict | None:
    """DescribeTrainingJob of the newest Completed training job carrying the course tag (and the learner's), or None.

    Notebooks that need a trained model (02 onwards) use it to pick up where notebook 01 left off; `name_prefix`
    keeps the course's 13-feature model apart from the variants notebook 06 trains (e.g. without feature B), and
    `learner` keeps a class's models apart in a shared account.
    """
    listing = dict(StatusEquals="Completed", SortBy="CreationTime", SortOrder="Descending")
    if name_prefix:
        listing["NameContains"] = name_prefix
    summaries = [
        summary
        for page in sagemaker_client.get_paginator("list_training_jobs").paginate(**listing)
        for summary in page["TrainingJobSummaries"]
    ]
    # Sorted here as well: not every implementation of the API honours SortOrder (moto does not).
    summaries.sort(key=lambda s: s["CreationTime"], reverse=True)
    for summary in summaries:
        if name_prefix and not summary["TrainingJobName"].startswith(name_prefix):
            continue
        if has_course_tag(sagemaker_client, summary["TrainingJobArn"], learner):
            return sagemaker_client.describe_training_job(TrainingJobName=summary["TrainingJobName"])
    return None


def artifact_exists(s3_client, uri: str) -> bool:
    """True if the S3 object a training job wrote (its ModelArtifacts.S3ModelArtifacts) is still there: notebook 99
    deletes the course's S3 objects but not its training jobs, whose records SageMaker keeps."""
    from botocore.exceptions import ClientError

    bucket, _, key = uri.removeprefix("s3://").partition("/")
    try:
        s3_client.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NoSuchBucket", "NotFound"):
            return False
        raise
    return True


@dataclass
class CleanupReport:
    """What clean_up removed (or, in a dry run, would remove)."""

    dry_run: bool
    s3_location: str
    endpoints: list[str] = field(default_factory=list)
    endpoint_configs: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    s3_objects: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.endpoints or self.endpoint_configs or self.models or self.s3_objects)

    def __str__(self) -> str:
        verb = "Would delete" if self.dry_run else "Deleted"
        if self.empty:
            return (f"Clean-up: nothing to delete (no course-tagged SageMaker resources, "
                    f"no objects under {self.s3_location}).")
        lines = [f"Clean-up: {verb.lower()} the course's resources:"]
        for label, names in (("endpoint", self.endpoints), ("endpoint config", self.endpoint_configs),
                             ("model", self.models)):
            if names:
                lines.append(f"  {_count(len(names), label)}: {', '.join(names)}")
        if self.s3_objects:
            lines.append(f"  {_count(len(self.s3_objects), 'S3 object')} under {self.s3_location}")
        return "\n".join(lines)


def clean_up(course, dry_run: bool = False, quiet: bool = False, all_learners: bool = False) -> CleanupReport:
    """Delete the learner's endpoints, endpoint configs and models (by tag) and S3 objects (by prefix); with
    all_learners=True (the instructor, after class), every learner's: the course tag and the course prefix."""
    learner = None if all_learners else (getattr(course, "learner", "") or None)
    prefix = COURSE_PREFIX if all_learners else course.prefix.strip("/")
    if not prefix:
        # An empty prefix would mean the whole bucket; the kit never writes outside its own prefix.
        raise ValueError("The course prefix is empty; refusing to clean up a whole bucket.")
    sm, s3 = course.sagemaker_client, course.s3_client
    report = CleanupReport(dry_run=dry_run, s3_location=f"s3://{course.bucket}/{prefix}/")
    # Endpoints first: they are the only resources that cost money while idle, and a config in use
    # by an endpoint should go after it.
    report.endpoints = _tagged(sm, "list_endpoints", "Endpoints", "EndpointName", "EndpointArn", learner,
                               name_prefix=ENDPOINT_NAME_PREFIX)
    report.endpoint_configs = _tagged(sm, "list_endpoint_configs", "EndpointConfigs", "EndpointConfigName",
                                      "EndpointConfigArn", learner, name_prefix=ENDPOINT_NAME_PREFIX)
    report.models = _tagged(sm, "list_models", "Models", "ModelName", "ModelArn", learner)
    report.s3_objects = _objects_under(s3, course.bucket, prefix + "/")
    if not dry_run:
        for name in report.endpoints:
            sm.delete_endpoint(EndpointName=name)
        for name in report.endpoint_configs:
            sm.delete_endpoint_config(EndpointConfigName=name)
        for name in report.models:
            sm.delete_model(ModelName=name)
        _delete_objects(s3, course.bucket, report.s3_objects)
    if not quiet:
        print(report)
    return report


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _tagged(sm, operation: str, list_key: str, name_key: str, arn_key: str, learner: str | None,
            name_prefix: str | None = None) -> list[str]:
    """Names of the listed resources that carry the course tag (and the learner's, given one). With name_prefix, the
    instructor's sweep over all learners (learner None) also takes the resources named with it: an endpoint deployed
    without tags still bills by the hour; a learner's own clean-up goes by their tag only, never a neighbour's name."""
    names = []
    for page in sm.get_paginator(operation).paginate():
        for item in page.get(list_key, []):
            if item.get("EndpointStatus") == "Deleting":
                continue  # already on its way out; deleting it again is an error
            named = learner is None and name_prefix and item[name_key].startswith(name_prefix)
            if named or has_course_tag(sm, item[arn_key], learner):
                names.append(item[name_key])
    return sorted(names)


def _objects_under(s3, bucket: str, prefix: str) -> list[str]:
    # The trailing "/" keeps a neighbour such as "<prefix>-old/" out: S3 prefixes match characters, not folders.
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(obj["Key"] for obj in page.get("Contents", []))
    return keys


def _delete_objects(s3, bucket: str, keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys per call
        batch = [{"Key": key} for key in keys[start:start + 1000]]
        response = s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        if response.get("Errors"):
            first = response["Errors"][0]
            raise RuntimeError(
                f"S3 did not delete {len(response['Errors'])} object(s), e.g. {first.get('Key')}: "
                f"{first.get('Message')}. Check that your identity has s3:DeleteObject on {bucket}."
            )
