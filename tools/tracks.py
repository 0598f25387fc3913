"""One source for what the course's two tracks share: the SDK v2 notebooks (notebooks/) and their SDK v3 siblings
(notebooks/sdk-v3/, same file names).

A markdown cell of a v3 notebook that says what a v2 cell says carries `{"course": {"from_v2": "<v2 cell id>"}}` in its
metadata, optionally with `"replace": {"old": "new", ...}` (substring replacements, in order, for the API names). Its
text is generated from the v2 cell: edit the v2 cell (or the replacements), then run

    python tools/tracks.py sync     # rewrite the shared cells of every v3 notebook from their v2 cells
    python tools/tracks.py check    # report shared cells out of date and differences between the tracks' outlines

The outline of a notebook is its title, its `##`/`###` headings, its exercises (first sentence) and its key points,
each with code spans (text in backticks) replaced by a placeholder: the tracks may name different calls, never
different steps. tests/test_tracks.py runs `check`.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from helpers.course.index import NOTEBOOKS, V3_FOLDER, course_notebooks, notebook_path, track_pairs, v3_sibling  # noqa: E402

CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"(\]\(|src=\")([^)\"\s]+)")
V3_TITLE_SUFFIX = " (SDK v3)"


def shared_source(v2_source: str, replace: dict[str, str] | None) -> str:
    """The text of a shared v3 cell: the v2 cell's, with the API-name replacements and the links moved one folder down."""
    text = v2_source
    for old, new in (replace or {}).items():
        if old not in text:
            raise ValueError(f"replacement {old!r} does not occur in the v2 cell")
        text = text.replace(old, new)
    # links only: a code span such as `[a-z](-*[a-z])` (a name pattern, notebook 03) is no link and stays as written
    return "".join(part if CODE_SPAN.fullmatch(part) else LINK.sub(lambda m: m.group(1) + _v3_link(m.group(2)), part)
                   for part in re.split(f"({CODE_SPAN.pattern})", text))


def _v3_link(target: str) -> str:
    """A link of a v2 notebook, as its v3 sibling (one folder down) must write it."""
    if re.match(r"^([a-z]+:|#|/)", target):
        return target
    path = target.split("#")[0]
    siblings = {Path(nb["file"]).name for nb in course_notebooks("v3") if nb["file"].startswith(f"{V3_FOLDER}/")}
    if path in siblings:  # a course notebook: its v3 sibling, of the same name beside this one
        return target
    return "../" + target


def refresh_shared_cells(v2, v3, where: str = "") -> list[str]:
    """Rewrite the shared cells of notebook `v3` from notebook `v2`, in memory; returns one line per cell changed or
    broken (a v2 cell gone, a replacement that no longer applies)."""
    v2_cells = {cell.get("id"): cell for cell in v2.cells}
    stale = []
    for cell in v3.cells:
        spec = cell.metadata.get("course", {})
        if "from_v2" not in spec:
            continue
        here = f"{where} cell {cell.get('id')}"
        if spec["from_v2"] not in v2_cells:
            stale.append(f"{here}: its v2 cell {spec['from_v2']} is gone")
            continue
        try:
            expected = shared_source(v2_cells[spec["from_v2"]].source, spec.get("replace"))
        except ValueError as error:
            stale.append(f"{here}: {error} (v2 cell {spec['from_v2']})")
            continue
        if cell.source != expected:
            stale.append(f"{here} differs from its v2 cell {spec['from_v2']}")
            cell.source = expected
    return stale


def sync(write: bool = True) -> list[str]:
    """Rewrite (or, with write=False, only list) the shared cells of every v3 notebook that differ from their v2 cells."""
    stale = []
    for v2_entry, v3_entry in track_pairs():
        v3_path = notebook_path(v3_entry)
        if not v3_path.exists():
            continue
        v3 = nbformat.read(v3_path, as_version=4)
        changed = refresh_shared_cells(nbformat.read(notebook_path(v2_entry), as_version=4), v3, v3_entry["file"])
        stale += changed
        if write and changed:
            nbformat.write(v3, v3_path)
    return stale


def _plain(text: str) -> str:
    return " ".join(CODE_SPAN.sub("`…`", text).split())


def outline(notebook) -> dict[str, list[str]]:
    """A notebook's title, headings, exercises and key points, with code spans replaced: what both tracks must share."""
    title, headings, exercises, key_points = [], [], [], []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        text = cell.source
        for line in text.splitlines():
            if line.startswith("# "):
                title.append(_plain(line.removesuffix(V3_TITLE_SUFFIX)))
            elif line.startswith(("## ", "### ")):
                headings.append(_plain(line))
        plain = CODE_SPAN.sub("`…`", text)  # first: a code span may hold a full stop
        for match in re.finditer(r"\*\*Exercise (\d+)\.\*\*(.*?)(?:[.?!:](?=\s|$)|\Z)", plain, re.S):
            exercises.append(f"Exercise {match.group(1)}: {_plain(match.group(2))}")
        section = re.search(r"^## Key points\n(.*?)(?=^#|\Z)", text, re.S | re.M)
        if section:
            bullets = re.split(r"^- ", section.group(1), flags=re.M)
            key_points += [_plain(bullet) for bullet in bullets if bullet.strip()]
    return {"title": title, "headings": headings, "exercises": exercises, "key points": key_points}


def outline_differences(v2_notebook, v3_notebook) -> list[str]:
    """Where the v3 notebook's outline differs from the v2 one's, one line each."""
    ours, theirs = outline(v2_notebook), outline(v3_notebook)
    differences = []
    for part in ours:
        if ours[part] != theirs[part]:
            import difflib

            diff = [line for line in difflib.unified_diff(ours[part], theirs[part], "v2", "v3", lineterm="", n=0)
                    if line[:1] in "+-" and not line.startswith(("+++", "---"))]
            differences.append(f"{part}: " + "; ".join(diff[:6]))
    return differences


def check() -> list[str]:
    """Every problem between the tracks: v3 siblings missing, shared cells out of date, outlines that differ."""
    problems = []
    v3_files = {nb["file"] for nb in course_notebooks("v3")}
    for nb in course_notebooks("v2"):
        if nb.get("style", "course") != "course":
            continue
        sibling = v3_sibling(nb["file"])
        if sibling not in v3_files or not (NOTEBOOKS / sibling).exists():
            problems.append(f"{nb['file']} has no SDK v3 sibling {sibling} (in notebooks/course.json and on disk)")
    problems += sync(write=False)
    for v2_entry, v3_entry in track_pairs():
        if notebook_path(v3_entry).exists():
            v2 = nbformat.read(notebook_path(v2_entry), as_version=4)
            v3 = nbformat.read(notebook_path(v3_entry), as_version=4)
            problems += [f"{v3_entry['file']}: {d}" for d in outline_differences(v2, v3)]
            name = Path(v2_entry["file"]).name
            for notebook, entry, link in ((v2, v2_entry, f"](sdk-v3/{name})"), (v3, v3_entry, f"](../{name})")):
                if not any(link in cell.source for cell in notebook.cells if cell.cell_type == "markdown"):
                    problems.append(f"{entry['file']} does not link its sibling in the other track ({link[2:-1]})")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["sync", "check"])
    args = parser.parse_args()
    if args.action == "sync":
        for line in sync(write=True):
            print("synced:", line)
    problems = check()
    for line in problems:
        print(line)
    print("The two tracks agree." if not problems else f"{len(problems)} difference(s) between the tracks.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
