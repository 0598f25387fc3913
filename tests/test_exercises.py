"""Every notebook's exercises teach (issue 10): check cells only check, solutions sit collapsed, and at least one
exercise per notebook asks for something the screen does not already show."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from helpers.course.index import course_notebooks

ROOT = Path(__file__).resolve().parent.parent
# The course skeleton's notebooks; A2 is written like the public AWS examples on purpose (course.json: style).
NOTEBOOKS = [ROOT / "notebooks" / nb["file"] for nb in course_notebooks(None) if nb.get("style", "course") == "course"]


def _sections(path: Path) -> dict[str, list[dict]]:
    """The notebook's cells grouped under their level-2 heading ("## Exercises", "## Solutions", ...)."""
    sections: dict[str, list[dict]] = {}
    current = ""
    for cell in json.loads(path.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and source.startswith("## "):
            current = source.splitlines()[0][3:].strip()
        sections.setdefault(current, []).append(cell)
    return sections


def _code(cells: list[dict]) -> list[str]:
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def _is_check_cell(source: str) -> bool:
    return "check" in source and "= None" not in source and "= {**" not in source and "= {\n" not in source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_check_cells_only_check(path):
    """A check cell that assigns (02's `out_none = ""`) can overwrite the learner's work and judge the wrong value."""
    checks = [src for src in _code(_sections(path)["Exercises"]) if _is_check_cell(src)]
    assert checks, "the Exercises section has no check cell"
    for source in checks:
        assignments = [node for node in ast.walk(ast.parse(source))
                       if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.NamedExpr))]
        assert not assignments, f"a check cell assigns a variable, so it can overwrite the answer:\n{source}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_solution_cell_is_collapsed(path):
    """JupyterLab hides a cell's source with metadata jupyter.source_hidden, so a solution does not spoil the task."""
    cells = [c for c in _sections(path)["Solutions"] if c["cell_type"] == "code"]
    assert cells, "the Solutions section has no code cell"
    shown = ["".join(c["source"])[:60] for c in cells
             if not c.get("metadata", {}).get("jupyter", {}).get("source_hidden")]
    assert not shown, f"solution cells not collapsed: {shown}"


def test_the_check_cell_rule_catches_an_assignment():
    source = 'out_none = ""  # the exercise\'s .out text goes here\nchecks.check_same_output(answer_2, out_text, out_none)'
    assert _is_check_cell(source)
    assert any(isinstance(node, ast.Assign) for node in ast.walk(ast.parse(source)))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_header_states_the_measured_offline_time(path):
    """One source for the times: course.json's offline_seconds, shown in the notebook's header and in the README."""
    entry = next(nb for nb in course_notebooks(None) if nb["file"] == path.name)
    header = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"][:4])
    assert f"about {entry['offline_seconds']} s offline" in header, (
        f"the header should say 'about {entry['offline_seconds']} s offline' (notebooks/course.json)")
    plan = (ROOT / "docs" / "aws-run-plan.md").read_text()
    planned = re.search(rf"\| {re.escape(path.name)} \| \d+ \| (\d+) \|", plan)
    # The run plan is recorded from the v2 notebooks' requests (.venv); the v3 appendix runs in .venv-v3.
    assert planned or entry["environment"] == "v3", f"{path.name} is missing from docs/aws-run-plan.md"
    aws_minutes = int(planned.group(1)) if planned else 0
    if aws_minutes:
        assert f"on AWS about {aws_minutes} minutes" in header, (
            f"the header should say 'on AWS about {aws_minutes} minutes' (docs/aws-run-plan.md)")
    readme = (ROOT / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{path.stem}`"))
    assert row.rstrip().endswith(f"| ~{entry['offline_seconds']} s |"), row


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_ends_with_further_reading_on_aws_pages(path):
    """Sources one click away: the last cell lists the AWS documentation the notebook relies on."""
    last = json.loads(path.read_text())["cells"][-1]
    source = "".join(last["source"])
    assert last["cell_type"] == "markdown" and source.startswith("## Further reading"), "no Further reading at the end"
    links = re.findall(r"\]\((https://[^)]+)\)", source)
    assert links and all(link.startswith(("https://docs.aws.amazon.com/", "https://aws.amazon.com/")) for link in links)
