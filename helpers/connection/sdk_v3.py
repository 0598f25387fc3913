"""The setup of the SDK v3 appendix (notebooks/A1_sdk_v3.ipynb): the same backends as `helpers.connect()`, with a
SageMaker Python SDK v3 session. It runs in its own environment, .venv-v3, because v2 and v3 cannot share one."""
from __future__ import annotations

import logging
import os
import re

from helpers.connection import fast_setup
from helpers.connection.backend import (BACKEND_VARIABLE, OFFLINE_REGION, Course, check_python, choose_backend,
                                       settings_line)
from helpers.connection.names import (CourseSetupError, instance_type as choose_instance_type, learner_id,
                                      learner_prefix, learner_tags, region_setting)
from sagemaker_offline import sdk_setup

V3_MINIMUM = (3, 12)  # the SDK of the oldest supported SageMaker Studio image (SageMaker Distribution 4.3.0)
V3_REQUIREMENT = "sagemaker>=3.12,<4"
# sagemaker-core below 2.20 (Studio image 4.3.0) sends a Transformer's tags with CreateTransformJob and then fails
# building its own TransformJob object from them (pydantic: "tags Extra inputs are not permitted"); 2.20 (image 4.4.1)
# drops them first. Where they fail, the course's transform jobs go untagged (a transform job cannot be deleted, so
# notebook 99 does not need its tags).
TRANSFORMER_TAGS_FROM_CORE = (2, 20)


def check_versions() -> str:
    """Fail fast when this kernel has no SDK v3 (the appendix's calls do not exist in v2); returns the SDK version."""
    from importlib.metadata import PackageNotFoundError, version

    check_python("`make .venv-v3/.installed`")
    try:
        sdk = version("sagemaker")
    except PackageNotFoundError:
        sdk = ""
    if not sdk.startswith("3."):
        found = f"this kernel has SDK {sdk}" if sdk else "this kernel has no SageMaker SDK"
        raise CourseSetupError(f"This notebook uses the SageMaker Python SDK v3 and {found}. Open it in a kernel with "
                               "SDK v3 (a SageMaker Studio image's own kernel, or the course's `make lab-v3`); the same "
                               "lesson with SDK v2 is the notebook of the same name in notebooks/.")
    if _version_tuple(sdk) < V3_MINIMUM:
        raise CourseSetupError(f"This notebook needs SageMaker Python SDK {V3_REQUIREMENT} (the oldest supported Studio "
                               f"image has 3.12); this kernel has {sdk}. Upgrade it: pip install '{V3_REQUIREMENT}'.")
    return sdk


def _version_tuple(text: str) -> tuple[int, ...]:
    import re

    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def transformer_tags_work() -> bool:
    """Whether this SDK's `Transformer(tags=...)` works (sagemaker-core 2.20 and later): feature gate for the tags."""
    from importlib.metadata import version

    return _version_tuple(version("sagemaker-core"))[:2] >= TRANSFORMER_TAGS_FROM_CORE


@fast_setup.setup_cell  # the same set-up speed-ups as helpers.connect (helpers/connection/fast_setup.py)
def connect(backend: str | None = None, region: str | None = None, quiet: bool = False, *,
            learner: str | None = None, instance_type: str | None = None) -> Course:
    """Start the chosen backend and return the Course with a v3 `Session`; prints where jobs will run, and the
    course's settings (the same as helpers.connect's)."""
    sdk = check_versions()
    # before anything imports the SDK: SDK 3.12 sets the root logger to INFO at import, so botocore's INFO records
    # ("Found credentials in environment variables.") would show
    logging.getLogger("botocore").setLevel(logging.WARNING)
    choice = choose_backend(backend)
    chosen_type, who, region = choose_instance_type(instance_type), learner_id(learner), region_setting(region)
    course = _connect_offline(region or OFFLINE_REGION) if choice == "offline" else _connect_aws(region)
    course.learner, course.instance_type = who, chosen_type
    course.prefix, course.tags = learner_prefix(who), learner_tags(who)
    course.core_tags = [{"key": tag["Key"], "value": tag["Value"]} for tag in course.tags]  # sagemaker.core's spelling
    course.transformer_tags = course.tags if transformer_tags_work() else None
    if not quiet:
        if course.offline:
            print(f"Backend: offline ({course.where}), region {course.region}, SDK {sdk}; no AWS account is used and "
                  f"nothing costs money. To run on AWS: set {BACKEND_VARIABLE}=aws or call sdk_v3.connect('aws').")
        else:
            print(f"Backend: AWS ({course.where}), region {course.region}, bucket {course.bucket}, SDK {sdk}: jobs run "
                  f"on your account and cost money. To go back offline: unset {BACKEND_VARIABLE} or call "
                  "sdk_v3.connect('offline').")
        print(settings_line(course))
    return course


def _v3_session(boto_session):
    import warnings


    # v3's wait() draws a rich progress panel, which needs ipywidgets in Jupyter (Studio's images have it; .venv-v3 does
    # not, so that nbval can compare outputs). Without it the panel is skipped and each wait() warns with this
    # machine's library path; the job's status and log lines still come through logging.
    warnings.filterwarnings("ignore", message='install "ipywidgets" for Jupyter support', category=UserWarning)

    # v3 reads the same config file as v2 and logs each value it applies at INFO (the offline telemetry opt-out).
    logging.getLogger("sagemaker.config").setLevel(logging.WARNING)
    from sagemaker.core.helper.session_helper import Session

    sdk_setup.prepare_sdk()  # IPython's tracebacks, in case rich's hooks were installed (SAGEMAKER_ENABLE_RICH_LOGGING)
    plain_sdk_logs()
    return Session(boto_session=boto_session)


# Records every 3.x logs while it sets itself up, which say nothing about the learner's jobs (and differ by version).
SETUP_CHATTER = ("will collect telemetry", "Ignoring unnecessary instance type", "No region provided",
                 "Runs on sagemaker prod", "Found credentials in", "compression type not provided",
                 "Training image URI:")


class _PlainRecord(logging.Filter):
    """A log record as one plain line: rich's markup (`[bold]Completed`) removed, set-up chatter dropped."""

    MARKUP = re.compile(r"\[/?(?:bold|italic|dim|underline|reverse|strike|blink|link|(?:bright_)?(?:black|red|green|"
                        r"yellow|blue|magenta|cyan|white)|#[0-9a-fA-F]{6}|rgb\([^)]*\))(?: [^\]]*)?\]")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(chatter in message for chatter in SETUP_CHATTER):
            return False
        record.msg, record.args = self.MARKUP.sub("", message), None
        return True


def plain_sdk_logs() -> None:
    """The SDK's log lines as plain `INFO:logger:message` lines on stderr, the same in every 3.x: SDK 3.12 (Studio
    images 4.3-4.4) renders them with rich (markup, timestamps, file links), 3.27 with logging's default format."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler).__name__ == "RichHandler":  # SDK 3.12 puts it on the root logger at import
            root.removeHandler(handler)
    sdk_logger = logging.getLogger("sagemaker")
    if not any(getattr(handler, "course_plain", False) for handler in sdk_logger.handlers):
        handler = logging.StreamHandler()  # sys.stderr: in a notebook, the cell's stderr
        handler.setFormatter(logging.Formatter(logging.BASIC_FORMAT))
        handler.addFilter(_PlainRecord())
        handler.course_plain = True
        sdk_logger.addHandler(handler)
    sdk_logger.setLevel(logging.INFO)
    sdk_logger.propagate = False  # once, here: not again through a handler the SDK or a library put on the root


def _connect_offline(region: str) -> Course:
    import boto3

    import sagemaker_offline as offline

    sdk_setup.quiet_config_log()
    aws = offline.start(region=region)
    boto_session = boto3.Session(region_name=region)
    session = _v3_session(boto_session)
    # v3's wait() draws a transient rich panel while a job runs; offline a wait lasts seconds, and in Jupyter the panel
    # leaves an empty output behind or not depending on timing. Offline, rich draws no panel (on AWS it stays).
    import rich

    rich.reconfigure(force_jupyter=False, force_terminal=False, force_interactive=False)
    return Course(backend="offline", region=region, boto_session=boto_session, session=session, role=aws.role_arn,
                  bucket=session.default_bucket(), where="moto + the kit's XGBoost runtime")


def _connect_aws(region: str | None) -> Course:
    import sagemaker_offline as offline

    sdk_setup.quiet_config_log()
    offline.allow_aws()  # the learner's switch to AWS, on purpose: the offline AWS stops and requests may leave
    from helpers.connection.aws import account as aws_account
    from helpers.connection.aws import guards as aws_guards

    boto_session, role, where = aws_account.open_aws_session(region)
    # what helpers.connect('aws') adds, the same for both tracks (backend._connect_aws)
    aws_guards.install_launch_notices(boto_session)  # a cost line before any job starts instances
    aws_guards.install_error_advice()  # "What to do: ..." under AWS errors in notebook cells
    from sagemaker_offline import aws_cli

    # `!aws ...` in a cell: the kit's CLI, in the notebook's region, with the learner's own credentials.
    aws_cli.put_kit_cli_on_path()
    os.environ["AWS_DEFAULT_REGION"] = boto_session.region_name
    session = _v3_session(boto_session)
    return Course(backend="aws", region=boto_session.region_name, boto_session=boto_session, session=session,
                  role=role, bucket=session.default_bucket(), where=where)
