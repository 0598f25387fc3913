"""The course index, notebooks/course.json: the one list of the course's notebooks, read by make course, nbval, the
site and the AWS run plan."""
from __future__ import annotations

import json
from pathlib import Path

INDEX_FILE = Path(__file__).resolve().parents[2] / "notebooks" / "course.json"


def course_notebooks(environment: str | None = "v2") -> list[dict]:
    """The course index (notebooks/course.json), in course order: what make course, nbval and the site run.
    A learner's duplicate of a notebook is not in it, so it is never run or tested by the kit's tools."""
    index = json.loads(INDEX_FILE.read_text())
    return [nb for nb in index["notebooks"] if environment is None or nb["environment"] == environment]
