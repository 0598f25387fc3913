"""The course index, notebooks/course.json: the one list of the course's notebooks, read by make course, nbval, the
site and the AWS run plan. Two tracks: SDK v2 in notebooks/, SDK v3 in notebooks/sdk-v3/ (same file names)."""
from __future__ import annotations

import json
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
INDEX_FILE = NOTEBOOKS / "course.json"
V3_FOLDER = "sdk-v3"  # the v3 track's folder under notebooks/: each v2 course notebook's sibling, with the same name


def environment() -> str:
    """The track this interpreter can run: "v3" where SDK v3 is installed (.venv-v3, a Studio image's kernel), else
    "v2". make course, nbval and the tests each pick the notebooks of their environment with it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return "v3" if version("sagemaker").startswith("3.") else "v2"
    except PackageNotFoundError:
        return "v2"


def course_notebooks(environment: str | None = "v2") -> list[dict]:
    """The course index (notebooks/course.json), in course order: what make course, nbval and the site run.
    A learner's duplicate of a notebook is not in it, so it is never run or tested by the kit's tools."""
    index = json.loads(INDEX_FILE.read_text())
    return [nb for nb in index["notebooks"] if environment is None or nb["environment"] == environment]


def notebook_path(entry: dict) -> Path:
    """Where an index entry's notebook is ("file" is relative to notebooks/)."""
    return NOTEBOOKS / entry["file"]


def index_entry(path: str | Path) -> dict | None:
    """The index entry of a notebook file, or None for a notebook that is not part of the course (a learner's copy)."""
    path = Path(path).resolve()
    return next((nb for nb in course_notebooks(None) if notebook_path(nb).resolve() == path), None)


def v3_sibling(v2_file: str) -> str:
    """The v3 track's sibling of a v2 course notebook, as an index "file"."""
    return f"{V3_FOLDER}/{Path(v2_file).name}"


def track_pairs() -> list[tuple[dict, dict]]:
    """(v2 entry, v3 entry) for every course notebook of the v2 track that has a v3 sibling in the index."""
    v3 = {nb["file"]: nb for nb in course_notebooks("v3")}
    return [(nb, v3[v3_sibling(nb["file"])]) for nb in course_notebooks("v2") if v3_sibling(nb["file"]) in v3]
