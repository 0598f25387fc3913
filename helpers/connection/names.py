"""What both backends and the course share: the course's names, S3 prefix and tags, its settings (learner, instance
type, region), and the setup error.

Kept apart from `backend` so that AWS mode (`helpers/connection/aws/`) and the course depend on it, not on each other.
"""
from __future__ import annotations

import getpass
import json
import os
import re
from pathlib import Path

OFFLINE_REGION = "us-west-2"
COURSE_PREFIX = "batch-transform-course"
COURSE_TAG_KEY = "course"
COURSE_TAG_VALUE = "sagemaker-batch-transform"
COURSE_TAGS = [{"Key": COURSE_TAG_KEY, "Value": COURSE_TAG_VALUE}]
LEARNER_TAG_KEY = "course-learner"  # with the course tag: whose resource it is, when a class shares one account

# The course's settings, each read once by connect() and printed by every setup cell. The instance type is named here
# and nowhere else in the course's code: a quota of 0 for it is fixed by one variable, not by editing every notebook.
DEFAULT_INSTANCE_TYPE = "ml.m4.xlarge"  # the lesson's
INSTANCE_TYPE_VARIABLE = "COURSE_INSTANCE_TYPE"
REGION_VARIABLE = "COURSE_REGION"
LEARNER_VARIABLE = "COURSE_LEARNER"
RECORDED_LEARNER = "learner-1"  # the learner id of the committed outputs: run_course.py and nbval run as this learner
LEARNER_MAX_LENGTH = 20  # "<base>-<learner>" + the SDK's 24-character timestamp stays within SageMaker's 63
# The app's metadata file in Studio, the one the SDK reads (sagemaker.session.NOTEBOOK_METADATA_FILE; DomainId in
# helpers/connection/aws/account.py). Its UserProfileName or SpaceName are the app's owner as DescribeApp names them
# (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeApp.html); no AWS page found here lists the
# file's fields, so reading them is best effort and any failure falls back to the operating-system user.
STUDIO_METADATA_FILE = "/opt/ml/metadata/resource-metadata.json"
_INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9]+\.[0-9]*(nano|micro|small|medium|large|xlarge|metal)$")


class CourseSetupError(RuntimeError):
    """The setup cell cannot continue; the message says what is missing and how to provide it."""

    def _render_traceback_(self):
        """IPython shows this instead of a traceback: the advice is the whole message, the kit's frames are noise."""
        return [f"{type(self).__name__}: {self}"]


def sanitize_learner(raw: str) -> str:
    """A learner id that is valid in an S3 key, a tag value and a SageMaker name (letters, digits, hyphens: the
    pattern `[a-zA-Z0-9](-*[a-zA-Z0-9])*`), lower case and at most LEARNER_MAX_LENGTH characters."""
    raw = str(raw).strip().split("@")[0] or str(raw)  # an e-mail address: its name part
    cleaned = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")[:LEARNER_MAX_LENGTH].strip("-")
    if not cleaned:
        raise CourseSetupError(f"The learner id {raw!r} has no letter or digit. Set {LEARNER_VARIABLE}=<your name> "
                               "(letters, digits and hyphens), or call helpers.connect(learner='<your name>').")
    return cleaned


def studio_user_profile(metadata_file: str | Path = STUDIO_METADATA_FILE) -> str | None:
    """The Studio user profile (or, in a Studio space, the space) this kernel runs in, or None outside Studio."""
    try:
        metadata = json.loads(Path(metadata_file).read_text())
    except (OSError, ValueError):
        return None
    return metadata.get("UserProfileName") or metadata.get("SpaceName") or None


def learner_id(learner: str | None = None, metadata_file: str | Path = STUDIO_METADATA_FILE) -> str:
    """Whose resources these are: connect(learner=...), else $COURSE_LEARNER, else the Studio user profile, else the
    operating-system user; sanitised for S3 keys, tags and SageMaker names."""
    raw = learner or os.environ.get(LEARNER_VARIABLE, "").strip() or studio_user_profile(metadata_file)
    if not raw:
        try:
            raw = getpass.getuser()
        except (KeyError, OSError):  # no user name in a bare container
            raw = "learner"
    return sanitize_learner(raw)


def instance_type(chosen: str | None = None) -> str:
    """The instance type of every job the course starts: connect(instance_type=...), else $COURSE_INSTANCE_TYPE,
    else the lesson's ml.m4.xlarge."""
    value = (chosen or os.environ.get(INSTANCE_TYPE_VARIABLE, "").strip() or DEFAULT_INSTANCE_TYPE)
    if not _INSTANCE_TYPE.match(value):
        raise CourseSetupError(f"{value!r} is not a SageMaker instance type. Set {INSTANCE_TYPE_VARIABLE} to one such "
                               f"as ml.m5.large or ml.m5.xlarge (with the 'ml.' prefix), or leave it unset for "
                               f"{DEFAULT_INSTANCE_TYPE}.")
    return value


def region_setting(region: str | None = None) -> str | None:
    """The region asked for: connect(region=...), else $COURSE_REGION; None lets the backend choose."""
    return region or os.environ.get(REGION_VARIABLE, "").strip() or None


def learner_tags(learner: str) -> list[dict]:
    """The tags of everything a learner creates: the course's, and whose it is."""
    return [dict(tag) for tag in COURSE_TAGS] + [{"Key": LEARNER_TAG_KEY, "Value": learner}]


def learner_prefix(learner: str) -> str:
    """The learner's own S3 prefix, under the course's: one learner's clean-up never reaches another's objects."""
    return f"{COURSE_PREFIX}/{learner}"


def record_settings(environ=os.environ) -> None:
    """The settings of the committed outputs, for the kit's own runs (make course, nbval, the run plan): the recorded
    learner id, and the default instance type and region, whatever this machine's user or variables are."""
    environ[LEARNER_VARIABLE] = RECORDED_LEARNER
    environ.pop(INSTANCE_TYPE_VARIABLE, None)
    environ.pop(REGION_VARIABLE, None)
