"""The setup of the SDK v3 appendix (notebooks/A1_sdk_v3.ipynb): the same backends as `helpers.connect()`, with a
SageMaker Python SDK v3 session. It runs in its own environment, .venv-v3, because v2 and v3 cannot share one."""
from __future__ import annotations

from helpers.connection.backend import BACKEND_VARIABLE, OFFLINE_REGION, Course, check_python, choose_backend
from helpers.connection.names import CourseSetupError
from sagemaker_offline import sdk_setup

V3_REQUIREMENT = "sagemaker>=3.27,<4"


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
        raise CourseSetupError(f"This appendix uses the SageMaker Python SDK v3 and {found}. Open it with the "
                               "course's v3 kernel (`make lab-v3`), or run `pip install -r requirements-v3.txt` in a "
                               "separate environment; notebooks 01-99 stay on v2.")
    return sdk


def connect(backend: str | None = None, region: str | None = None, quiet: bool = False) -> Course:
    """Start the chosen backend and return the Course with a v3 `Session`; prints one line saying where jobs will run."""
    sdk = check_versions()
    choice = choose_backend(backend)
    course = _connect_offline(region or OFFLINE_REGION) if choice == "offline" else _connect_aws(region)
    if not quiet:
        if course.offline:
            print(f"Backend: offline ({course.where}), region {course.region}, SDK {sdk}; no AWS account is used and "
                  f"nothing costs money. To run on AWS: set {BACKEND_VARIABLE}=aws or call sdk_v3.connect('aws').")
        else:
            print(f"Backend: AWS ({course.where}), region {course.region}, bucket {course.bucket}, SDK {sdk}: jobs run "
                  f"on your account and cost money. To go back offline: unset {BACKEND_VARIABLE} or call "
                  "sdk_v3.connect('offline').")
    return course


def _v3_session(boto_session):
    import logging
    import warnings

    # v3's wait() draws a rich progress panel, which needs ipywidgets in Jupyter (Studio's images have it; .venv-v3 does
    # not, so that nbval can compare outputs). Without it the panel is skipped and each wait() warns with this
    # machine's library path; the job's status and log lines still come through logging.
    warnings.filterwarnings("ignore", message='install "ipywidgets" for Jupyter support', category=UserWarning)

    # v3 reads the same config file as v2 and logs each value it applies at INFO (the offline telemetry opt-out).
    logging.getLogger("sagemaker.config").setLevel(logging.WARNING)
    from sagemaker.core.helper.session_helper import Session

    sdk_setup.prepare_sdk()  # IPython's tracebacks, in case rich's hooks were installed (SAGEMAKER_ENABLE_RICH_LOGGING)
    return Session(boto_session=boto_session)


def _connect_offline(region: str) -> Course:
    import boto3

    import sagemaker_offline as offline

    sdk_setup.quiet_config_log()
    aws = offline.start(region=region)
    boto_session = boto3.Session(region_name=region)
    session = _v3_session(boto_session)
    return Course(backend="offline", region=region, boto_session=boto_session, session=session, role=aws.role_arn,
                  bucket=session.default_bucket(), where="moto + the kit's XGBoost runtime")


def _connect_aws(region: str | None) -> Course:
    import sagemaker_offline as offline

    sdk_setup.quiet_config_log()
    offline.allow_aws()  # the learner's switch to AWS, on purpose: the offline AWS stops and requests may leave
    from helpers.connection.aws import account as aws_account
    from helpers.connection.aws import guards as aws_guards

    boto_session, role, where = aws_account.open_aws_session(region)
    aws_guards.install_launch_notices(boto_session)  # a cost line before any job starts instances
    aws_guards.install_error_advice()  # "What to do: ..." under AWS errors in notebook cells
    session = _v3_session(boto_session)
    return Course(backend="aws", region=boto_session.region_name, boto_session=boto_session, session=session,
                  role=role, bucket=session.default_bucket(), where=where)
