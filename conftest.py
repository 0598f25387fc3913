"""Repository-wide pytest hook: nbval runs the course's own notebooks only (the index in notebooks/course.json), each in
its own environment: the v2 track (notebooks/) under .venv (SDK v2), the v3 track (notebooks/sdk-v3/) and the v3
appendix under .venv-v3 and the Studio-image replicas (SDK v3); `make test` runs them all."""
from __future__ import annotations

from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"



def pytest_ignore_collect(collection_path, config):
    """A learner's duplicate ("02_...-Copy1.ipynb") or experiment in notebooks/ is not part of the course: skip it.
    So is a notebook of the other environment: v2 and v3 cannot share one."""
    path = Path(collection_path).resolve()
    if path.suffix == ".ipynb" and path.is_relative_to(NOTEBOOKS):
        from helpers.course.index import course_notebooks, environment, notebook_path

        return path not in {notebook_path(nb).resolve() for nb in course_notebooks(environment())}
    return None


def pytest_configure(config):
    """The kernels nbval and the notebook tests start run as the committed outputs were made: the recorded learner id,
    the default instance type and region (helpers.course.record_settings), whoever runs the suite."""
    from helpers.connection.names import record_settings

    record_settings()
