"""Keep every notebook's solutions out of sight until the learner asks (`python tools/solutions.py notebooks/*.ipynb`).

The cells under a notebook's "## Solutions" heading are made collapsed (jupyter.source_hidden) with no saved output, a
first line that names the exercise and not its answer, and the tags `solution` and `nbval-ignore-output` (nbval still
runs them, and compares nothing: their outputs are not committed). So no answer is readable in JupyterLab, on GitHub
or on the site before the learner opens or runs a solution. Idempotent: a second run changes nothing.
`tools/run_course.py --in-place` applies it to every notebook it writes back; `--check` only reports.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

HEADING = "## Solutions"
INTRO = ("Try each exercise before you look. Each solution is collapsed (click the ⋯ to open it) and has no saved "
         "output: run it to see the answer checked.")
TAGS = ("solution", "nbval-ignore-output")
FIRST_LINE = re.compile(r"^# (Solution to Exercise \d+|extra code – Exercise \d+)\b")
ANSWER_NAME = re.compile(r"\b(?:answer|solution|exercise)_(\d+)\b")


def solution_cells(notebook) -> list:
    """The cells under the "## Solutions" heading, up to the next level-2 heading (the heading itself excluded)."""
    cells, inside = [], False
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            inside = cell.source.startswith(HEADING)
            continue
        if inside:
            cells.append(cell)
    return cells


def _heading(notebook):
    return next((c for c in notebook.cells if c.cell_type == "markdown" and c.source.startswith(HEADING)), None)


def _exercise_number(source: str, previous: int | None) -> int | None:
    found = ANSWER_NAME.findall(source)
    return int(found[0]) if found else previous


def problems(notebook) -> list[str]:
    """What keeps a solution in sight: outputs, an open cell, a first line that may give the answer, a markdown cell."""
    found = []
    heading = _heading(notebook)
    if heading is None:
        return []
    if INTRO not in heading.source:
        found.append("the Solutions heading does not say how to open a solution")
    for cell in solution_cells(notebook):
        first = cell.source.splitlines()[0] if cell.source else ""
        if cell.cell_type != "code":
            found.append(f"a {cell.cell_type} cell under Solutions is on screen: {first[:60]!r}")
            continue
        if cell.get("outputs"):
            found.append(f"a solution cell carries outputs: {first[:60]!r}")
        if not cell.metadata.get("jupyter", {}).get("source_hidden"):
            found.append(f"a solution cell is not collapsed: {first[:60]!r}")
        if not FIRST_LINE.match(first):
            found.append(f"a solution's first line may give the answer away: {first[:60]!r}")
        missing = [tag for tag in TAGS if tag not in cell.metadata.get("tags", [])]
        if missing:
            found.append(f"a solution cell lacks the tags {missing}: {first[:60]!r}")
    return found


def hide(notebook) -> bool:
    """Apply the rules above to one notebook in memory; True if anything changed. Markdown under Solutions is refused:
    its text would be on screen (write it as comments in the solution's code cell)."""
    heading = _heading(notebook)
    if heading is None:
        return False
    before = nbformat.writes(notebook)
    if INTRO not in heading.source:
        if heading.source.strip() != HEADING:
            raise ValueError("The Solutions heading cell holds more than the heading; move that text into the "
                             f"solutions' code cells as comments: {heading.source[:80]!r}")
        heading.source = f"{HEADING}\n{INTRO}"
    number = None
    for cell in solution_cells(notebook):
        if cell.cell_type != "code":
            raise ValueError(f"A markdown cell under Solutions would be on screen; fold it into the solution's code "
                             f"cell as comments: {cell.source[:80]!r}")
        first = cell.source.splitlines()[0] if cell.source else ""
        number = _exercise_number(cell.source, number)
        if not FIRST_LINE.match(first):
            if number is None:
                raise ValueError(f"Cannot tell which exercise this solution answers; start it with "
                                 f"'# Solution to Exercise N': {first[:80]!r}")
            if first.startswith("# extra code –"):
                cell.source = cell.source.replace("# extra code –", f"# extra code – Exercise {number},", 1)
            else:
                cell.source = f"# Solution to Exercise {number}\n{cell.source}"
        cell.outputs = []
        cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        tags = cell.metadata.setdefault("tags", [])
        tags.extend(tag for tag in TAGS if tag not in tags)
    return nbformat.writes(notebook) != before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report what keeps a solution in sight; change nothing")
    args = parser.parse_args()
    failed = 0
    for path in args.notebooks:
        notebook = nbformat.read(path, as_version=4)
        if args.check:
            found = problems(notebook)
            failed += bool(found)
            for line in found:
                print(f"{path.name}: {line}")
        elif hide(notebook):
            nbformat.write(notebook, path)
            print(f"{path.name}: solutions hidden")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
