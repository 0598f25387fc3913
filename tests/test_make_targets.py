"""The Makefile's learner-facing targets behave as the README says (dry runs: nothing is started)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dry_run(target: str) -> str:
    return subprocess.run(["make", "-n", "-C", str(ROOT), target], capture_output=True, text=True, check=True).stdout


def test_make_lab_adds_allow_root_exactly_when_run_as_root():
    command = [line for line in dry_run("lab").splitlines() if "jupyter lab" in line][-1]
    assert ("--allow-root" in command) == (os.geteuid() == 0), command
    assert command.rstrip().endswith("notebooks/")
