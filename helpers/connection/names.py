"""What both backends and the course share: the course's names, S3 prefix and tags, and the setup error.

Kept apart from `backend` so that AWS mode (`helpers/connection/aws/`) and the course depend on it, not on each other.
"""
from __future__ import annotations

OFFLINE_REGION = "us-west-2"
COURSE_PREFIX = "batch-transform-course"
COURSE_TAG_KEY = "course"
COURSE_TAG_VALUE = "sagemaker-batch-transform"
COURSE_TAGS = [{"Key": COURSE_TAG_KEY, "Value": COURSE_TAG_VALUE}]


class CourseSetupError(RuntimeError):
    """The setup cell cannot continue; the message says what is missing and how to provide it."""

    def _render_traceback_(self):
        """IPython shows this instead of a traceback: the advice is the whole message, the kit's frames are noise."""
        return [f"{type(self).__name__}: {self}"]
