"""What the offline AWS and the course do to the SageMaker Python SDK (v2 or v3) once it is imported: plain IPython
tracebacks, the config file's log lines quieted, and its schema check made once per distinct config."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def sdk_version() -> str:
    """The installed SageMaker Python SDK's version, or "" when there is none."""
    try:
        return version("sagemaker")
    except PackageNotFoundError:
        return ""


def quiet_config_log() -> None:
    """The SDK logs where it looked for config files at INFO: noise for a learner, and it prints machine paths.
    Must run before the first `import sagemaker`, which sets the level to INFO only if none is set."""
    import logging

    logging.getLogger("sagemaker.config").setLevel(logging.WARNING)


def _once_per_config(validate):
    """`validate` run once per distinct config: the config file does not change while a notebook runs."""
    import json

    seen: set[str] = set()

    def validate_once(sagemaker_config: dict = None):
        key = json.dumps(sagemaker_config, sort_keys=True, default=str)
        if key not in seen:
            validate(sagemaker_config)
            seen.add(key)

    validate_once.course_cached = True
    return validate_once


def cache_v2_config_checks() -> None:
    """SDK v2 validates its config file against a JSON schema on every setting it looks up (~0.07 s, about 18 times
    per transform job, and twice in `Session()`); the file does not change while a notebook runs, so validate each
    distinct config once. Same check and same error as `jsonschema.validate`, without re-checking the SDK's own
    schema against the JSON Schema meta-schema each time (~0.1-0.2 s per call)."""
    import jsonschema
    import sagemaker.config.config
    import sagemaker.utils

    if getattr(sagemaker.utils.validate_sagemaker_config, "course_cached", False):
        return
    schema = sagemaker.config.config.SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA
    validator = jsonschema.validators.validator_for(schema)(schema)

    def validate(sagemaker_config: dict = None):
        error = jsonschema.exceptions.best_match(validator.iter_errors(sagemaker_config))
        if error is not None:
            raise error

    validate_once = _once_per_config(validate)
    sagemaker.utils.validate_sagemaker_config = validate_once
    sagemaker.config.config.validate_sagemaker_config = validate_once  # load_sagemaker_config, in Session()


def cache_v3_config_checks() -> None:
    """v3 validates its config file against a JSON schema (with a schema check first) every time a resource reads its
    defaults: ~0.5 s each, 11 times per ModelTrainer.train. The file does not change while a notebook runs, so validate
    each distinct config once, as cache_v2_config_checks does for v2."""
    import sagemaker.core.config.config as config_module
    import sagemaker.core.helper.session_helper as session_helper
    from sagemaker.core.config.config_manager import SageMakerConfig

    original = SageMakerConfig.validate_sagemaker_config
    if getattr(original, "course_cached", False):
        return
    validate_once = _once_per_config(original)
    SageMakerConfig.validate_sagemaker_config = staticmethod(validate_once)
    config_module.validate_sagemaker_config = validate_once
    session_helper.validate_sagemaker_config = validate_once


def prepare_sdk() -> None:
    """After `import sagemaker`: IPython's own tracebacks back (the SDK installs rich ones), and faster config checks."""
    from sagemaker_offline import tracebacks

    tracebacks.use_ipython_tracebacks()
    tracebacks.restore_mode_after_error_cells()  # `%xmode Minimal` in an error cell lasts for that cell only
    if sdk_version().startswith("3."):
        cache_v3_config_checks()
    else:
        cache_v2_config_checks()


def check_python() -> None:
    """Python 3.11+ (the runtime's dependencies need it), or one line saying so."""
    import sys

    from sagemaker_offline.errors import OfflineSetupError

    if sys.version_info < (3, 11):
        raise OfflineSetupError(f"The offline AWS needs Python 3.11 or newer; this kernel runs "
                                f"{sys.version.split()[0]}. Pick a kernel with a newer Python.")
