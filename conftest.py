"""Repository-wide pytest hook: nbval runs the course's own notebooks only (the index in notebooks/course.json)."""
from __future__ import annotations

from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


def pytest_ignore_collect(collection_path, config):
    """A learner's duplicate ("02_...-Copy1.ipynb") or experiment in notebooks/ is not part of the course: skip it."""
    path = Path(collection_path)
    if path.suffix == ".ipynb" and path.parent == NOTEBOOKS:
        from helpers.course import course_notebooks

        return path.name not in {nb["file"] for nb in course_notebooks("v2")}
    return None
