"""The setup of the SDK v3 appendix (notebooks/A1_sdk_v3.ipynb): the same backends as `helpers.connect()`, with a
SageMaker Python SDK v3 session. It runs in its own environment, .venv-v3, because v2 and v3 cannot share one."""
from __future__ import annotations

from helpers.backend import (BACKEND_VARIABLE, OFFLINE_REGION, Course, _quiet_sdk_config_log, check_python,
                             choose_backend, settings_line)
from helpers.course import (CourseSetupError, instance_type as choose_instance_type, learner_id, learner_prefix,
                            learner_tags, region_setting)

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


def connect(backend: str | None = None, region: str | None = None, quiet: bool = False, *,
            learner: str | None = None, instance_type: str | None = None) -> Course:
    """Start the chosen backend and return the Course with a v3 `Session`; prints where jobs will run, and the
    course's settings (the same as helpers.connect's)."""
    sdk = check_versions()
    choice = choose_backend(backend)
    chosen_type, who, region = choose_instance_type(instance_type), learner_id(learner), region_setting(region)
    course = _connect_offline(region or OFFLINE_REGION) if choice == "offline" else _connect_aws(region)
    course.learner, course.instance_type = who, chosen_type
    course.prefix, course.tags = learner_prefix(who), learner_tags(who)
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
    import logging
    import warnings

    # v3's wait() draws a rich progress panel, which needs ipywidgets in Jupyter (Studio's images have it; .venv-v3 does
    # not, so that nbval can compare outputs). Without it the panel is skipped and each wait() warns with this
    # machine's library path; the job's status and log lines still come through logging.
    warnings.filterwarnings("ignore", message='install "ipywidgets" for Jupyter support', category=UserWarning)

    # v3 reads the same config file as v2 and logs each value it applies at INFO (the offline telemetry opt-out).
    logging.getLogger("sagemaker.config").setLevel(logging.WARNING)
    from sagemaker.core.helper.session_helper import Session

    from helpers import tracebacks

    tracebacks.use_ipython_tracebacks()  # in case rich's hooks were installed (SAGEMAKER_ENABLE_RICH_LOGGING)
    tracebacks.restore_mode_after_error_cells()  # `%xmode Minimal` in an error cell lasts for that cell only
    _cache_sdk_config_checks()
    return Session(boto_session=boto_session)


def _cache_sdk_config_checks() -> None:
    """v3 validates its config file against a JSON schema (with a schema check first) every time a resource reads its
    defaults: ~0.5 s each, 11 times per ModelTrainer.train. The file does not change while a notebook runs, so validate
    each distinct config once, as helpers.backend does for v2."""
    import json

    import sagemaker.core.config.config as config_module
    import sagemaker.core.helper.session_helper as session_helper
    from sagemaker.core.config.config_manager import SageMakerConfig

    original = SageMakerConfig.validate_sagemaker_config
    if getattr(original, "course_cached", False):
        return
    seen: set[str] = set()

    def validate_once(sagemaker_config: dict = None):
        key = json.dumps(sagemaker_config, sort_keys=True, default=str)
        if key not in seen:
            original(sagemaker_config)
            seen.add(key)

    validate_once.course_cached = True
    SageMakerConfig.validate_sagemaker_config = staticmethod(validate_once)
    config_module.validate_sagemaker_config = validate_once
    session_helper.validate_sagemaker_config = validate_once


def _connect_offline(region: str) -> Course:
    import boto3

    from helpers import offline

    _quiet_sdk_config_log()
    aws = offline.start(region=region)
    boto_session = boto3.Session(region_name=region)
    session = _v3_session(boto_session)
    return Course(backend="offline", region=region, boto_session=boto_session, session=session, role=aws.role_arn,
                  bucket=session.default_bucket(), where="moto + the kit's XGBoost runtime")


def _connect_aws(region: str | None) -> Course:
    from helpers import offline

    _quiet_sdk_config_log()
    if offline.is_running():
        offline.stop()
    from helpers.aws import account as aws_account
    from helpers.aws import guards as aws_guards

    boto_session, role, where = aws_account.open_aws_session(region)
    aws_guards.install_launch_notices(boto_session)  # a cost line before any job starts instances
    aws_guards.install_error_advice()  # "What to do: ..." under AWS errors in notebook cells
    session = _v3_session(boto_session)
    return Course(backend="aws", region=boto_session.region_name, boto_session=boto_session, session=session,
                  role=role, bucket=session.default_bucket(), where=where)
