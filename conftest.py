"""Repository-wide pytest hook: nbval runs the course's own notebooks only (the index in notebooks/course.json), each in
its own environment: the v2 notebooks under .venv (SDK v2), the v3 appendix under .venv-v3 (`make test` runs both)."""
from __future__ import annotations

from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


def _environment() -> str:
    """The course environment this interpreter is: "v3" where SDK v3 is installed, else "v2"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return "v3" if version("sagemaker").startswith("3.") else "v2"
    except PackageNotFoundError:
        return "v2"


def pytest_ignore_collect(collection_path, config):
    """A learner's duplicate ("02_...-Copy1.ipynb") or experiment in notebooks/ is not part of the course: skip it.
    So is a notebook of the other environment: v2 and v3 cannot share one."""
    path = Path(collection_path)
    if path.suffix == ".ipynb" and path.parent == NOTEBOOKS:
        from helpers.course.index import course_notebooks

        return path.name not in {nb["file"] for nb in course_notebooks(_environment())}
    return None
