"""The course index (notebooks/course.json) is the one list of notebooks make course and nbval run."""
from __future__ import annotations

import json
from pathlib import Path

import conftest as root_conftest
from helpers.course.index import course_notebooks

ROOT = Path(__file__).resolve().parent.parent


def test_every_indexed_notebook_exists_and_every_course_notebook_is_indexed():
    indexed = {nb["file"] for nb in course_notebooks(None)}
    assert indexed, "the index lists no notebook"
    for name in indexed:
        assert (ROOT / "notebooks" / name).is_file(), name
    on_disk = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if "-Copy" not in p.name}
    assert on_disk <= indexed, f"course notebooks missing from notebooks/course.json: {sorted(on_disk - indexed)}"


def test_a_learners_duplicate_is_not_collected_but_course_notebooks_are():
    copy = ROOT / "notebooks" / "02_batch_transform_sdk-Copy1.ipynb"
    assert root_conftest.pytest_ignore_collect(copy, None) is True
    assert root_conftest.pytest_ignore_collect(ROOT / "notebooks" / "02_batch_transform_sdk.ipynb", None) is False
    assert root_conftest.pytest_ignore_collect(ROOT / "tests" / "test_data.py", None) is None


def test_index_entries_have_what_the_readme_and_site_show():
    index = json.loads((ROOT / "notebooks" / "course.json").read_text())
    for nb in index["notebooks"]:
        assert {"file", "title", "teaches", "environment", "offline_seconds"} <= set(nb), nb
        assert nb["environment"] in {"v2", "v3"}
