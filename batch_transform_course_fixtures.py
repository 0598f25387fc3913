"""The course's pytest plugin (pyproject.toml's pytest11 entry point `batch-transform-course`): the `course_model`
fixture, on top of the offline AWS fixtures of `sagemaker_offline.pytest_plugin`.

A module of its own, outside `helpers`, so that loading the plugin imports nothing named `helpers`: a learner's own
`helpers.py` beside their tests stays theirs. The course is imported only when a test asks for `course_model`.
"""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def course_model(offline_session, offline_role, offline_bucket):
    """The course's model, trained once per session by a real offline training job (a few seconds), and its test data:
    `.name`, `.model_data`, `.image_uri`, `.test_uri`, `.test` (helpers/course/testing.py)."""
    import sys

    shadow = sys.modules.get("helpers")
    if shadow is not None and not hasattr(shadow, "__path__"):
        pytest.fail(f"course_model needs the course's `helpers` package, but {shadow.__file__} (a helpers.py of "
                    "yours) has that name in this test session: rename it, or use the offline fixtures alone "
                    "(offline_session, offline_bucket, offline_role, offline_prefix).", pytrace=False)
    from helpers.course.testing import course_model as make

    return make(offline_session, offline_role, offline_bucket)
