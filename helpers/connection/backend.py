"""Where the notebooks run: the offline AWS (default) or a real AWS account, chosen in one place.

Every notebook's setup cell calls `connect()`; it prints one line saying where the notebook runs and how to switch.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from helpers.connection import fast_setup
from sagemaker_offline import sdk_setup
from helpers.connection.names import (  # noqa: F401  (re-exported: notebooks and tests name them from backend)
    COURSE_PREFIX,
    COURSE_TAG_KEY,
    COURSE_TAG_VALUE,
    COURSE_TAGS,
    INSTANCE_TYPE_VARIABLE,
    LEARNER_VARIABLE,
    OFFLINE_REGION,
    REGION_VARIABLE,
    CourseSetupError,
    instance_type as choose_instance_type,
    learner_id,
    learner_prefix,
    learner_tags,
    region_setting,
)

BACKEND_VARIABLE = "COURSE_BACKEND"
BACKENDS = ("offline", "aws")


@dataclass
class Course:
    """What a notebook needs to talk to SageMaker: sessions, region, role, bucket, the learner's S3 prefix and tags,
    and the instance type every job uses."""

    backend: str
    region: str
    boto_session: Any
    session: Any
    role: str
    bucket: str
    prefix: str = COURSE_PREFIX
    where: str = ""
    tags: list = field(default_factory=lambda: [dict(t) for t in COURSE_TAGS])
    learner: str = ""
    instance_type: str = field(default_factory=lambda: choose_instance_type())
    # SDK v3 only (helpers.connection.sdk_v3): the tags as sagemaker.core's classes spell them, and what to pass to
    # the v3 Transformer (None on an SDK whose Transformer fails on tags)
    core_tags: list = field(default_factory=list)
    transformer_tags: list | None = None

    def named(self, base: str) -> str:
        """`<base>-<learner>`: a name base (for `name_from_base` or `base_job_name`) that says whose resource it is."""
        return f"{base}-{self.learner}" if self.learner else base

    def s3_uri(self, *parts: str) -> str:
        """`s3://<bucket>/<course prefix>/<parts...>`: every object the course writes lives under this prefix."""
        key = "/".join([self.prefix, *[p.strip("/") for p in parts if p]])
        return f"s3://{self.bucket}/{key}"

    @property
    def sagemaker_client(self):
        return self.session.sagemaker_client

    @property
    def s3_client(self):
        return self.boto_session.client("s3")

    @property
    def offline(self) -> bool:
        return self.backend == "offline"


def choose_backend(backend: str | None = None) -> str:
    """The backend asked for: the parameter, else $COURSE_BACKEND, else offline (never AWS by accident)."""
    choice = (backend or os.environ.get(BACKEND_VARIABLE) or "offline").strip().lower()
    if choice not in BACKENDS:
        raise CourseSetupError(
            f"Unknown backend {choice!r}. Use 'offline' (no AWS account, no cost) or 'aws' "
            f"(real jobs on your account), e.g. connect('offline') or {BACKEND_VARIABLE}=aws."
        )
    return choice


def check_python(make_target: str) -> None:
    """Python 3.11+, or one line saying which make target builds the course's environment (v2 and the v3 appendix)."""
    import sys

    if sys.version_info < (3, 11):
        raise CourseSetupError(f"The course needs Python 3.11 or newer; this kernel runs {sys.version.split()[0]}. "
                               f"Pick a newer kernel, or create the environment with {make_target}.")


def check_versions() -> None:
    """Fail fast, before anything starts, when the environment is not the one the course is written for."""
    from importlib.metadata import PackageNotFoundError, version

    check_python("`make course`")
    try:
        sdk = version("sagemaker")
    except PackageNotFoundError:
        raise CourseSetupError("The SageMaker Python SDK is not installed in this kernel. Run `make lab` from the "
                               "course folder, or `pip install -r requirements.txt` in this environment.") from None
    if sdk.startswith("3."):  # `pip install sagemaker` gives v3, which removed the lesson's Model/Estimator/Transformer
        raise CourseSetupError(f"This kernel has SageMaker Python SDK {sdk}, but this notebook uses v2 (the lesson's "
                               "API, removed in v3). In this kernel, take the v3 track: open the notebook of the same "
                               "name in notebooks/sdk-v3/ (it teaches the same steps with v3's calls); this one runs in "
                               "the course's v2 kernel (`make lab`, .venv). Do not install SDK v2 into this kernel: it "
                               "would downgrade the SDK the image's other tools use.")
    if not sdk.startswith("2."):
        raise CourseSetupError(f"The course teaches the SageMaker Python SDK v2 (the lesson's API); this kernel has "
                               f"{sdk}. Install v2 with: pip install 'sagemaker>=2.257,<3'.")


@fast_setup.setup_cell  # ~half the setup cell's time is not the SDK's own import cost (helpers/connection/fast_setup.py)
def connect(backend: str | None = None, region: str | None = None, quiet: bool = False, *,
            learner: str | None = None, instance_type: str | None = None) -> Course:
    """Start the chosen backend and return the Course; prints where jobs will run, and the course's settings."""
    check_versions()
    choice = choose_backend(backend)
    chosen_type = choose_instance_type(instance_type)  # a bad value stops here, before anything starts
    who = learner_id(learner)
    region = region_setting(region)
    if choice == "offline":
        course = _connect_offline(region or OFFLINE_REGION)
        line = (
            f"Backend: offline ({course.where}), region {course.region}; no AWS account is used and nothing costs money. "
            f"To run on AWS: set {BACKEND_VARIABLE}=aws or call helpers.connect('aws')."
        )
    else:
        course = _connect_aws(region)
        line = (
            f"Backend: AWS ({course.where}), region {course.region}, bucket {course.bucket}: jobs run on your account "
            f"and cost money. To go back offline: unset {BACKEND_VARIABLE} or call helpers.connect('offline')."
        )
    course.learner, course.instance_type = who, chosen_type
    course.prefix, course.tags = learner_prefix(who), learner_tags(who)
    if not quiet:
        print(line)
        print(settings_line(course))
    return course


def settings_line(course: Course) -> str:
    """The settings every notebook reads, each with the variable that changes it (set before starting Jupyter)."""
    return (f"Settings: learner id {course.learner} ({LEARNER_VARIABLE}; your S3 prefix {course.prefix}/), instance "
            f"type {course.instance_type} ({INSTANCE_TYPE_VARIABLE}), region {course.region} ({REGION_VARIABLE}).")


def _connect_offline(region: str) -> Course:
    import sagemaker_offline as offline

    sdk_setup.quiet_config_log()
    aws = offline.start(region=region)  # also quiets the SDK's telemetry announcement (service._quiet_sdk_logs)
    import boto3
    import sagemaker

    sdk_setup.prepare_sdk()
    boto_session = boto3.Session(region_name=region)
    session = sagemaker.Session(boto_session=boto_session)
    return Course(
        backend="offline",
        region=region,
        boto_session=boto_session,
        session=session,
        role=aws.role_arn,
        bucket=session.default_bucket(),
        where="moto + the kit's XGBoost runtime",
    )


def _connect_aws(region: str | None) -> Course:
    import sagemaker_offline as offline

    sdk_setup.quiet_config_log()
    offline.allow_aws()  # the learner's switch to AWS, on purpose: the offline AWS stops and requests may leave
    from helpers.connection.aws import account as aws_account

    boto_session, role, where = aws_account.open_aws_session(region)
    import sagemaker

    sdk_setup.prepare_sdk()
    from helpers.connection.aws import guards as aws_guards

    aws_guards.install_launch_notices(boto_session)  # a cost line before any job starts instances
    aws_guards.install_error_advice()  # "What to do: ..." under AWS errors in notebook cells
    from sagemaker_offline import aws_cli

    # `!aws ...` in a cell: the kit's CLI, in the notebook's region, with the learner's own credentials.
    aws_cli.put_kit_cli_on_path()
    os.environ["AWS_DEFAULT_REGION"] = boto_session.region_name
    session = sagemaker.Session(boto_session=boto_session)
    return Course(
        backend="aws",
        region=boto_session.region_name,
        boto_session=boto_session,
        session=session,
        role=role,
        bucket=session.default_bucket(),
        where=where,
    )
