"""Which of the kit's own dependencies this Python lacks, and the pip line that adds only those (SageMaker Studio).

Reads pyproject.toml ([project] dependencies, plus the extras named on the command line) and compares each with
what is installed, without importing anything. Installed packages are left alone, even when another range would allow
a newer version; a package installed at a version outside the kit's range is reported, not replaced, so the learner
decides (docs/running-on-aws.md says what to do, e.g. on SDK v3 images). Exit status 1 when something is missing
or out of range.

    pip install --no-deps -e . && python tools/missing_packages.py          # AWS mode
    python tools/missing_packages.py offline                               # also what offline mode needs
"""
from __future__ import annotations

import argparse
import shlex
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


class DeclaredRequirement(Requirement):
    """A requirement that remembers its line as written in pyproject.toml, for the pip line (packaging 26.2+ gives
    Requirement __slots__, so the line cannot be set on a plain one)."""

    __slots__ = ("line",)

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


def declared(extras: list[str]) -> list[Requirement]:
    """The kit's requirements: [project] dependencies, then each named extra's (a later pin of the same name wins)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    by_name: dict[str, Requirement] = {}
    for line in lines:
        requirement = DeclaredRequirement(line)
        by_name[requirement.name.lower()] = requirement
    return list(by_name.values())


def compare(requirements: list[Requirement]) -> tuple[list[Requirement], list[tuple[Requirement, str]]]:
    """(missing, [(requirement, installed version) outside its range])."""
    missing, outside = [], []
    for requirement in requirements:
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            missing.append(requirement)
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            outside.append((requirement, installed))
    return missing, outside


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extras", nargs="*", help="extras of pyproject.toml to include too, e.g. offline")
    args = parser.parse_args(argv)
    missing, outside = compare(declared(args.extras))
    for requirement, installed in outside:
        print(f"{requirement.name} {installed} is installed, the kit needs {getattr(requirement, 'line', requirement)}: not changed here. "
              f"See docs/running-on-aws.md (In SageMaker Studio) for a kernel of the course's own.")
    if missing:
        print("pip install " + " ".join(shlex.quote(getattr(r, "line", str(r))) for r in missing))
    elif not outside:
        print(f"Nothing to add: this Python ({sys.executable}) has every package the kit needs.")
    return 1 if missing or outside else 0


if __name__ == "__main__":
    sys.exit(main())
